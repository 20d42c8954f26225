/**
 * What an S3 key (or a local path that mirrors one) says about the logs inside, before reading:
 * AWS delivers CloudTrail to `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`,
 * digests under `CloudTrail-Digest/`, Insights under `CloudTrail-Insight/`, and flow logs under
 * `vpcflowlogs/<region>/YYYY/MM/DD[/HH]/`. Pure: a path in, facts out.
 */
export type LogKind = 'cloudtrail' | 'cloudtrail-digest' | 'cloudtrail-insight' | 'vpcflow';

export interface S3LayoutFacts {
  kind: LogKind;
  account: string;
  region: string;
  /** The delivery day (UTC) from the folder, `YYYY-MM-DD`. */
  day: string | null;
}

const LAYOUT =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight|vpcflowlogs)\/([a-z0-9-]+)(?:\/(\d{4})\/(\d{2})\/(\d{2}))?/i;

const KIND_BY_FOLDER: Record<string, LogKind> = {
  cloudtrail: 'cloudtrail',
  'cloudtrail-digest': 'cloudtrail-digest',
  'cloudtrail-insight': 'cloudtrail-insight',
  vpcflowlogs: 'vpcflow',
};

export function parseS3Layout(path: string): S3LayoutFacts | null {
  const match = LAYOUT.exec(path.replace(/\\/g, '/'));
  if (!match) return null;
  const [, account, folder, region, year, month, day] = match;
  const kind = KIND_BY_FOLDER[folder!.toLowerCase()];
  if (!kind) return null;
  return { kind, account: account!, region: region!.toLowerCase(), day: year ? `${year}-${month}-${day}` : null };
}

/** CloudTrail file names also carry the account, region and delivery time: `<acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<id>.json.gz`. */
const FILE_NAME = /(\d{12})_CloudTrail(?:-Digest)?_([a-z0-9-]+)_(\d{8})T(\d{4})Z/i;

export function parseCloudTrailFileName(name: string): { account: string; region: string; day: string } | null {
  const match = FILE_NAME.exec(name);
  if (!match) return null;
  const [, account, region, ymd] = match;
  return { account: account!, region: region!.toLowerCase(), day: `${ymd!.slice(0, 4)}-${ymd!.slice(4, 6)}-${ymd!.slice(6, 8)}` };
}

export interface PruneFilter {
  from?: Date;
  to?: Date;
  accounts?: readonly string[];
  regions?: readonly string[];
}

/**
 * CloudTrail delivers an event in a file whose folder day is the delivery day, which is never
 * before the event's day but can be a little after it (delivery lags by minutes; across midnight
 * that is the next day). So a folder day can be pruned for `--from` only when the whole day ends
 * before it, and for `--to` only when the day starts more than this margin after it.
 */
const DELIVERY_LAG_MS = 24 * 60 * 60 * 1000;

/** Why a file can be skipped without reading it, or null when it must be read. */
export function pruneReason(path: string, filter: PruneFilter): string | null {
  const facts = parseS3Layout(path);
  const fromName = parseCloudTrailFileName(path.slice(path.lastIndexOf('/') + 1));
  const account = facts?.account ?? fromName?.account;
  const region = facts?.region ?? fromName?.region;
  const day = facts?.day ?? fromName?.day ?? null;
  if (filter.accounts?.length && account && !filter.accounts.includes(account)) return `account ${account} not selected`;
  if (filter.regions?.length && region && !filter.regions.includes(region)) return `region ${region} not selected`;
  if (day) {
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    const side = periodOutside(dayStart, dayStart + 24 * 60 * 60 * 1000, filter);
    if (side) return `delivered on ${day}, ${side} the time range`;
  }
  return null;
}

/**
 * Whether logs delivered in [startMs, endMs) (a day, a month or a year of delivery folders) can hold
 * no event of the time range: `before` or `after` it, else null (see DELIVERY_LAG_MS).
 */
export function periodOutside(startMs: number, endMs: number, filter: PruneFilter): 'before' | 'after' | null {
  if (filter.from && endMs <= filter.from.getTime()) return 'before';
  if (filter.to && startMs - DELIVERY_LAG_MS > filter.to.getTime()) return 'after';
  return null;
}

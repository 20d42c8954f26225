import { HEADERLESS_LAYOUTS } from '../../store/vpcflow-fields.js';
import { isHeader } from './parser.js';

/**
 * Is this file a VPC flow log? By where it lives (the S3 delivery layout) or by what its first
 * line looks like. Pure: the caller reads the first line (decompressed) if it has one.
 *
 * S3 delivery keys (plain and Hive-compatible prefixes):
 *   [prefix/]AWSLogs/[o-org/]<account>/vpcflowlogs/<region>/YYYY/MM/DD[/HH]/<file>
 *   [prefix/]AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=YYYY/month=MM/day=DD[/hour=HH]/<file>
 * and file names `<account>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz|.parquet`.
 */
export interface FlowLogLocation {
  accountId: string;
  region: string;
  /** YYYY-MM-DD from the folders. */
  date: string;
  /** HH when the delivery is partitioned per hour. */
  hour: string | null;
}

const PLAIN = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/vpcflowlogs\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})(?:\/(\d{2}))?\/[^/]+$/;
const HIVE =
  /(?:^|\/)AWSLogs\/(?:aws-organization-id=[^/]+\/)?aws-account-id=(\d{12})\/aws-service=vpcflowlogs\/aws-region=([a-z0-9-]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})(?:\/hour=(\d{2}))?\/[^/]+$/;
const FILE_NAME = /(?:^|\/)(\d{12})_vpcflowlogs_([a-z0-9-]+)_fl-[0-9a-f]+_(\d{4})(\d{2})(\d{2})T(\d{2})\d{2}Z_[0-9a-f]+\.(?:log|log\.gz|parquet|txt)$/;

/** The account, region, date and hour that the S3 layout gives, or null when the path is not in it. */
export function flowLogLocation(path: string): FlowLogLocation | null {
  const p = path.replace(/\\/g, '/');
  const m = PLAIN.exec(p) ?? HIVE.exec(p);
  if (m) return { accountId: m[1]!, region: m[2]!, date: `${m[3]}-${m[4]}-${m[5]}`, hour: m[6] ?? null };
  const n = FILE_NAME.exec(p);
  if (n) return { accountId: n[1]!, region: n[2]!, date: `${n[3]}-${n[4]}-${n[5]}`, hour: n[6]! };
  return null;
}

/** Does a first line look like a flow log: a header naming flow-log fields, or a record of a known header-less layout (plain or `{"message": …}`)? */
export function looksLikeFlowLogLine(firstLine: string): boolean {
  let text = firstLine.trim();
  if (text.startsWith('{')) {
    try {
      const message = (JSON.parse(text) as { message?: unknown } | null)?.message;
      if (typeof message !== 'string') return false;
      text = message.trim();
    } catch {
      return false;
    }
  }
  let tokens = text.split(/\s+/);
  if (tokens.length > 1 && /^\d{4}-\d{2}-\d{2}T/.test(tokens[0]!)) tokens = tokens.slice(1);
  if (isHeader(tokens)) {
    // A header needs more than one documented field to be a flow-log header, not a stray word.
    return (
      tokens.filter((t) => /^(version|srcaddr|dstaddr|srcport|dstport|interface-id|log-status|action|protocol)$/.test(t.replace(/^\$\{(.*)\}$/, '$1')))
        .length >= 2
    );
  }
  if (!HEADERLESS_LAYOUTS.some((l) => l.fields.length === tokens.length)) return false;
  return /^\d{1,2}$/.test(tokens[0]!) && tokens.some((t) => t === 'OK' || t === 'NODATA' || t === 'SKIPDATA');
}

export interface FlowLogDetection {
  isFlowLog: boolean;
  /** Why: `s3-layout`, `file-name`, `header`, `record`, or why not. */
  reason: string;
  location: FlowLogLocation | null;
}

/**
 * The one call for `trailbook ingest`: the path alone decides when it is in the S3 layout;
 * otherwise the first line (when given) decides. Parquet files outside the layout are not
 * claimed here (they have no first line): pass them with `--vpcflow`.
 */
export function detectFlowLog(path: string, firstLine?: string): FlowLogDetection {
  const location = flowLogLocation(path);
  if (location) {
    const byFolder = PLAIN.test(path.replace(/\\/g, '/')) || HIVE.test(path.replace(/\\/g, '/'));
    return { isFlowLog: true, reason: byFolder ? 's3-layout' : 'file-name', location };
  }
  if (firstLine !== undefined && looksLikeFlowLogLine(firstLine)) {
    return { isFlowLog: true, reason: isHeader(firstLine.trim().split(/\s+/)) ? 'header' : 'record', location: null };
  }
  return {
    isFlowLog: false,
    reason: firstLine === undefined ? 'not in the flow-log S3 layout' : 'first line is neither a flow-log header nor a record',
    location: null,
  };
}

import type { Row } from '../engines/engine.js';
import type { FindingRule } from '../runbook/schema.js';
import type { Credentials, Direction, EvidenceRow, Finding, FlowSummary, SourceAssessment } from '../report/contract.js';
import type { StepRows } from './steps.js';
import { compareText } from '../text.js';
import type { SignalName } from '../decide/fields.js';

/**
 * Rows → findings, pure. Each finding rule groups its step's rows (of its kind) by the groupBy
 * columns, and with `burst` splits each group where consecutive rows are further apart in time
 * than the gap (one incident, one finding); related steps attach their rows on equal `on` columns. The contract fields are then
 * read off the rows: CloudTrail eventIDs, times, direction, event sources, the credentials of the
 * first change, every external party with its verdict, and the connections' totals.
 */
export interface CallerIdentity {
  eventId: string;
  identityType: string | null;
  arn: string | null;
  accessKeyId: string | null;
  mfa: boolean | null;
  /** Set when `mfa` is inferred rather than read from the event. */
  mfaReason?: string;
  via: 'api' | 'console' | 'service';
  issuer: string | null;
  /** An EC2 instance-profile session (`ec2RoleDelivery`, or a role session named after an instance). */
  instanceCredentials: boolean;
}

export interface AssembleContext {
  identities: ReadonlyMap<string, CallerIdentity>;
  /**
   * Verdict of an address or service principal at a time. `principalArn` is the caller of an API
   * call: an approved principal is allowed from any address not on a threat feed (docs/intel.md).
   */
  judge(value: string, at: string | null, principalArn?: string): JudgedSource;
  isApprovedPrincipal(arn: string): boolean;
  params: Readonly<Record<string, unknown>>;
}

/** A party's assessment plus whether a threat feed named it (evidence of hostility, not mere absence from a list). */
export type JudgedSource = SourceAssessment & { hostile: boolean };

/**
 * What the decision tree tests beyond the contract fields: facts derived from the evidence, each
 * explainable. The names and their meanings are listed once, in `decide/fields.ts` (SIGNALS).
 */
export type FindingSignals = Record<SignalName, boolean>;

export type AssembledFinding = Omit<Finding, 'decision'> & { signals: FindingSignals };

export function assembleFindings(rules: readonly FindingRule[], steps: StepRows, context: AssembleContext): AssembledFinding[] {
  const out: AssembledFinding[] = [];
  for (const rule of rules) {
    const rows = (steps.get(rule.step) ?? []).filter((r) => r['finding_kind'] === undefined || r['finding_kind'] === rule.kind);
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const key = JSON.stringify(rule.groupBy.map((c) => row[c] ?? null));
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    for (const [key, group] of [...groups].flatMap(([key, rows]) => bursts(rule, key, rows))) {
      // A related row belongs when each `on` column equals that column in some row of the group.
      const related = (rule.related ?? []).flatMap((link) => {
        const valuesOf = new Map(link.on.map((column) => [column, new Set(group.map((g) => g[column]))] as const));
        return (steps.get(link.step) ?? []).filter(
          (candidate) => candidate !== undefined && link.on.every((column) => candidate[column] !== null && candidate[column] !== undefined && valuesOf.get(column)!.has(candidate[column])),
        );
      });
      const evidenceRows = dedupe([...group, ...related]).sort((a, b) => compareText(String(a['ts']), String(b['ts'])));
      out.push(buildFinding(rule, `${rule.id}:${hash(key)}`, group, evidenceRows, context));
    }
  }
  return out;
}

/**
 * A group as bursts: rows in time order, a new burst where a row's `ts` follows the previous one
 * by more than `burst.gapMinutes`. Without `burst`, the group is one finding, as before. A burst's
 * key adds its first time, so each finding keeps a stable id.
 */
function bursts(rule: FindingRule, key: string, rows: Row[]): [string, Row[]][] {
  if (!rule.burst) return [[key, rows]];
  const gap = rule.burst.gapMinutes * 60_000;
  const timed = rows.map((row) => ({ row, ms: Date.parse(String(row['ts'] ?? '')) })).sort((a, b) => (a.ms || 0) - (b.ms || 0));
  const out: [string, Row[]][] = [];
  let last = Number.NaN;
  for (const { row, ms } of timed) {
    // A row without a time sorts first and never splits a burst: it joins the first one.
    if (out.length === 0 || (Number.isFinite(ms) && Number.isFinite(last) && ms - last > gap)) out.push([`${key}|${String(row['ts'])}`, []]);
    out.at(-1)![1].push(row);
    if (Number.isFinite(ms)) last = ms;
  }
  return out;
}

function buildFinding(rule: FindingRule, id: string, group: readonly Row[], rows: Row[], context: AssembleContext): AssembledFinding {
  const apiRows = rows.filter((r) => typeof r['source_ref'] === 'string' && !String(r['source_ref']).startsWith('flow:'));
  const flowRows = rows.filter((r) => String(r['source_ref'] ?? '').startsWith('flow:'));
  const times = rows.flatMap((r) => [r['ts'], r['last_seen']]).filter((t): t is string => typeof t === 'string').sort();
  const eventIds = unique(apiRows.map((r) => String(r['source_ref'])));
  // The credentials that matter are those of the first change that opened or tried; a later close is the response.
  const keyRow = apiRows.find((r) => r['change'] === 'open' || r['change'] === 'attempt' || r['change'] === 'attach') ?? apiRows[0];
  const identity = keyRow ? context.identities.get(String(keyRow['source_ref'])) : undefined;
  const credentials: Credentials | null = identity
    ? {
        identityType: identity.identityType,
        arn: identity.arn,
        accessKeyId: identity.accessKeyId,
        keyKind: keyKind(identity.accessKeyId),
        mfa: identity.mfa,
        ...(identity.mfaReason ? { mfaReason: identity.mfaReason } : {}),
        via: identity.via,
        issuer: identity.issuer,
      }
    : null;

  const sources: SourceAssessment[] = [];
  const seen = new Set<string>();
  const hostileParties = new Set<string>();
  for (const r of apiRows.filter((row) => row === keyRow || row['change'] !== 'close')) addSource(r, 'api-caller');
  for (const r of flowRows) addSource(r, 'connection-peer');
  function addSource(row: Row, role: SourceAssessment['role']): void {
    const ip = row['source_ip'];
    if (typeof ip !== 'string') return;
    // An API caller is judged with its principal (an approved CI role from a runner's changing
    // address is allowed); the same address with another verdict is listed again, never hidden.
    const principal = role === 'api-caller' ? (context.identities.get(String(row['source_ref']))?.arn ?? undefined) : undefined;
    const { hostile, ...assessment } = context.judge(ip, typeof row['ts'] === 'string' ? row['ts'] : null, principal);
    if (hostile) hostileParties.add(`${role}|${ip}`);
    const key = `${role}|${ip}|${assessment.verdict}`;
    if (seen.has(key)) return;
    seen.add(key);
    sources.push({ ...assessment, role });
  }
  const hostileCaller = (ip: unknown) => hostileParties.has(`api-caller|${String(ip)}`);
  const hostilePeer = (ip: unknown) => hostileParties.has(`connection-peer|${String(ip)}`);

  const verdictOf = (ip: unknown) => sources.find((s) => s.ip === ip && s.role === 'connection-peer')?.verdict;
  const accepted = flowRows.filter((r) => r['accepted'] === true);
  const external = new Set(flowRows.map((r) => r['source_ip']).filter((ip) => verdictOf(ip) !== 'allowed'));
  const flows: FlowSummary = {
    connections: flowRows.length,
    acceptedConnections: accepted.length,
    bytes: flowRows.reduce((n, r) => n + (Number(r['bytes']) || 0), 0),
    externalPeers: external.size,
  };

  const directions = new Set(
    (flowRows.length ? flowRows : apiRows).map((r) => r['direction']).filter((d): d is 'inbound' | 'outbound' => d === 'inbound' || d === 'outbound'),
  );
  const direction: Direction | null = directions.size === 2 ? 'both' : directions.size === 1 ? [...directions][0]! : null;

  const callers = sources.filter((s) => s.role === 'api-caller');
  const callerSuspicious = callers.some((s) => s.verdict === 'suspicious');
  const approvedPrincipal = identity?.arn ? context.isApprovedPrincipal(identity.arn) : false;
  const instanceCredentialsOutside = !!identity?.instanceCredentials && callers.some((s) => s.verdict !== 'allowed' && !isServiceName(s.ip));
  const consoleWithoutMfa = identity?.via === 'console' && identity.mfa === false;
  const rootCaller = identity?.identityType === 'Root';
  // A known person (MFA) or a pipeline (a role session, or an AWS service acting for one), from a trusted place.
  // A console session always has session keys: only its MFA proves the person.
  const strongCredentials = identity?.mfa === true || (identity?.via !== 'console' && (keyKind(identity?.accessKeyId ?? null) === 'session' || identity?.via === 'service'));
  const openingRows = apiRows.filter((r) => r['change'] === 'open' || r['change'] === 'attach');
  const signals: FindingSignals = {
    internetExposed: apiRows.some((r) => r['internet_exposed'] === true && r['change'] === 'open'),
    callerSuspicious,
    callerHostile: apiRows.some((r) => hostileCaller(r['source_ip'])),
    peerSuspicious: sources.some((s) => s.role === 'connection-peer' && s.verdict === 'suspicious'),
    peerHostile: flowRows.some((r) => hostilePeer(r['source_ip'])),
    acceptedExternal: accepted.some((r) => verdictOf(r['source_ip']) !== 'allowed'),
    acceptedHostile: accepted.some((r) => hostilePeer(r['source_ip'])),
    approvedPrincipal,
    instanceCredentialsOutside,
    consoleWithoutMfa,
    rootCaller,
    callerCompromised: instanceCredentialsOutside || (callerSuspicious && (consoleWithoutMfa || rootCaller)),
    trustedCaller: callers.length > 0 && callers.every((s) => s.verdict === 'allowed') && strongCredentials,
    outboundOnly: apiRows.length > 0 && apiRows.every((r) => r['direction'] === 'outbound'),
    defaultEgressOnly: openingRows.length > 0 && openingRows.every((r) => r['default_egress'] === true),
  };

  const evidence: EvidenceRow[] = rows.map((r) => ({
    ts: String(r['ts'] ?? ''),
    actor: (r['actor'] as string | null) ?? null,
    source_ip: (r['source_ip'] as string | null) ?? null,
    action: [r['action'], r['change'] && r['change'] !== 'open' ? `(${r['change']})` : null].filter(Boolean).join(' '),
    resource: (r['resource'] as string | null) ?? null,
    account_id: (r['account_id'] as string | null) ?? null,
    region: (r['region'] as string | null) ?? null,
    source_ref: String(r['source_ref'] ?? ''),
    detail: detailOf(r),
  }));

  // The windows as src/ports built them: the row of the change that opened one carries its close.
  const windows = apiRows
    .filter((r) => r['opens_window'] === true)
    .map((open) => ({
      resource: String(open['resource']),
      openedAt: String(open['ts']),
      closedAt: (open['window_closed_at'] as string | null) ?? null,
      rule: String(open['rule']),
    }));

  return {
    id,
    kind: rule.kind,
    title: title(rule, group, rows.length, context.params),
    eventIds,
    firstSeen: times[0] ?? '',
    lastSeen: times.at(-1) ?? '',
    direction,
    eventSources: unique(apiRows.map((r) => r['event_source']).filter((s): s is string => typeof s === 'string')),
    credentials,
    sources,
    flows,
    evidence,
    windows,
    signals,
  };
}

function detailOf(r: Row): string | undefined {
  if (String(r['source_ref'] ?? '').startsWith('flow:')) {
    const flow = `${r['remote']} → ${r['local']} ${r['handshake']}, ${r['packets']} packets, ${r['bytes']} bytes`;
    return r['attribution_reason'] ? `${flow}; ${r['attribution']}: ${r['attribution_reason']}` : flow;
  }
  return [r['rule'], r['error_code'] ? `error ${r['error_code']}` : null, r['not_fronting']].filter(Boolean).join('; ') || undefined;
}

/** The title template over the finding's own rows (`group`; `count` also counts the related rows). */
function title(rule: FindingRule, group: readonly Row[], count: number, params: Readonly<Record<string, unknown>>): string {
  return rule.title.replace(/\{\{\s*(\$?[A-Za-z_][A-Za-z0-9_]*(?:\[\])?)\s*\}\}/g, (_, name: string) => {
    if (name === 'rows') return String(count);
    if (name.endsWith('[]')) {
      const column = name.slice(0, -2);
      return unique(group.map((r) => r[column]).filter((v) => v !== null && v !== undefined).map(String)).sort(compareText).join(', ');
    }
    if (name.startsWith('$')) return String(params[name.slice(1)] ?? '');
    return String(group[0]?.[name] ?? '');
  });
}

export function keyKind(accessKeyId: string | null): Credentials['keyKind'] {
  if (!accessKeyId) return 'none';
  if (accessKeyId.startsWith('AKIA')) return 'long-term';
  if (accessKeyId.startsWith('ASIA')) return 'session';
  return 'none';
}

function isServiceName(value: string): boolean {
  return /\.amazonaws\.com$/i.test(value) || value === 'AWS Internal';
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function dedupe(rows: readonly Row[]): Row[] {
  return [...new Set(rows)];
}

/** A short stable id from the group key (FNV-1a), so finding ids do not change between runs. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

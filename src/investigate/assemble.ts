import type { Row } from '../engines/engine.js';
import type { FindingRule } from '../runbook/schema.js';
import type { Credentials, Direction, EvidenceRow, Finding, FlowSummary, SourceAssessment } from '../report/contract.js';
import type { StepRows } from './steps.js';
import { compareText } from '../text.js';

/**
 * Rows → findings, pure. Each finding rule groups its step's rows (of its kind) by the groupBy
 * columns; related steps attach their rows on equal `on` columns. The contract fields are then
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
  judge(value: string, at: string | null, principalArn?: string): SourceAssessment;
  isApprovedPrincipal(arn: string): boolean;
  params: Readonly<Record<string, unknown>>;
}

/** What the decision tree tests beyond the contract fields: facts derived from the evidence, each explainable. */
export interface FindingSignals {
  internetExposed: boolean;
  callerSuspicious: boolean;
  peerSuspicious: boolean;
  acceptedExternal: boolean;
  approvedPrincipal: boolean;
  instanceCredentialsOutside: boolean;
  consoleWithoutMfa: boolean;
}

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
    for (const [key, group] of groups) {
      // A related row belongs when each `on` column equals that column in some row of the group.
      const related = (rule.related ?? []).flatMap((link) => {
        const valuesOf = new Map(link.on.map((column) => [column, new Set(group.map((g) => g[column]))] as const));
        return (steps.get(link.step) ?? []).filter(
          (candidate) => candidate !== undefined && link.on.every((column) => candidate[column] !== null && candidate[column] !== undefined && valuesOf.get(column)!.has(candidate[column])),
        );
      });
      const evidenceRows = dedupe([...group, ...related]).sort((a, b) => compareText(String(a['ts']), String(b['ts'])));
      out.push(buildFinding(rule, `${rule.id}:${hash(key)}`, group[0]!, evidenceRows, context));
    }
  }
  return out;
}

function buildFinding(rule: FindingRule, id: string, first: Row, rows: Row[], context: AssembleContext): AssembledFinding {
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
  for (const r of apiRows.filter((row) => row === keyRow || row['change'] !== 'close')) addSource(r, 'api-caller');
  for (const r of flowRows) addSource(r, 'connection-peer');
  function addSource(row: Row, role: SourceAssessment['role']): void {
    const ip = row['source_ip'];
    if (typeof ip !== 'string') return;
    // An API caller is judged with its principal (an approved CI role from a runner's changing
    // address is allowed); the same address with another verdict is listed again, never hidden.
    const principal = role === 'api-caller' ? (context.identities.get(String(row['source_ref']))?.arn ?? undefined) : undefined;
    const assessment = context.judge(ip, typeof row['ts'] === 'string' ? row['ts'] : null, principal);
    const key = `${role}|${ip}|${assessment.verdict}`;
    if (seen.has(key)) return;
    seen.add(key);
    sources.push({ ...assessment, role });
  }

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

  const callerSuspicious = sources.some((s) => s.role === 'api-caller' && s.verdict === 'suspicious');
  const approvedPrincipal = identity?.arn ? context.isApprovedPrincipal(identity.arn) : false;
  const signals: FindingSignals = {
    internetExposed: apiRows.some((r) => r['internet_exposed'] === true && r['change'] === 'open'),
    callerSuspicious,
    peerSuspicious: sources.some((s) => s.role === 'connection-peer' && s.verdict === 'suspicious'),
    acceptedExternal: accepted.some((r) => verdictOf(r['source_ip']) !== 'allowed'),
    approvedPrincipal,
    instanceCredentialsOutside: !!identity?.instanceCredentials && sources.some((s) => s.role === 'api-caller' && s.verdict !== 'allowed' && !isServiceName(s.ip)),
    consoleWithoutMfa: identity?.via === 'console' && identity.mfa === false,
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
    title: title(rule, first, rows.length, context.params),
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
    return `${r['remote']} → ${r['local']} ${r['handshake']}, ${r['packets']} packets, ${r['bytes']} bytes`;
  }
  return [r['rule'], r['error_code'] ? `error ${r['error_code']}` : null].filter(Boolean).join('; ') || undefined;
}

function title(rule: FindingRule, row: Row, count: number, params: Readonly<Record<string, unknown>>): string {
  return rule.title.replace(/\{\{\s*(\$?[A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    if (name === 'rows') return String(count);
    if (name.startsWith('$')) return String(params[name.slice(1)] ?? '');
    return String(row[name] ?? '');
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

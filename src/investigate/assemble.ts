import type { Row } from '../engines/engine.js';
import { conditionHolds } from '../decide/evaluate.js';
import type { Condition } from '../decide/tree-schema.js';
import type { Credentials, Direction, EvidenceRow, Finding, FlowSummary, SourceAssessment } from '../report/contract.js';
import type { FindingRule } from '../runbook/schema.js';
import { compareText } from '../text.js';
import { evidenceOf, keyKind } from './enrich.js';
import type { CallerIdentity } from './identities.js';
import type { StepRows } from './steps.js';

/**
 * Rows → findings, for any runbook (pure). A finding rule takes the rows of one step that meet
 * its `where`, groups them by its `groupBy` columns (and into bursts in time when it says so),
 * attaches the related rows of other steps, and the contract fields are read off the rows by
 * their shared columns: CloudTrail eventIDs, times, direction, event sources, the credentials
 * of the rule's credentials row, every party with its verdict (the columns `enrich.ts` added),
 * the connections' totals. Nothing here knows which runbook it serves.
 */
export interface AssembleContext {
  identities: ReadonlyMap<string, CallerIdentity>;
  params: Readonly<Record<string, unknown>>;
}

export interface AssembledFinding {
  finding: Omit<Finding, 'decision' | 'signals'>;
  /** The finding's rows in time order, each a copy carrying `party` and `credentials_row`. */
  rows: Row[];
}

export function assembleFindings(rules: readonly FindingRule[], steps: StepRows, context: AssembleContext): AssembledFinding[] {
  const out: AssembledFinding[] = [];
  for (const rule of rules) {
    const rows = (steps.get(rule.step) ?? []).filter((r) => rule.where === undefined || holds(rule.where, r, context.params));
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
          (candidate) =>
            candidate !== undefined &&
            link.on.every((column) => candidate[column] !== null && candidate[column] !== undefined && valuesOf.get(column)!.has(candidate[column])),
        );
      });
      const evidenceRows = dedupe([...group, ...related]).sort((a, b) => compareText(String(a['ts']), String(b['ts'])));
      out.push(buildFinding(rule, `${rule.id}:${hash(key)}`, group, evidenceRows, context));
    }
  }
  return out;
}

function holds(condition: Condition, row: Row, params: Readonly<Record<string, unknown>>): boolean {
  return conditionHolds(condition, row, params);
}

/**
 * A group as bursts: rows in time order, a new burst where a row's `ts` follows the previous one
 * by more than `burst.gapMinutes`. Without `burst`, the group is one finding. A burst's key adds
 * its first time, so each finding keeps a stable id.
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

function buildFinding(rule: FindingRule, id: string, group: readonly Row[], sorted: Row[], context: AssembleContext): AssembledFinding {
  const params = context.params;
  const apiRows = sorted.filter((r) => evidenceOf(r) === 'cloudtrail');
  // The rule says whose credentials the finding carries (the first opening change, not the later
  // close that was the response); without a match, the first CloudTrail row's.
  const keyRow = (rule.credentials ? apiRows.find((r) => holds(rule.credentials!, r, params)) : undefined) ?? apiRows[0];
  const isParty = (r: Row) => r === keyRow || rule.parties === undefined || holds(rule.parties, r, params);
  const rows: Row[] = sorted.map((r) => ({
    ...r,
    party:
      isParty(r) && typeof r['source_ip'] === 'string'
        ? evidenceOf(r) === 'flow'
          ? 'connection-peer'
          : evidenceOf(r) === 'cloudtrail'
            ? 'api-caller'
            : null
        : null,
    credentials_row: r === keyRow,
  }));
  const api = rows.filter((r) => evidenceOf(r) === 'cloudtrail');
  const flowRows = rows.filter((r) => evidenceOf(r) === 'flow');
  const times = rows
    .flatMap((r) => [r['ts'], r['last_seen']])
    .filter((t): t is string => typeof t === 'string')
    .sort();
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

  // Parties: API callers first, then connection peers; the same address with another verdict is
  // listed again, never hidden.
  const sources: SourceAssessment[] = [];
  const seen = new Set<string>();
  for (const role of ['api-caller', 'connection-peer'] as const) {
    for (const r of rows) {
      if (r['party'] !== role || typeof r['source_verdict'] !== 'string') continue;
      const ip = String(r['source_ip']);
      const key = `${role}|${ip}|${r['source_verdict']}`;
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push({
        ip,
        verdict: r['source_verdict'] as SourceAssessment['verdict'],
        reasons: [...((r['source_reasons'] as string[] | undefined) ?? [])],
        role,
      });
    }
  }

  const verdictOf = (ip: unknown) => sources.find((s) => s.ip === ip && s.role === 'connection-peer')?.verdict;
  const flows: FlowSummary = {
    connections: flowRows.length,
    acceptedConnections: flowRows.filter((r) => r['accepted'] === true).length,
    bytes: flowRows.reduce((n, r) => n + (Number(r['bytes']) || 0), 0),
    externalPeers: new Set(flowRows.map((r) => r['source_ip']).filter((ip) => verdictOf(ip) !== 'allowed')).size,
  };

  const directions = new Set(
    (flowRows.length ? flowRows : api).map((r) => r['direction']).filter((d): d is 'inbound' | 'outbound' => d === 'inbound' || d === 'outbound'),
  );
  const direction: Direction | null = directions.size === 2 ? 'both' : directions.size === 1 ? [...directions][0]! : null;

  const evidence: EvidenceRow[] = rows.map((r) => {
    const row: EvidenceRow = {
      ts: String(r['ts'] ?? ''),
      actor: textOrNull(r['actor']),
      source_ip: textOrNull(r['source_ip']),
      action: String(r['action'] ?? ''),
      resource: textOrNull(r['resource']),
      account_id: textOrNull(r['account_id']),
      region: textOrNull(r['region']),
      source_ref: String(r['source_ref'] ?? ''),
    };
    if (typeof r['detail'] === 'string' && r['detail'] !== '') row.detail = r['detail'];
    return row;
  });

  // Rows that opened a window (the exposures step marks them) give the finding's timeline.
  const windows = api
    .filter((r) => r['opens_window'] === true)
    .map((open) => ({
      resource: String(open['resource']),
      openedAt: String(open['ts']),
      closedAt: (open['window_closed_at'] as string | null) ?? null,
      rule: String(open['rule']),
    }));

  return {
    finding: {
      id,
      kind: rule.kind,
      ...(rule.label ? { label: rule.label } : {}),
      title: title(rule.title, group, rows.length, params),
      eventIds: unique(api.map((r) => String(r['source_ref']))),
      firstSeen: times[0] ?? '',
      lastSeen: times.at(-1) ?? '',
      direction,
      eventSources: unique(api.map((r) => r['event_source']).filter((s): s is string => typeof s === 'string')),
      credentials,
      sources,
      flows,
      evidence,
      windows,
    },
    rows,
  };
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * A template over the finding's own rows (`group`; `count` also counts the related rows):
 * `{{column}}`, `{{column[]}}` (distinct values), `{{$param}}`, `{{rows}}`, `{{rows|one|many}}`;
 * `{{column ?? words}}` gives the words where the value is missing, so a title never reads
 * "at  with" when a log did not carry the field.
 */
export function title(template: string, group: readonly Row[], count: number, params: Readonly<Record<string, unknown>>): string {
  return template.replace(TEMPLATE_PLACEHOLDER, (_, name: string, one?: string, many?: string, fallback?: string) => {
    const value = placeholderValue(name, one, many, group, count, params);
    return value === '' && fallback !== undefined ? fallback : value;
  });
}

const TEMPLATE_PLACEHOLDER = /\{\{\s*(\$?[A-Za-z_][A-Za-z0-9_]*(?:\[\])?)(?:\|([^|}]*)\|([^|}]*))?(?:\s*\?\?\s*([^}]*?))?\s*\}\}/g;

function placeholderValue(
  name: string,
  one: string | undefined,
  many: string | undefined,
  group: readonly Row[],
  count: number,
  params: Readonly<Record<string, unknown>>,
): string {
  if (name === 'rows') return one !== undefined ? (count === 1 ? one : many!) : String(count);
  if (name.endsWith('[]')) {
    const column = name.slice(0, -2);
    return unique(
      group
        .map((r) => r[column])
        .filter((v) => v !== null && v !== undefined)
        .map(String),
    )
      .sort(compareText)
      .join(', ');
  }
  if (name.startsWith('$')) return String(params[name.slice(1)] ?? '');
  return String(group[0]?.[name] ?? '');
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

import { exposureSource } from '../store/exposure-copy.js';
import { keptExposureEvents } from './exposure-changes.js';
import { historyBounds, type Engine } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { timeBound } from '../time.js';
import { changeMatchesPort, type ExposureChange } from './change.js';
import {
  candidateSqlWith,
  carryColumns,
  EARLIEST,
  LATEST,
  normalizeCandidates,
  type CandidateRow,
  type CarryColumn,
  type NormalizedEvent,
} from './candidates.js';
import { aclWindows, type AclWindows } from './acl-windows.js';
import { EXPOSURE_EVENT_NAMES } from './normalize/index.js';
import { DEFAULT_PORT_PROTOCOL, protocolAnswers, type PortProtocol } from './protocol.js';
import { buildWindows, openWindowsIndex, windowMatchesPort, type ExposureWindow, type OpenWindowsIndex } from './windows.js';

export { candidateSql, candidateSqlWith, CARRY_COLUMNS, type CandidateRow, type CarryColumn } from './candidates.js';

export interface ExposureQuery {
  /** Only changes that touch this port (and attaches of groups open on it); all when absent. */
  port?: number;
  /** The transport of the port question (DEFAULT_PORT_PROTOCOL, tcp, when absent); ignored without `port`. */
  protocol?: PortProtocol;
  /** ISO-8601 bounds, inclusive. */
  from?: string;
  to?: string;
  /** Further columns to read with the candidates and return on `rows` (e.g. for the callers' identities). */
  carry?: readonly CarryColumn[];
}

export interface ExposureResult {
  changes: ExposureChange[];
  windows: ExposureWindow[];
  /** Candidate events up to `to` (the judged population). */
  candidates: number;
  /**
   * The candidate rows up to `to`, in time order: the columns the judgement reads plus `carry`,
   * less `requestparameters` and `responseelements` (the changes say what those held).
   */
  rows: CandidateRow[];
}

/** ISO-8601 text comparable with CloudTrail's `eventtime` (`2024-08-01T12:23:55Z`). */
export function normalizeTimeBound(value: string, name: string): string {
  // The one time grammar (src/time.ts): zone-less is UTC whatever the machine's TZ.
  return timeBound(value, `--${name}`).iso;
}

/**
 * Exposure changes and windows from `cloudtrail_logs`. Windows need history: a rule opened
 * before `from` and still open is part of the answer, so every candidate up to `to` is judged,
 * and only the output is limited to the time range (changes inside it, windows overlapping it).
 * A local store answers from the changes it keeps (ports/exposure-changes.ts) when they are
 * current; otherwise the candidate rows are read and judged now. Both give the same result.
 */
export async function findExposures(engine: Engine, query: ExposureQuery = {}): Promise<ExposureResult> {
  const from = query.from ? normalizeTimeBound(query.from, 'from') : EARLIEST;
  const to = query.to ? normalizeTimeBound(query.to, 'to') : LATEST;
  const carry = carryColumns(query.carry ?? []);
  const events = (await keptExposureEvents(engine, to, carry)) ?? (await judgeCandidates(engine, { from: query.from ? from : undefined, to }, carry));
  const all = events.flatMap((e) => e.changes);
  // Network ACL entries are evaluated in rule-number order for the port (acl-windows.ts); every
  // other resource is replayed by rule content and slot.
  // A network ACL is evaluated per transport (a deny of tcp/8443 does not stop udp/8443).
  const transport = query.protocol ?? DEFAULT_PORT_PROTOCOL;
  const acl = aclWindows(all, { ...(query.port === undefined ? {} : { port: query.port }), protocols: transport === 'any' ? ['tcp', 'udp'] : [transport] });
  const windows = mergeByOpening(buildWindows(all.filter((c) => c.resourceType !== 'network-acl')), acl.windows);
  // Indexes over the windows, so judging each change does not scan every window.
  const closedBy = new Map<ExposureChange, ExposureWindow[]>();
  for (const w of windows) {
    if (w.closed === null) continue;
    const list = closedBy.get(w.closed);
    if (list) list.push(w);
    else closedBy.set(w.closed, [w]);
  }
  const openAt = openWindowsIndex(windows);

  const question = query.port === undefined ? undefined : { port: query.port, protocol: query.protocol ?? DEFAULT_PORT_PROTOCOL };
  const inRange = (time: string | null) => time !== null && time >= from && time <= to;
  const changes: ExposureChange[] = [];
  for (const change of all) {
    if (!inRange(change.eventTime)) continue;
    if (change.groupIds !== null) {
      const judged = judgeAttach(change, openAt, question);
      if (query.port === undefined || judged.admitsPort) changes.push(judged.change);
    } else if (touchesPort(change, closedBy, question)) {
      changes.push(change.resourceType === 'network-acl' ? judgeAclEntry(change, acl, query.port) : change);
    }
  }
  const overlapping = windows.filter(
    (w) =>
      (w.opened.eventTime ?? '') <= to && (w.closed === null || (w.closed.eventTime ?? '') >= from) && (question === undefined || windowAnswers(w, question)),
  );
  return { changes, windows: overlapping, candidates: events.length, rows: events.map((e) => e.row) };
}

/** Windows of both replays in the order they opened (stable: each list is already in that order). */
function mergeByOpening(a: readonly ExposureWindow[], b: readonly ExposureWindow[]): ExposureWindow[] {
  if (b.length === 0) return [...a];
  const out: ExposureWindow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && (a[i]!.opened.eventTime ?? '') <= (b[j]!.opened.eventTime ?? ''));
    out.push(takeA ? a[i++]! : b[j++]!);
  }
  return out;
}

/**
 * An ACL allow entry is internet-exposed only when, for the port, it opened an internet-wide
 * window: a lower-numbered entry may decide its addresses first. Said in `why` either way.
 */
function judgeAclEntry(change: ExposureChange, acl: AclWindows, port: number | undefined): ExposureChange {
  if (change.action !== 'open') return change;
  const shadow = acl.shadowed.get(change);
  if (shadow !== undefined) return { ...change, internetExposed: false, why: `${change.why}; shadowed: ${shadow}` };
  if (port === undefined) return change;
  const internetExposed = acl.openedBy.get(change)?.internetExposed ?? false;
  return internetExposed === change.internetExposed
    ? change
    : { ...change, internetExposed, why: `${change.why}; for port ${port}, lower-numbered entries leave less than a broad range of the internet allowed` };
}

/**
 * Whether a rule change concerns the port: its own range, or — for a close that names a slot or
 * a whole resource and no ports — the windows it ended (`closedBy`: windows by the change that closed them).
 */
function touchesPort(change: ExposureChange, closedBy: ReadonlyMap<ExposureChange, readonly ExposureWindow[]>, question: PortQuestion | undefined): boolean {
  if (question === undefined) return true;
  if (change.protocol !== null) return changeMatchesPort(change, question.port) && protocolAnswers(change.protocol, question.protocol);
  return (closedBy.get(change) ?? []).some((w) => windowAnswers(w, question));
}

/** The port asked about and its transport. */
interface PortQuestion {
  port: number;
  protocol: PortProtocol;
}

/** A window on the port whose protocol answers the question (a UDP rule never answers a TCP one). */
function windowAnswers(window: ExposureWindow, question: PortQuestion): boolean {
  return windowMatchesPort(window, question.port) && protocolAnswers(window.protocol, question.protocol);
}

/**
 * An attach opens what its groups admit at that moment. The groups' open ingress windows (from
 * the events read) are named in `why`; the attach is internet-exposed when one of them is.
 */
function judgeAttach(change: ExposureChange, openAt: OpenWindowsIndex, question: PortQuestion | undefined): { change: ExposureChange; admitsPort: boolean } {
  const admitted = openAt(change.groupIds ?? [], change.eventTime ?? '').filter(
    (w) => w.direction === 'ingress' && (question === undefined || windowAnswers(w, question)),
  );
  if (admitted.length === 0) {
    const why = `${change.why}; no open ingress rule of these groups${question === undefined ? '' : ` on ${question.protocol === 'any' ? '' : `${question.protocol} `}port ${question.port}`} was seen in the events read`;
    return { change: { ...change, why }, admitsPort: false };
  }
  const words = admitted.map(
    (w) =>
      `${w.resource} admitted ${w.protocol} ${w.fromPort === null ? 'all ports' : `${w.fromPort}-${w.toPort}`} from ${w.peer.value} (event ${w.opened.eventId})`,
  );
  const internetExposed = change.action === 'attach' && admitted.some((w) => w.internetExposed);
  return { change: { ...change, internetExposed, why: `${change.why}; at that time ${words.join(', ')}` }, admitsPort: true };
}

/**
 * The candidates read and judged now. Every candidate is read, whatever `to`, because the
 * directions of rules come from all of them (see `normalizeCandidates`); only those up to `to`
 * are returned. A local store reads them from its narrow copy (store/exposure-copy.ts). An engine
 * over the bucket reads the history its dialect bounds (`historyBounds`: Athena, docs/athena.md).
 */
async function judgeCandidates(engine: Engine, window: { from?: string; to: string }, carry: readonly CarryColumn[]): Promise<NormalizedEvent[]> {
  const source = await exposureSource(engine, EXPOSURE_EVENT_NAMES);
  const to = window.to;
  const { rows } = await engine.all(candidateSqlWith(carry, source), historyBounds(engine.dialect, window));
  return normalizeCandidates(rows).filter((e) => e.row.eventtime !== null && e.row.eventtime <= to);
}

/** Flat columns of `port_exposures`, one row per change. */
export const PORT_EXPOSURE_COLUMNS = [
  ['event_id', 'VARCHAR'],
  ['event_time', 'VARCHAR'],
  ['action', 'VARCHAR'],
  ['resource', 'VARCHAR'],
  ['resource_type', 'VARCHAR'],
  ['direction', 'VARCHAR'],
  ['protocol', 'VARCHAR'],
  ['from_port', 'INTEGER'],
  ['to_port', 'INTEGER'],
  ['peer_kind', 'VARCHAR'],
  ['peer', 'VARCHAR'],
  ['internet_exposed', 'BOOLEAN'],
  ['rule_key', 'VARCHAR'],
  ['group_ids', 'VARCHAR'],
  ['actor', 'VARCHAR'],
  ['access_key_id', 'VARCHAR'],
  ['source_ip', 'VARCHAR'],
  ['event_source', 'VARCHAR'],
  ['event_name', 'VARCHAR'],
  ['region', 'VARCHAR'],
  ['account_id', 'VARCHAR'],
  ['error_code', 'VARCHAR'],
  ['why', 'VARCHAR'],
] as const;

export function changeRow(change: ExposureChange): Record<string, string | number | boolean | null> {
  return {
    event_id: change.eventId,
    event_time: change.eventTime,
    action: change.action,
    resource: change.resource,
    resource_type: change.resourceType,
    direction: change.direction,
    protocol: change.protocol,
    from_port: change.fromPort,
    to_port: change.toPort,
    peer_kind: change.peer.kind,
    peer: change.peer.value,
    internet_exposed: change.internetExposed,
    rule_key: change.ruleKey,
    group_ids: change.groupIds ? change.groupIds.join(',') : null,
    actor: change.actor,
    access_key_id: change.accessKeyId,
    source_ip: change.sourceIp,
    event_source: change.eventSource,
    event_name: change.eventName,
    region: change.region,
    account_id: change.accountId,
    error_code: change.errorCode,
    why: change.why,
  };
}

export const PORT_EXPOSURE_WINDOW_COLUMNS = [
  ['resource', 'VARCHAR'],
  ['resource_type', 'VARCHAR'],
  ['direction', 'VARCHAR'],
  ['protocol', 'VARCHAR'],
  ['from_port', 'INTEGER'],
  ['to_port', 'INTEGER'],
  ['peer_kind', 'VARCHAR'],
  ['peer', 'VARCHAR'],
  ['internet_exposed', 'BOOLEAN'],
  ['opened_at', 'VARCHAR'],
  ['opened_by_event', 'VARCHAR'],
  ['opened_by', 'VARCHAR'],
  ['closed_at', 'VARCHAR'],
  ['closed_by_event', 'VARCHAR'],
  ['closed_by', 'VARCHAR'],
  ['closed_how', 'VARCHAR'],
  ['state', 'VARCHAR'],
] as const;

export function windowRow(window: ExposureWindow): Record<string, string | number | boolean | null> {
  return {
    resource: window.resource,
    resource_type: window.resourceType,
    direction: window.direction,
    protocol: window.protocol,
    from_port: window.fromPort,
    to_port: window.toPort,
    peer_kind: window.peer.kind,
    peer: window.peer.value,
    internet_exposed: window.internetExposed,
    opened_at: window.opened.eventTime,
    opened_by_event: window.opened.eventId,
    opened_by: window.opened.actor,
    closed_at: window.closed?.eventTime ?? null,
    closed_by_event: window.closed?.eventId ?? null,
    closed_by: window.closed?.actor ?? null,
    closed_how: window.closedHow,
    state: window.closed ? 'closed' : 'open',
  };
}

/**
 * Writes `port_exposures` (changes) and `port_exposure_windows` into the local store, replacing
 * earlier results. Values are bound parameters, never spliced into the SQL text.
 */
export async function materializeExposures(engine: DuckDBEngine, query: ExposureQuery = {}): Promise<ExposureResult> {
  const result = await findExposures(engine, query);
  await writeTable(engine, 'port_exposures', PORT_EXPOSURE_COLUMNS, result.changes.map(changeRow));
  await writeTable(engine, 'port_exposure_windows', PORT_EXPOSURE_WINDOW_COLUMNS, result.windows.map(windowRow));
  return result;
}

async function writeTable(
  engine: DuckDBEngine,
  table: string,
  columns: readonly (readonly [string, string])[],
  rows: Record<string, string | number | boolean | null>[],
): Promise<void> {
  await engine.run(`CREATE OR REPLACE TABLE ${table} (${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  const insert = `INSERT INTO ${table} VALUES (${columns.map(([n]) => `$${n}`).join(', ')})`;
  await engine.run('BEGIN TRANSACTION');
  try {
    for (const row of rows) await engine.run(insert, row);
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

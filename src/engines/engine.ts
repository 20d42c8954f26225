/**
 * One interface, several implementations: embedded DuckDB now, Athena later. Runbook SQL is
 * written once against the Athena-compatible tables; what differs between engines is recorded
 * as data in a Dialect, never as `if (engine === ...)` branches in callers.
 */
import type { SqlFamily } from './dialects.js';

export type ParamValue = string | number | boolean | null;
/** Named parameters, bound by the engine (`$port` in DuckDB, `?` positions in Athena). Never spliced into SQL text. */
export type Params = Record<string, ParamValue>;

/** A result row with JSON-friendly values: strings, numbers, booleans, null, nested objects/arrays. Timestamps are ISO-8601 UTC strings. */
export type Row = Record<string, unknown>;

export interface Dialect {
  /** The SQL the engine speaks; what differs between families is the table in dialects.ts, applied by `translateSql`. */
  readonly family: SqlFamily;
  /** How a named parameter is written in SQL text for this engine, e.g. `$port` or `?`. */
  readonly parameterStyle: 'dollar-named' | 'positional';
  /** True when the engine has the Athena/Trino functions natively (no macros needed). */
  readonly nativeAthenaFunctions: boolean;
  /** True when `cloudtrail_logs` is backed by an ingested local store (ledger, incremental ingest). */
  readonly localStore: boolean;
  /**
   * How many days before the run's window a query that needs history reads (exposure openings,
   * rule directions, interface groups): null reads the whole trail up to the end of time, as a
   * local store does from its narrow copies. An engine over the bucket bounds it, because there
   * every day read is a billed scan (docs/athena.md, "History"). See `historyBounds`.
   */
  readonly historyDays: number | null;
}

/** ISO-8601 bounds that let every event through (the candidate queries' open window). */
export const EARLIEST = '0000-01-01T00:00:00Z';
export const LATEST = '9999-12-31T23:59:59Z';

/**
 * `$from`/`$to` for a query that needs history, on `dialect`: everything when `historyDays` is
 * null; else from `historyDays` before the window's start (everything before, when it has none) to
 * the window's end — history after the window changes nothing asked about it.
 */
export function historyBounds(dialect: Dialect, window: { from?: string; to?: string }): { from: string; to: string } {
  if (dialect.historyDays === null) return { from: EARLIEST, to: LATEST };
  const start = window.from === undefined ? Number.NaN : Date.parse(window.from);
  const from = Number.isFinite(start) ? new Date(start - dialect.historyDays * 86_400_000).toISOString().replace('.000Z', 'Z') : EARLIEST;
  return { from, to: window.to ?? LATEST };
}

export interface QueryResult {
  columns: string[];
  rows: Row[];
  /** The engine's type name of each column, when it says (DuckDB does). */
  types?: string[];
}

export interface Engine {
  readonly name: string;
  readonly dialect: Dialect;
  /** Streams rows; consumers that need everything use `collect()`. */
  query(sql: string, params?: Params): AsyncIterable<Row>;
  /** Runs a query and returns its column names (in order) and all rows. */
  all(sql: string, params?: Params): Promise<QueryResult>;
  close(): Promise<void>;
}

export async function collect(rows: AsyncIterable<Row>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

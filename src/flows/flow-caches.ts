import type { Engine, Params } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { addressesInEveryRecordSql, FLOW_RECORD_COLUMNS, FLOW_RECORD_ORDER } from './records-sql.js';
import { readMeta, writeMeta } from '../store/meta.js';

/**
 * The flow caches a local store keeps beside `vpc_flow_records` (ARCHITECTURE.md, "The
 * investigation"; brought up to date through caches/store.ts, read by find.ts), so a warm `investigate` reads a few blocks instead of every block of the
 * table. Flow records are stored in file order, so every block holds every port and every
 * interface: a filter on the port skips nothing, and the records on it (one in ten thousand) each
 * cost a decompressed block of every column read.
 *
 * - `vpc_flow_port_records`: each record once per port it has (its source port, and its
 *   destination port when that differs), with the port first and the columns the judgement reads,
 *   appended in port order; `port = P` then reads the blocks of P alone (zone maps). Its rows for
 *   P are what `portRecordsSql` returns for P.
 * - `vpc_flow_interface_addresses`: for every interface, the addresses present in every one of
 *   its records (`addressesInEveryRecordSql` over the whole table). It answers for a time range
 *   only when the range lets every record through (`addressesCover`); otherwise the records are
 *   read as before.
 *
 * Both are caches: used only while `trailbook_meta` proves them computed from the table as it is
 * (rows are only ever appended, so rowids are dense and the rows not yet covered are
 * `rowid >= covered`), brought up to date after an ingest that stored flow records and on every
 * writable open, never wrong when missing or behind (the records are read from the table).
 */
export const FLOW_PORT_TABLE = 'vpc_flow_port_records';
export const FLOW_ADDRESSES_TABLE = 'vpc_flow_interface_addresses';
const META_KEY = 'flow-caches';
/** Bump when what the tables hold changes: a store's caches of another version are rebuilt. */
const VERSION = 1;

interface FlowCacheState {
  version: number;
  /** Rows of `vpc_flow_records` covered. */
  rows: number;
  /** Over the records the address summary counts: the least `end`, the greatest `start`, and how many lack either. */
  minEnd: number | null;
  maxStart: number | null;
  untimed: number;
}

/** The records of `vpc_flow_logs` (the table's `_kind = 'vpc'` rows) from rowid `$covered` on. */
const NEW_RECORDS = `(SELECT * FROM vpc_flow_records WHERE _kind = 'vpc' AND rowid >= $covered)`;

const DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${FLOW_PORT_TABLE} AS SELECT srcport AS port, ${FLOW_RECORD_COLUMNS} FROM vpc_flow_logs LIMIT 0`,
  `CREATE TABLE IF NOT EXISTS ${FLOW_ADDRESSES_TABLE} (interface_id VARCHAR, address VARCHAR)`,
];

/** The records on `$port` from the port-ordered copy, in the order `portRecordsSql` gives them. */
export function cachedPortRecordsSql(timeSql: string): string {
  return `SELECT ${FLOW_RECORD_COLUMNS} FROM ${FLOW_PORT_TABLE} WHERE port = $port${timeSql} ORDER BY ${FLOW_RECORD_ORDER}`;
}

export interface FlowCaches {
  /** Whether the address summary answers for these bounds (epoch seconds): every record passes them. */
  addressesCover(from: Params[string] | undefined, to: Params[string] | undefined): boolean;
}

async function readState(engine: Engine): Promise<FlowCacheState | null> {
  const value = await readMeta(engine, META_KEY);
  if (value === null) return null;
  const state = JSON.parse(value) as Partial<FlowCacheState>;
  return state.version === VERSION && typeof state.rows === 'number' ? (state as FlowCacheState) : null;
}

async function recordTableSize(engine: Engine): Promise<{ rows: number; dense: boolean }> {
  const { rows } = await engine.all('SELECT count(*) AS n, coalesce(max(rowid) + 1, 0) AS next FROM vpc_flow_records');
  const n = Number(rows[0]?.['n'] ?? 0);
  return { rows: n, dense: Number(rows[0]?.['next'] ?? 0) === n };
}

async function currentState(engine: Engine): Promise<FlowCacheState | null> {
  const state = await readState(engine);
  if (state === null) return null;
  const size = await recordTableSize(engine);
  return size.dense && size.rows === state.rows ? state : null;
}

/** The caches when the engine is a local store and they are current; null otherwise (read the table). */
export async function flowCaches(engine: Engine): Promise<FlowCaches | null> {
  if (!engine.dialect.localStore) return null;
  const state = await currentState(engine);
  if (state === null) return null;
  return {
    addressesCover: (from, to) =>
      (from === undefined || (state.untimed === 0 && (state.minEnd === null || state.minEnd >= Number(from)))) &&
      (to === undefined || (state.untimed === 0 && (state.maxStart === null || state.maxStart <= Number(to)))),
  };
}

/** Whether `syncFlowCaches` would change nothing. */
export async function flowCachesCurrent(engine: Engine): Promise<boolean> {
  return (await currentState(engine)) !== null;
}

/**
 * Creates the caches if missing and brings them up to date with `vpc_flow_records`, in one
 * transaction (a no-op when current): the new records are appended to the port copy in port
 * order, and the address summary is counted again over the whole table (an address is in every
 * record of an interface only if it is in every old and every new one, but counting again is
 * one scan of two columns, and cannot drift).
 */
export async function syncFlowCaches(engine: DuckDBEngine): Promise<void> {
  for (const statement of DDL) await engine.run(statement);
  await engine.run('BEGIN TRANSACTION');
  try {
    const state = await readState(engine);
    const size = await recordTableSize(engine);
    let covered = state?.rows ?? -1;
    if (covered < 0 || covered > size.rows || !size.dense) {
      await engine.run(`DELETE FROM ${FLOW_PORT_TABLE}`);
      covered = 0;
    }
    if (covered < size.rows || state === null) {
      await engine.run(
        `INSERT INTO ${FLOW_PORT_TABLE}
         SELECT port, ${FLOW_RECORD_COLUMNS} FROM (
           SELECT srcport AS port, ${FLOW_RECORD_COLUMNS} FROM ${NEW_RECORDS} WHERE srcport IS NOT NULL
           UNION ALL
           SELECT dstport AS port, ${FLOW_RECORD_COLUMNS} FROM ${NEW_RECORDS} WHERE dstport IS NOT NULL AND dstport IS DISTINCT FROM srcport
         ) ORDER BY port, ${FLOW_RECORD_ORDER}`,
        { covered },
      );
      await engine.run(`DELETE FROM ${FLOW_ADDRESSES_TABLE}`);
      await engine.run(`INSERT INTO ${FLOW_ADDRESSES_TABLE} SELECT interface_id, address FROM (${addressesInEveryRecordSql('')})`);
      const { rows } = await engine.all(
        `SELECT min("end") AS min_end, max(start) AS max_start, count(*) FILTER (WHERE start IS NULL OR "end" IS NULL) AS untimed
         FROM vpc_flow_logs WHERE srcaddr <> '' AND dstaddr <> ''`,
      );
      const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
      const next: FlowCacheState = {
        version: VERSION,
        rows: size.rows,
        minEnd: number(rows[0]?.['min_end']),
        maxStart: number(rows[0]?.['max_start']),
        untimed: Number(rows[0]?.['untimed'] ?? 0),
      };
      await writeMeta(engine, META_KEY, JSON.stringify(next));
    }
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

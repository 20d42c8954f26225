import type { Engine, Params } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { readMeta, writeMeta } from '../store/meta.js';
import { addressesInEveryRecordSql } from './records-sql.js';

/**
 * The flow cache a local store keeps beside `vpc_flow_records` (ARCHITECTURE.md, "The
 * investigation"; brought up to date through caches/store.ts, read by find.ts):
 * `vpc_flow_interface_addresses`, for every interface the addresses present in every one of its
 * records (an interface with none has one row with a null address). The direction inference of
 * `findConnections` asks exactly that of the interfaces on the port; without the cache it reads
 * every record of those interfaces, spread over every block of the table. The cache answers for a
 * time range only when the range lets every record through (`addressesCover`); otherwise the
 * records are read as before.
 *
 * An address is in every record of an interface exactly when it is in every record of each batch
 * appended, so the cache is brought up to date from the new rows alone: their own addresses,
 * intersected with what the cache held. It is used only while `trailbook_meta` proves it computed
 * from the table as it is (rows are only ever appended, so rowids are dense and the rows not yet
 * covered are `rowid >= covered`), after an ingest that stored flow records and on every writable
 * open; missing or behind, the records are read.
 */
export const FLOW_ADDRESSES_TABLE = 'vpc_flow_interface_addresses';
const META_KEY = 'flow-caches';
/** Bump when what the table holds changes: a store's cache of another version is rebuilt. */
const VERSION = 2;

interface FlowCacheState {
  version: number;
  /** Rows of `vpc_flow_records` covered. */
  rows: number;
  /** Over the records the addresses are counted from: the least `end`, the greatest `start`, and how many lack either. */
  minEnd: number | null;
  maxStart: number | null;
  untimed: number;
}

/** The records of `vpc_flow_logs` (the table's `_kind = 'vpc'` rows) from rowid `$covered` on. */
const NEW_RECORDS = `(SELECT * FROM vpc_flow_records WHERE _kind = 'vpc' AND rowid >= $covered)`;
const BATCH = 'flow_addresses_batch';

const DDL = `CREATE TABLE IF NOT EXISTS ${FLOW_ADDRESSES_TABLE} (interface_id VARCHAR, address VARCHAR)`;

export interface FlowCaches {
  /** Whether the address cache answers for these bounds (epoch seconds): every record passes them. */
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

/** The cache when the engine is a local store and it is current; null otherwise (read the table). */
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

/** The cached addresses of the interfaces in `interfaceList` (bound parameters), as `interfaceAddressesSql` gives them. */
export function cachedInterfaceAddressesSql(interfaceList: string): string {
  return `SELECT interface_id, address FROM ${FLOW_ADDRESSES_TABLE} WHERE interface_id IN (${interfaceList}) AND address IS NOT NULL ORDER BY interface_id, address`;
}

/**
 * Creates the cache if missing and brings it up to date with `vpc_flow_records`, in one
 * transaction (a no-op when current): the new rows' addresses in every record, per interface,
 * intersected with the cached ones of interfaces seen before.
 */
export async function syncFlowCaches(engine: DuckDBEngine): Promise<void> {
  await engine.run(DDL);
  await engine.run('BEGIN TRANSACTION');
  try {
    const state = await readState(engine);
    const size = await recordTableSize(engine);
    let covered = state?.rows ?? -1;
    let kept: FlowCacheState | null = state;
    if (covered < 0 || covered > size.rows || !size.dense) {
      await engine.run(`DELETE FROM ${FLOW_ADDRESSES_TABLE}`);
      covered = 0;
      kept = null;
    }
    if (covered < size.rows || state === null) {
      await mergeNewRecords(engine, covered);
      const { rows } = await engine.all(
        `SELECT min("end") AS min_end, max(start) AS max_start, count(*) FILTER (WHERE start IS NULL OR "end" IS NULL) AS untimed
         FROM ${NEW_RECORDS} WHERE srcaddr <> '' AND dstaddr <> ''`,
        { covered },
      );
      const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
      const least = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
      const most = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
      const next: FlowCacheState = {
        version: VERSION,
        rows: size.rows,
        minEnd: least(kept?.minEnd ?? null, number(rows[0]?.['min_end'])),
        maxStart: most(kept?.maxStart ?? null, number(rows[0]?.['max_start'])),
        untimed: (kept?.untimed ?? 0) + Number(rows[0]?.['untimed'] ?? 0),
      };
      await writeMeta(engine, META_KEY, JSON.stringify(next));
    }
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/** The new rows' addresses in every record (a null address: none), merged into the cache by intersection. */
async function mergeNewRecords(engine: DuckDBEngine, covered: number): Promise<void> {
  const common = addressesInEveryRecordSql('', NEW_RECORDS);
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE ${BATCH} AS
     WITH seen AS (SELECT DISTINCT interface_id FROM ${NEW_RECORDS} WHERE srcaddr <> '' AND dstaddr <> '' AND interface_id IS NOT NULL),
     common AS (SELECT interface_id, address FROM (${common}))
     SELECT s.interface_id, c.address FROM seen s LEFT JOIN common c ON c.interface_id = s.interface_id`,
    { covered },
  );
  const cached = FLOW_ADDRESSES_TABLE;
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE ${BATCH}_merged AS
     WITH both_kept AS (
       SELECT c.interface_id, c.address FROM ${cached} c JOIN ${BATCH} b ON c.interface_id = b.interface_id AND c.address = b.address
     )
     SELECT interface_id, address FROM ${BATCH} WHERE interface_id NOT IN (SELECT interface_id FROM ${cached})
     UNION ALL
     SELECT interface_id, address FROM both_kept
     UNION ALL
     SELECT DISTINCT interface_id, NULL FROM ${cached}
     WHERE interface_id IN (SELECT interface_id FROM ${BATCH}) AND interface_id NOT IN (SELECT interface_id FROM both_kept)`,
  );
  await engine.run(`DELETE FROM ${cached} WHERE interface_id IN (SELECT interface_id FROM ${BATCH})`);
  await engine.run(`INSERT INTO ${cached} SELECT interface_id, address FROM ${BATCH}_merged`);
  await engine.run(`DROP TABLE ${BATCH}`);
  await engine.run(`DROP TABLE ${BATCH}_merged`);
}

import type { Engine } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { sqlList } from '../ports/candidates.js';
import { EXPOSURE_EVENT_NAMES } from '../ports/normalize/index.js';
import { TOPOLOGY_EVENT_NAMES } from '../topology/membership.js';
import { addRawEventTimeSql, CLOUDTRAIL_EVENTS_COLUMNS, cloudTrailLogsViewSql, createTableSql } from './schema.js';

/**
 * A narrow copy of the events the port semantics read (`EXPOSURE_EVENT_NAMES`, ~0.35% of a
 * typical trail; and the membership events of src/topology, `TOPOLOGY_EVENT_NAMES`), kept beside
 * `cloudtrail_events` so that `findExposures` on a warm store reads a
 * few thousand rows instead of decompressing every block of the wide columns: those events are
 * spread over the whole table, so a filter on `eventname` alone cannot skip any block (1M
 * events: ~1 s in a fresh process, ~25 ms from the copy).
 *
 * The copy is a cache and is only used when it is provably current: `trailbook_meta` records
 * which event names it holds and how many rows of `cloudtrail_events` it covers (rows are only
 * ever appended, so rowids are dense and the rows not yet covered are `rowid >= covered`). A
 * writable open and every ingest bring it up to date; a read-only store whose copy is missing
 * or behind is read the slow way, never wrongly.
 */
export const EXPOSURE_COPY_TABLE = 'cloudtrail_exposure_events';
export const EXPOSURE_COPY_VIEW = 'cloudtrail_exposure_logs';
const META_KEY = 'exposure-copy';

interface CopyState {
  names: string;
  rows: number;
}

/** The exposure candidates and the events that say which groups an interface carries (src/topology). */
const COPIED_NAMES = [...new Set([...EXPOSURE_EVENT_NAMES, ...TOPOLOGY_EVENT_NAMES])].sort();
const NAMES = COPIED_NAMES.join(',');
const NAME_LIST = sqlList(COPIED_NAMES);

/** The statements that create the copy (and `trailbook_meta`): part of the store's layout. */
export const EXPOSURE_COPY_DDL: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS trailbook_meta (key VARCHAR, value VARCHAR)',
  createTableSql(EXPOSURE_COPY_TABLE, CLOUDTRAIL_EVENTS_COLUMNS),
  addRawEventTimeSql(EXPOSURE_COPY_TABLE),
  cloudTrailLogsViewSql(EXPOSURE_COPY_VIEW, EXPOSURE_COPY_TABLE),
];

/**
 * Makes the next sync rebuild the copy from scratch: after rows of `cloudtrail_events` were
 * rewritten in place (store/event-times.ts), which appending cannot notice.
 */
export async function forgetExposureCopy(engine: DuckDBEngine): Promise<void> {
  const { rows } = await engine.all(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'trailbook_meta'`);
  if (Number(rows[0]?.['n'] ?? 0) > 0) await engine.run('DELETE FROM trailbook_meta WHERE key = $key', { key: META_KEY });
}

export async function installExposureCopy(engine: DuckDBEngine): Promise<void> {
  for (const statement of EXPOSURE_COPY_DDL) await engine.run(statement);
  await syncExposureCopy(engine);
}

/** The text `trailbook_meta` keeps under `key`, or null. */
export async function readMeta(engine: Engine, key: string): Promise<string | null> {
  const { rows } = await engine.all('SELECT value FROM trailbook_meta WHERE key = $key', { key });
  const value = rows[0]?.['value'];
  return typeof value === 'string' ? value : null;
}

/** Replaces what `trailbook_meta` keeps under `key` (inside the caller's transaction). */
export async function writeMeta(engine: DuckDBEngine, key: string, value: string): Promise<void> {
  await engine.run('DELETE FROM trailbook_meta WHERE key = $key', { key });
  await engine.run('INSERT INTO trailbook_meta VALUES ($key, $value)', { key, value });
}

async function readState(engine: Engine): Promise<CopyState | null> {
  const value = await readMeta(engine, META_KEY);
  if (value === null) return null;
  const state = JSON.parse(value) as Partial<CopyState>;
  return typeof state.names === 'string' && typeof state.rows === 'number' ? { names: state.names, rows: state.rows } : null;
}

async function tableSize(engine: Engine): Promise<{ rows: number; dense: boolean }> {
  const { rows } = await engine.all('SELECT count(*) AS n, coalesce(max(rowid) + 1, 0) AS next FROM cloudtrail_events');
  const n = Number(rows[0]?.['n'] ?? 0);
  return { rows: n, dense: Number(rows[0]?.['next'] ?? 0) === n };
}

/** Brings the copy up to date with `cloudtrail_events` (one transaction; a no-op when current). */
export async function syncExposureCopy(engine: DuckDBEngine): Promise<void> {
  await engine.run('BEGIN TRANSACTION');
  try {
    const state = await readState(engine);
    const size = await tableSize(engine);
    let covered = state?.names === NAMES ? state.rows : -1;
    // Other names, rows removed, or rowids with gaps: rebuild from scratch (never happens through ingest).
    if (covered < 0 || covered > size.rows || !size.dense) {
      await engine.run(`DELETE FROM ${EXPOSURE_COPY_TABLE}`);
      await engine.run(`INSERT INTO ${EXPOSURE_COPY_TABLE} SELECT * FROM cloudtrail_events WHERE eventname IN (${NAME_LIST})`);
      covered = size.rows;
    } else if (covered < size.rows) {
      await engine.run(`INSERT INTO ${EXPOSURE_COPY_TABLE} SELECT * FROM cloudtrail_events WHERE rowid >= $covered AND eventname IN (${NAME_LIST})`, {
        covered,
      });
      covered = size.rows;
    }
    if (state?.names !== NAMES || state.rows !== covered) {
      await writeMeta(engine, META_KEY, JSON.stringify({ names: NAMES, rows: covered }));
    }
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/**
 * The relation `findExposures` reads its candidates from: the copy's Athena-shaped view when the
 * engine keeps a local store and the copy is current, else `cloudtrail_logs` itself.
 */
export async function exposureSource(engine: Engine): Promise<string> {
  if (!engine.dialect.localStore) return 'cloudtrail_logs';
  try {
    const state = await readState(engine);
    if (state?.names !== NAMES) return 'cloudtrail_logs';
    const size = await tableSize(engine);
    return size.dense && size.rows === state.rows ? EXPOSURE_COPY_VIEW : 'cloudtrail_logs';
  } catch {
    return 'cloudtrail_logs'; // a store written before the copy existed, opened read-only
  }
}

import type { Engine } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { META_DDL, readMeta, writeMeta } from './meta.js';
import { addRawEventTimeSql, CLOUDTRAIL_EVENTS_COLUMNS, cloudTrailLogsViewSql, createTableSql } from './schema.js';
import { sqlList } from './sql.js';

/**
 * A narrow copy of the events of a few names (the events the port semantics read, ~0.35% of a
 * typical trail, and the membership events of src/topology: the list is given by caches/, which
 * keeps the copy up to date), kept beside `cloudtrail_events` so that `findExposures` on a warm
 * store reads a few thousand rows instead of decompressing every block of the wide columns: those
 * events are spread over the whole table, so a filter on `eventname` alone cannot skip any block
 * (1M events: ~1 s in a fresh process, ~25 ms from the copy).
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

/** The names as the copy's state records them: sorted, without repeats, joined by commas. */
function namesKey(names: readonly string[]): string {
  return [...new Set(names)].sort().join(',');
}

/** The statements that create the copy (and `trailbook_meta`): part of the store's layout. */
export const EXPOSURE_COPY_DDL: readonly string[] = [
  META_DDL,
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

/** Creates the copy if missing and brings it up to date, holding the events named `names`. */
export async function installExposureCopy(engine: DuckDBEngine, names: readonly string[]): Promise<void> {
  for (const statement of EXPOSURE_COPY_DDL) await engine.run(statement);
  await syncExposureCopy(engine, names);
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

/**
 * Brings the copy up to date with `cloudtrail_events`, holding the events named `names` (one
 * transaction; a no-op when current; rebuilt when it held other names).
 */
export async function syncExposureCopy(engine: DuckDBEngine, names: readonly string[]): Promise<void> {
  const key = namesKey(names);
  const list = sqlList(key.split(','));
  await engine.run('BEGIN TRANSACTION');
  try {
    const state = await readState(engine);
    const size = await tableSize(engine);
    let covered = state?.names === key ? state.rows : -1;
    // Other names, rows removed, or rowids with gaps: rebuild from scratch (never happens through ingest).
    if (covered < 0 || covered > size.rows || !size.dense) {
      await engine.run(`DELETE FROM ${EXPOSURE_COPY_TABLE}`);
      await engine.run(`INSERT INTO ${EXPOSURE_COPY_TABLE} SELECT * FROM cloudtrail_events WHERE eventname IN (${list})`);
      covered = size.rows;
    } else if (covered < size.rows) {
      await engine.run(`INSERT INTO ${EXPOSURE_COPY_TABLE} SELECT * FROM cloudtrail_events WHERE rowid >= $covered AND eventname IN (${list})`, {
        covered,
      });
      covered = size.rows;
    }
    if (state?.names !== key || state.rows !== covered) {
      await writeMeta(engine, META_KEY, JSON.stringify({ names: key, rows: covered }));
    }
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/**
 * The relation to read the events named `names` from: the copy's Athena-shaped view when the
 * engine keeps a local store and the copy is current and holds every event of those names,
 * else `cloudtrail_logs` itself. (`findExposures` reads its candidates, `findMembership` its
 * membership events this way.)
 */
export async function exposureSource(engine: Engine, names: readonly string[]): Promise<string> {
  return (await copyHolds(engine, (held) => names.every((name) => held.includes(name)))) ? EXPOSURE_COPY_VIEW : 'cloudtrail_logs';
}

/**
 * Whether the copy is current and holds exactly the events named `names`: what a sync with
 * those names would leave unchanged (a store that needs no writable open, store/layout.ts).
 */
export async function exposureCopyCurrent(engine: Engine, names: readonly string[]): Promise<boolean> {
  const wanted = namesKey(names);
  return copyHolds(engine, (_held, key) => key === wanted);
}

async function copyHolds(engine: Engine, namesFit: (held: readonly string[], key: string) => boolean): Promise<boolean> {
  if (!engine.dialect.localStore) return false;
  try {
    const state = await readState(engine);
    if (state === null || !namesFit(state.names.split(','), state.names)) return false;
    const size = await tableSize(engine);
    return size.dense && size.rows === state.rows;
  } catch {
    return false; // a store written before the copy existed, opened read-only
  }
}

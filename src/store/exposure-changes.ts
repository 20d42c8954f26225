import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { CARRY_COLUMNS, candidateSqlWith, EARLIEST, LATEST, normalizeCandidates, type CarryColumn, type NormalizedEvent } from '../ports/candidates.js';
import { judgementFingerprint } from '../ports/fingerprint.js';
import { EXPOSURE_COPY_TABLE, EXPOSURE_COPY_VIEW, exposureSource, installExposureCopy, readMeta, syncExposureCopy, writeMeta } from './exposure-copy.js';
import { CODEC_DIGEST, decodeChunk, encodeChunk } from './exposure-entries.js';
import { cloudTrailLogsViewSql } from './schema.js';

/**
 * The exposure changes of every event of the exposure copy, judged once and kept, so that a
 * warm `findExposures` parses JSON text instead of converting and normalising thousands of rows
 * on every run (1M events: ~0.4 s of a fresh process's ~1.1 s; the share grows with the trail).
 * What stays per run is what depends on the question: the windows, the port, the time range.
 *
 * The events are kept in candidate order (eventtime, eventid), in chunks of `CHUNK` events: a
 * chunk is the JSON text of its `NormalizedEvent`s (the row, less the request and response, with
 * every carryable column; and its changes), written compactly by store/exposure-entries.ts, so a
 * read is a few large strings in chunk order — no sort, no per-event value conversion (an ordered
 * `string_agg` over one row per event took 0.24 s of 0.46 s at 5M events). Like the copy it is a
 * cache, trusted only when `trailbook_meta` proves it current: computed from the copy as it is now
 * (row count and a digest of the rows' keys), read through the same view definition, by this very
 * judging code (`judgementFingerprint`) and chunk codec, in this table layout (`FORMAT`).
 * Otherwise findExposures judges the rows itself, as without a cache.
 */
export const EXPOSURE_CHANGES_TABLE = 'cloudtrail_exposure_changes';
const META_KEY = 'exposure-changes';
const CHUNK = 2000;

/** The layout of the table; a store with another is recomputed. */
const FORMAT = 3;

/**
 * What the kept changes were computed from, written as JSON in a fixed key order: they are
 * trusted only when the text kept in `trailbook_meta` equals the text of the state now.
 */
interface ChangesState {
  format: number;
  copyRows: number;
  copyDigest: string;
  /** The judging code (`judgementFingerprint`). */
  code: string;
  /** The Athena-shaped view the rows were read through: its definition shapes every kept row. */
  view: string;
  /** The code that writes and reads a chunk's text (store/exposure-entries.ts). */
  codec: string;
}

const VIEW_DIGEST = createHash('sha256').update(cloudTrailLogsViewSql(EXPOSURE_COPY_VIEW, EXPOSURE_COPY_TABLE)).digest('hex').slice(0, 32);

/** On a writable open: the copy and the kept changes, created if missing and brought up to date. */
export async function installExposureCaches(engine: DuckDBEngine): Promise<void> {
  await installExposureCopy(engine);
  await syncExposureChanges(engine);
}

/** After an ingest added events: the copy first, then the changes judged from it. */
export async function syncExposureCaches(engine: DuckDBEngine): Promise<void> {
  await syncExposureCopy(engine);
  await syncExposureChanges(engine);
}

/** The state the kept changes must have been computed from to be trusted now, as kept. */
async function wantedState(engine: Engine): Promise<string> {
  const { rows } = await engine.all(
    `SELECT count(*) AS n, CAST(coalesce(bit_xor(hash(_key, eventid, eventtime, eventname)), 0) AS VARCHAR) AS digest FROM ${EXPOSURE_COPY_TABLE}`,
  );
  const state: ChangesState = { format: FORMAT, copyRows: Number(rows[0]?.['n'] ?? 0), copyDigest: String(rows[0]?.['digest'] ?? ''), code: judgementFingerprint(), view: VIEW_DIGEST, codec: CODEC_DIGEST };
  return JSON.stringify(state);
}

/**
 * Recomputes the kept changes when the copy or the judging code differs from what they were
 * computed from (a no-op otherwise). Whole, not incrementally: a new event can give an older
 * `ModifySecurityGroupRules` its direction. The copy must be up to date first.
 */
async function syncExposureChanges(engine: DuckDBEngine): Promise<void> {
  const wanted = await wantedState(engine);
  if ((await readMeta(engine, META_KEY)) === wanted) return;
  const { rows } = await engine.all(candidateSqlWith(CARRY_COLUMNS, EXPOSURE_COPY_VIEW), { from: EARLIEST, to: LATEST });
  const events = normalizeCandidates(rows);
  await engine.run('BEGIN TRANSACTION');
  try {
    // Replaced, not emptied: the table's layout follows FORMAT.
    await engine.run(`CREATE OR REPLACE TABLE ${EXPOSURE_CHANGES_TABLE} (chunk INTEGER, first_time VARCHAR, last_time VARCHAR, events INTEGER, entries VARCHAR)`);
    // Through the appender (it joins the open transaction): one bound list of all the entries ran
    // out of memory under ingest's cap at 5M events (35 MB of text, parsed whole by DuckDB).
    const appender = await engine.connection.createAppender(EXPOSURE_CHANGES_TABLE);
    try {
      for (let start = 0, chunk = 0; start < events.length; start += CHUNK, chunk++) {
        const part = events.slice(start, start + CHUNK);
        appender.appendInteger(chunk);
        appender.appendVarchar(String(part[0]!.row.eventtime));
        appender.appendVarchar(String(part.at(-1)!.row.eventtime));
        appender.appendInteger(part.length);
        appender.appendVarchar(encodeChunk(part));
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
    await writeMeta(engine, META_KEY, wanted);
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/** Whether the kept changes are provably what judging the store's events now would give. */
export async function exposureChangesCurrent(engine: Engine): Promise<boolean> {
  if (!engine.dialect.localStore) return false;
  try {
    if ((await exposureSource(engine)) !== EXPOSURE_COPY_VIEW) return false;
    return (await readMeta(engine, META_KEY)) === (await wantedState(engine));
  } catch {
    return false; // a store from before the kept changes, opened read-only
  }
}

/**
 * The candidate events up to `to` with their changes, as `findExposures` would judge them now,
 * from the kept changes; null when they are not provably current (or the engine keeps no store).
 * Rows keep only the carried columns asked for, as the candidate query would have read them.
 */
export async function keptExposureEvents(engine: Engine, to: string, carry: readonly CarryColumn[]): Promise<NormalizedEvent[] | null> {
  if (!(await exposureChangesCurrent(engine))) return null;
  // Chunks in order hold the events in the candidate query's order; the chunk that straddles
  // `to` is cut in JavaScript, with the comparison the judging path uses.
  const { rows } = await engine.all(`SELECT entries FROM ${EXPOSURE_CHANGES_TABLE} WHERE first_time <= $to ORDER BY chunk`, { to });
  const events: NormalizedEvent[] = [];
  for (const row of rows) {
    for (const event of decodeChunk(String(row['entries']))) if (event.row.eventtime !== null && event.row.eventtime <= to) events.push(event);
  }
  const unasked = CARRY_COLUMNS.filter((c) => !carry.includes(c));
  if (unasked.length > 0) for (const { row } of events) for (const column of unasked) delete (row as Partial<Record<CarryColumn, unknown>>)[column];
  return events;
}

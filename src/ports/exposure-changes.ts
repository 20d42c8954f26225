import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { EXPOSURE_COPY_TABLE, EXPOSURE_COPY_VIEW, exposureSource } from '../store/exposure-copy.js';
import { readMeta, writeMeta } from '../store/meta.js';
import { cloudTrailLogsViewSql } from '../store/schema.js';
import { sqlList } from '../store/sql.js';
import { CARRY_COLUMNS, candidateSqlWith, EARLIEST, judgeCandidateRows, LATEST, type CarryColumn, type NormalizedEvent } from './candidates.js';
import type { Direction } from './change.js';
import { EXPOSURE_EVENT_NAMES } from './normalize/index.js';
import { judgementFingerprint } from './fingerprint.js';
import { CODEC_DIGEST, decodeChunk, encodeChunk } from './exposure-entries.js';

/**
 * The exposure changes of every event of the exposure copy (store/exposure-copy.ts), judged once and kept, so that a
 * warm `findExposures` parses JSON text instead of converting and normalising thousands of rows
 * on every run (1M events: ~0.4 s of a fresh process's ~1.1 s; the share grows with the trail).
 * What stays per run is what depends on the question: the windows, the port, the time range.
 *
 * The events are kept in candidate order (eventtime, eventid), in chunks of `CHUNK` events: a
 * chunk is the JSON text of its `NormalizedEvent`s (the row, less the request and response, with
 * every carryable column; and its changes), written compactly by ports/exposure-entries.ts, so a
 * read is a few large strings in chunk order — no sort, no per-event value conversion (an ordered
 * `string_agg` over one row per event took 0.24 s of 0.46 s at 5M events). Like the copy it is a
 * cache, trusted only when `trailbook_meta` proves it current: computed from the copy as it is now
 * (row count and a digest of the rows' keys), read through the same view definition, by this very
 * judging code (`judgementFingerprint`) and chunk codec, in this table layout (`FORMAT`).
 * Otherwise findExposures judges the rows itself, as without a cache.
 */
export const EXPOSURE_CHANGES_TABLE = 'cloudtrail_exposure_changes';
const META_KEY = 'exposure-changes';
const RULES_KEY = 'exposure-changes-rules';
const CHUNK = 2000;

/** The layout of the table and its metadata; a store with another is recomputed. */
const FORMAT = 4;

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
  /** The code that writes and reads a chunk's text (ports/exposure-entries.ts). */
  codec: string;
}

const VIEW_DIGEST = createHash('sha256').update(cloudTrailLogsViewSql(EXPOSURE_COPY_VIEW, EXPOSURE_COPY_TABLE)).digest('hex').slice(0, 32);

/** How `syncExposureChanges` found the kept changes: current, extended by the new events, or judged again whole. */
export type KeptChangesUpdate = 'current' | 'appended' | 'recomputed';

/** The state the kept changes must have been computed from to be trusted now, as kept. */
async function wantedState(engine: Engine): Promise<string> {
  const state: ChangesState = { format: FORMAT, ...(await copyState(engine)), code: judgementFingerprint(), view: VIEW_DIGEST, codec: CODEC_DIGEST };
  return JSON.stringify(state);
}

/** Row count and key digest of the copy, or of its first `rows` rows (the copy only grows). */
async function copyState(engine: Engine, rows?: number): Promise<Pick<ChangesState, 'copyRows' | 'copyDigest'>> {
  const where = rows === undefined ? '' : ' WHERE rowid < $rows';
  const result = await engine.all(
    `SELECT count(*) AS n, CAST(coalesce(bit_xor(hash(_key, eventid, eventtime, eventname)), 0) AS VARCHAR) AS digest FROM ${EXPOSURE_COPY_TABLE}${where}`,
    rows === undefined ? undefined : { rows },
  );
  return { copyRows: Number(result.rows[0]?.['n'] ?? 0), copyDigest: String(result.rows[0]?.['digest'] ?? '') };
}

/**
 * What the next ingest needs to judge only its own events: the rule directions learned so far and
 * the rule ids a `ModifySecurityGroupRules` asked for in vain, for the state they belong to.
 */
interface RuleMemory {
  state: string;
  directions: [string, Direction][];
  unresolved: string[];
}

/**
 * Brings the kept changes up to date with the copy (a no-op when they are). When the new events
 * of the copy all come after the kept ones and change nothing that was judged before (no rule
 * created that an earlier `ModifySecurityGroupRules` asked for or created otherwise), only they
 * are judged and appended; otherwise everything is judged again. Either way the table ends as a
 * whole recomputation would leave it (tested). The copy must be up to date first.
 */
export async function syncExposureChanges(engine: DuckDBEngine): Promise<KeptChangesUpdate> {
  const wanted = await wantedState(engine);
  const kept = await readMeta(engine, META_KEY);
  if (kept === wanted) return 'current';
  // Appending is only a shortcut: whatever stands in its way (a table missing or damaged, which a
  // recomputation replaces) leaves the whole judgement to do, which fails loudly if it must.
  if (kept !== null && (await appendNewEvents(engine, kept, wanted).catch(() => false))) return 'appended';
  const { rows } = await engine.all(candidateSqlWith(CARRY_COLUMNS, EXPOSURE_COPY_VIEW), { from: EARLIEST, to: LATEST });
  const judged = judgeCandidateRows(rows);
  await inTransaction(engine, async () => {
    // Replaced, not emptied: the table's layout follows FORMAT.
    await engine.run(
      `CREATE OR REPLACE TABLE ${EXPOSURE_CHANGES_TABLE} (chunk INTEGER, first_time VARCHAR, last_time VARCHAR, events INTEGER, entries VARCHAR)`,
    );
    await appendChunks(engine, 0, judged.events);
    await writeState(engine, wanted, judged.ruleDirections, judged.unresolved);
  });
  return 'recomputed';
}

/** The new events of the copy judged and appended, when that gives what a recomputation would; false otherwise (nothing written). */
async function appendNewEvents(engine: DuckDBEngine, keptText: string, wantedText: string): Promise<boolean> {
  const kept = JSON.parse(keptText) as ChangesState;
  const wanted = JSON.parse(wantedText) as ChangesState;
  const sameJudge = kept.format === wanted.format && kept.code === wanted.code && kept.view === wanted.view && kept.codec === wanted.codec;
  if (!sameJudge || !Number.isSafeInteger(kept.copyRows) || kept.copyRows >= wanted.copyRows) return false;
  // The rows judged before are still there, unchanged, first.
  const prefix = await copyState(engine, kept.copyRows);
  if (prefix.copyRows !== kept.copyRows || prefix.copyDigest !== kept.copyDigest) return false;
  const memory = await readRuleMemory(engine);
  if (memory?.state !== keptText) return false;

  const last = await engine.all(`SELECT chunk, entries FROM ${EXPOSURE_CHANGES_TABLE} ORDER BY chunk DESC LIMIT 1`);
  const lastChunk = last.rows[0] ? { chunk: Number(last.rows[0]['chunk']), events: decodeChunk(String(last.rows[0]['entries'])) } : { chunk: 0, events: [] };
  const lastRow = lastChunk.events.at(-1)?.row;

  // The new rows of the copy, read through the same Athena-shaped view as all of them would be.
  const view = 'cloudtrail_exposure_new';
  await engine.run(cloudTrailLogsViewSql(view, `(SELECT * FROM ${EXPOSURE_COPY_TABLE} WHERE rowid >= ${kept.copyRows})`, { temporary: true }));
  try {
    // In candidate order the new events must all come after the last kept one (else they would be
    // interleaved with kept chunks), and none may lack the order's keys.
    if (lastRow) {
      const before = await engine.all(
        `SELECT count(*) AS n FROM ${view} WHERE eventname IN (${sqlList(EXPOSURE_EVENT_NAMES)}) AND eventtime IS NOT NULL
           AND (eventid IS NULL OR eventtime < $time OR (eventtime = $time AND eventid <= $id))`,
        { time: lastRow.eventtime, id: lastRow.eventid },
      );
      if (lastRow.eventtime === null || lastRow.eventid === null || Number(before.rows[0]?.['n']) > 0) return false;
    }
    const { rows } = await engine.all(candidateSqlWith(CARRY_COLUMNS, view), { from: EARLIEST, to: LATEST });
    const known = new Map(memory.directions);
    const askedInVain = new Set(memory.unresolved);
    const judged = judgeCandidateRows(rows, known);
    // A rule the new events created (or created again otherwise) would change earlier judgements.
    for (const [id, direction] of judged.ruleDirections) {
      const before = known.get(id);
      if (before === undefined ? askedInVain.has(id) : before !== direction) return false;
    }
    await inTransaction(engine, async () => {
      await engine.run(`DELETE FROM ${EXPOSURE_CHANGES_TABLE} WHERE chunk >= $chunk`, { chunk: lastChunk.chunk });
      await appendChunks(engine, lastChunk.chunk, [...lastChunk.events, ...judged.events]);
      await writeState(engine, wantedText, judged.ruleDirections, new Set([...askedInVain, ...judged.unresolved]));
    });
    return true;
  } finally {
    await engine.run(`DROP VIEW IF EXISTS ${view}`);
  }
}

async function inTransaction(engine: DuckDBEngine, work: () => Promise<void>): Promise<void> {
  await engine.run('BEGIN TRANSACTION');
  try {
    await work();
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/** Events as chunks of `CHUNK`, numbered from `first`, through the appender (it joins the open transaction). */
async function appendChunks(engine: DuckDBEngine, first: number, events: readonly NormalizedEvent[]): Promise<void> {
  // One bound list of all the entries ran out of memory under ingest's cap at 5M events (35 MB
  // of text, parsed whole by DuckDB); the appender does not.
  const appender = await engine.connection.createAppender(EXPOSURE_CHANGES_TABLE);
  try {
    for (let start = 0, chunk = first; start < events.length; start += CHUNK, chunk++) {
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
}

async function writeState(engine: DuckDBEngine, state: string, directions: ReadonlyMap<string, Direction>, unresolved: ReadonlySet<string>): Promise<void> {
  await writeMeta(engine, META_KEY, state);
  const memory: RuleMemory = { state, directions: [...directions], unresolved: [...unresolved].sort() };
  await writeMeta(engine, RULES_KEY, JSON.stringify(memory));
}

async function readRuleMemory(engine: Engine): Promise<RuleMemory | null> {
  const text = await readMeta(engine, RULES_KEY);
  return text === null ? null : (JSON.parse(text) as RuleMemory);
}

/**
 * Read-only engines whose kept changes were proven current: nothing can write the store while it
 * is open read-only (DuckDB lets one process write or several read), so the proof holds until
 * it is closed. Opening for reading proves it once, and the exposure step need not again.
 */
const provenCurrent = new WeakSet<Engine>();

/** Whether the kept changes are provably what judging the store's events now would give. */
export async function exposureChangesCurrent(engine: Engine): Promise<boolean> {
  if (!engine.dialect.localStore) return false;
  if (provenCurrent.has(engine)) return true;
  try {
    if ((await exposureSource(engine, EXPOSURE_EVENT_NAMES)) !== EXPOSURE_COPY_VIEW) return false;
    const current = (await readMeta(engine, META_KEY)) === (await wantedState(engine));
    if (current && (engine as { readOnly?: boolean }).readOnly === true) provenCurrent.add(engine);
    return current;
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

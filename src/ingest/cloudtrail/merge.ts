import { BIGINT, LIST, listValue, type DuckDBAppender } from '@duckdb/node-api';
import { duckdb } from '../../engines/duckdb/binding.js';
import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { CLOUDTRAIL_EVENTS_COLUMNS } from '../../store/schema.js';
import type { IngestSummary } from '../ingest.js';
import { appendLedger, type LedgerEntry } from '../ledger.js';
import { FIELD_SEP, NULL_MARK, ROW_SEP, type InsightRow, type RowsPart } from './file-job.js';
import type { BulkFilter } from './bulk-check.js';
import { bulkRowsSql, type BoundSql, type BulkFile } from './bulk-load.js';

/**
 * CloudTrail's side of the merges the ingest driver (ingest/ingest.ts) runs in file order: a
 * batch of whole files' packed rows (file-job.ts) and Insights events, written in one
 * transaction with the ledger rows the driver gives.
 */

/** Whole files' rows (or parts of a large one), merged in one transaction. */
export interface Batch {
  files: { seq: number; path: string }[];
  parts: Uint8Array[];
  rows: number;
  bytes: number;
  json: boolean;
  /** Some key may repeat one seen earlier in the run (or the store held events before the run). */
  check: boolean;
  insights: (InsightRow & { path: string })[];
  /** Clean files DuckDB reads itself (bulk-load.ts), in file order; a batch holds these or rows, not both. */
  bulk: BulkFile[];
}

export function newBatch(check: boolean): Batch {
  return { files: [], parts: [], rows: 0, bytes: 0, json: false, check, insights: [], bulk: [] };
}

/** What the merge of a batch with bulk files needs besides the batch. */
export interface BulkMerge {
  filter: BulkFilter;
  /**
   * The row path for a file DuckDB could not read as bulk-check.ts expected: each part but the
   * last handed to `onPart`, the last returned (file-job.ts `processFileJob` with `bulk` off).
   */
  readAsRows(file: BulkFile, onPart: (part: RowsPart) => Promise<void>): Promise<RowsPart>;
}

/** DuckDB refused a bulk load or read other rows than bulk-check.ts counted: nothing of it is kept. */
class BulkLoadRefused extends Error {}

/**
 * DuckDB's threads while it reads clean files. One: the decode workers validate the next files on
 * the other core meanwhile, and with two DuckDB keeps rows in file order by buffering them (100k
 * events: out of memory at the 256 MB cap with two threads; 150 MB, and faster, with one).
 */
const BULK_THREADS = 1;
const BULK_WARNING = 'DuckDB refused a bulk load of CloudTrail files';

const EVENT_COLUMNS = CLOUDTRAIL_EVENTS_COLUMNS.map(([name]) => name);
const STAGING = '_staging_cloudtrail';

/**
 * One transaction: the batch's events, its Insights events, and the ledger rows given;
 * 'refused' when DuckDB refused the batch's bulk load (its files were then read as rows). Rows go
 * straight into `cloudtrail_events` with DuckDB's appender (no second copy) when no key can be a
 * duplicate: the store was empty when the run began and no key hash repeated within the run.
 * Otherwise the batch is staged in a temporary table and merged with an anti-join on the key,
 * a key repeated within the batch keeping the first file's copy.
 */
export async function mergeBatch(
  engine: DuckDBEngine,
  batch: Batch,
  entries: readonly LedgerEntry[],
  summary: Pick<IngestSummary, 'events' | 'warnings'>,
  bulk?: BulkMerge,
): Promise<'refused' | 'merged'> {
  const restoreThreads = batch.bulk.length > 0 ? await useThreads(engine, BULK_THREADS) : null;
  try {
    return await inTransaction();
  } finally {
    await restoreThreads?.();
  }

  async function inTransaction(): Promise<'refused' | 'merged'> {
    await engine.run('BEGIN TRANSACTION');
    try {
      await writeRows(engine, batch, summary);
      if (batch.bulk.length > 0) await loadBulk(engine, batch, bulk!.filter, summary);
      await mergeInsights(engine, batch.insights, summary);
      await appendLedger(engine, entries, new Date());
      await engine.run('COMMIT');
      return 'merged';
    } catch (error) {
      await engine.run('ROLLBACK');
      if (!(error instanceof BulkLoadRefused)) throw error;
      // Said once: after a refusal the caller sends the files still to come to the row path.
      if (!summary.warnings.some((w) => w.startsWith(BULK_WARNING))) summary.warnings.push(`${BULK_WARNING}: ${error.message}; their files were read as rows`);
      // Every bulk file of the batch is read again as rows, in order (one transaction).
      await mergeBatch(engine, { ...batch, bulk: [] }, [], summary);
      await engine.run('BEGIN TRANSACTION');
      try {
        for (const file of batch.bulk) {
          const rowsOf = (part: RowsPart) =>
            writeRows(
              engine,
              { ...newBatch(batch.check), files: [{ seq: file.seq, path: file.path }], parts: [part.packed], rows: part.rows, json: part.json },
              summary,
            );
          await rowsOf(await bulk!.readAsRows(file, rowsOf));
        }
        await appendLedger(engine, entries, new Date());
        await engine.run('COMMIT');
        return 'refused';
      } catch (fallbackError) {
        await engine.run('ROLLBACK');
        throw fallbackError;
      }
    }
  }
}

/** A batch's packed rows, appended or merged (see mergeBatch), inside the caller's transaction. */
async function writeRows(engine: DuckDBEngine, batch: Batch, summary: Pick<IngestSummary, 'events'>): Promise<void> {
  if (batch.rows > 0) {
    if (!batch.check) {
      const appender = await engine.connection.createAppender('cloudtrail_events');
      try {
        appendBatch(appender, batch, false);
      } finally {
        appender.closeSync();
      }
      summary.events.inserted += batch.rows;
    } else {
      await engine.run(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} AS SELECT *, 0::BIGINT AS _seq, 0::BIGINT AS _ord FROM cloudtrail_events LIMIT 0`);
      await engine.run(`DELETE FROM ${STAGING}`);
      const appender = await engine.connection.createAppender(STAGING, 'main', 'temp');
      try {
        appendBatch(appender, batch, true);
      } finally {
        appender.closeSync();
      }
      await mergeStaged(engine, batch.rows, summary);
    }
  }
}

/**
 * The staged rows into `cloudtrail_events`: keys already stored are dropped, a key repeated in the
 * batch keeps its first copy, and rows are stored in file order, as appended rows are (without the
 * ORDER BY the window left them in hash order, and events of equal time and id then came out of
 * the exposure copy in an order that differed from run to run).
 */
async function mergeStaged(engine: DuckDBEngine, staged: number, summary: Pick<IngestSummary, 'events'>): Promise<void> {
  const columns = EVENT_COLUMNS.join(', ');
  const result = await engine.connection.run(
    `INSERT INTO cloudtrail_events (${columns}) SELECT ${columns} FROM ${STAGING} s
     WHERE NOT EXISTS (SELECT 1 FROM cloudtrail_events e WHERE e._key = s._key)
     QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY s._seq, s._ord) = 1
     ORDER BY s._seq, s._ord`,
  );
  const inserted = Number(result.rowsChanged);
  summary.events.inserted += inserted;
  summary.events.duplicates += staged - inserted;
  await engine.run(`DELETE FROM ${STAGING}`);
}

/**
 * The batch's clean files read by DuckDB (bulk-load.ts), one `read_json` per run of files of one
 * compression: straight into `cloudtrail_events` when no key can repeat, else staged with each
 * row's file and record position and merged as the row path merges. Throws BulkLoadRefused when
 * DuckDB fails to read them or reads another number of rows, per file, than the decode workers
 * counted (the caller rolls back and reads the files as rows).
 */
async function loadBulk(engine: DuckDBEngine, batch: Batch, filter: BulkFilter, summary: Pick<IngestSummary, 'events'>): Promise<void> {
  const expected = batch.bulk.reduce((n, f) => n + f.rows, 0);
  if (expected === 0) return;
  const groups: BulkFile[][] = [];
  for (const file of batch.bulk) {
    const last = groups.at(-1);
    if (last && last[0]!.compression === file.compression) last.push(file);
    else groups.push([file]);
  }
  const run = async (prefix: string, bound: BoundSql) => {
    try {
      return Number((await engine.connection.run(`${prefix} ${bound.sql}`, bound.values, bound.types)).rowsChanged);
    } catch (error) {
      throw new BulkLoadRefused(`DuckDB could not read the files: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  await loadGroups(engine, batch, groups, expected, filter, summary, run, EVENT_COLUMNS.join(', '));
}

/** Sets DuckDB's threads outside any transaction (a failed statement aborts it, and SET with it); returns the undo. */
async function useThreads(engine: DuckDBEngine, threads: number): Promise<() => Promise<void>> {
  const { rows } = await engine.all(`SELECT current_setting('threads') AS n`);
  const before = Number(rows[0]?.['n'] ?? 1);
  await engine.run(`SET threads = ${threads}`);
  return async () => {
    if (Number.isInteger(before) && before > 0) await engine.run(`SET threads = ${before}`);
  };
}

async function loadGroups(
  engine: DuckDBEngine,
  batch: Batch,
  groups: readonly BulkFile[][],
  expected: number,
  filter: BulkFilter,
  summary: Pick<IngestSummary, 'events'>,
  run: (prefix: string, bound: BoundSql) => Promise<number>,
  columns: string,
): Promise<void> {
  if (!batch.check) {
    let inserted = 0;
    for (const files of groups) inserted += await run(`INSERT INTO cloudtrail_events (${columns})`, bulkRowsSql(files, filter));
    if (inserted !== expected) throw new BulkLoadRefused(`DuckDB read ${inserted} events where ${expected} were counted`);
    summary.events.inserted += inserted;
    return;
  }
  await engine.run(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} AS SELECT *, 0::BIGINT AS _seq, 0::BIGINT AS _ord FROM cloudtrail_events LIMIT 0`);
  await engine.run(`DELETE FROM ${STAGING}`);
  for (const files of groups) {
    const bound = bulkRowsSql(files, filter, ['list_extract($seqs, list_position($files, filename)) AS _seq', '_ord']);
    bound.values['seqs'] = listValue(files.map((f) => BigInt(f.seq)));
    bound.types['seqs'] = LIST(BIGINT);
    await run(`INSERT INTO ${STAGING} (${columns}, _seq, _ord)`, bound);
  }
  const { rows } = await engine.all(`SELECT _file AS path, count(*) AS n FROM ${STAGING} GROUP BY _file`);
  const counted = new Map(rows.map((r) => [String(r['path']), Number(r['n'])]));
  for (const file of batch.bulk) {
    if ((counted.get(file.path) ?? 0) !== file.rows)
      throw new BulkLoadRefused(`DuckDB read ${counted.get(file.path) ?? 0} events of ${file.path} where ${file.rows} were counted`);
  }
  await mergeStaged(engine, expected, summary);
}

/** Unpacks the batch's rows (see file-job.ts) into the appender, in file order. */
function appendBatch(appender: DuckDBAppender, batch: Batch, withOrder: boolean): void {
  const paths = new Map(batch.files.map((f) => [f.seq, f.path]));
  const valueCount = EVENT_COLUMNS.length - 3;
  const appendRow = (f: readonly (string | number | null)[], marked: boolean) => {
    appender.appendVarchar(String(f[2]));
    appender.appendTimestamp(new duckdb.DuckDBTimestampValue(BigInt(Number(f[3])) * 1000n));
    appender.appendVarchar(paths.get(Number(f[0]))!);
    for (let j = 4; j < 4 + valueCount; j++) {
      const v = f[j];
      if (v === null || v === undefined || (marked && v === NULL_MARK)) appender.appendNull();
      else appender.appendVarchar(v as string);
    }
    if (withOrder) {
      appender.appendBigInt(BigInt(Number(f[0])));
      appender.appendBigInt(BigInt(Number(f[1])));
    }
    appender.endRow();
  };
  for (const part of batch.parts) {
    const text = Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('utf8');
    if (batch.json) {
      for (const row of JSON.parse(text) as (string | number | null)[][]) appendRow(row, false);
      continue;
    }
    for (const row of text.split(ROW_SEP)) appendRow(row.split(FIELD_SEP), true);
  }
}

async function mergeInsights(engine: DuckDBEngine, rows: readonly (InsightRow & { path: string })[], summary: Pick<IngestSummary, 'events'>): Promise<void> {
  for (const row of rows) {
    const before = await count(engine, 'SELECT count(*) AS n FROM cloudtrail_insights WHERE _key = $key', { key: row.key });
    if (before > 0) {
      summary.events.duplicates++;
      continue;
    }
    await engine.run(`INSERT INTO cloudtrail_insights VALUES ($k, CAST($t AS TIMESTAMP), $f, $id, $time, $src, $name, $region, $type, $record)`, {
      k: row.key,
      t: new Date(row.timeMs).toISOString().replace('Z', ''),
      f: row.path,
      id: row.eventId,
      time: row.eventTime,
      src: row.eventSource,
      name: row.eventName,
      region: row.awsRegion,
      type: row.insightType,
      record: row.record,
    });
    summary.events.insights++;
  }
}

/** The `n` of a `SELECT count(*) AS n` query. */
export async function count(engine: DuckDBEngine, sql: string, params?: Record<string, string>): Promise<number> {
  const { rows } = await engine.all(sql, params);
  return Number(rows[0]?.['n'] ?? 0);
}

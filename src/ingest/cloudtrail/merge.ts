import type { DuckDBAppender } from '@duckdb/node-api';
import { duckdb } from '../../engines/duckdb/binding.js';
import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { CLOUDTRAIL_EVENTS_COLUMNS } from '../../store/schema.js';
import type { IngestSummary } from '../ingest.js';
import { appendLedger, type LedgerEntry } from '../ledger.js';
import { FIELD_SEP, NULL_MARK, ROW_SEP, type InsightRow } from './file-job.js';

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
}

export function newBatch(check: boolean): Batch {
  return { files: [], parts: [], rows: 0, bytes: 0, json: false, check, insights: [] };
}

const EVENT_COLUMNS = CLOUDTRAIL_EVENTS_COLUMNS.map(([name]) => name);
const STAGING = '_staging_cloudtrail';

/**
 * One transaction: the batch's events, its Insights events, and the ledger rows given. Rows go
 * straight into `cloudtrail_events` with DuckDB's appender (no second copy) when no key can be a
 * duplicate: the store was empty when the run began and no key hash repeated within the run.
 * Otherwise the batch is staged in a temporary table and merged with an anti-join on the key,
 * a key repeated within the batch keeping the first file's copy.
 */
export async function mergeBatch(engine: DuckDBEngine, batch: Batch, entries: readonly LedgerEntry[], summary: Pick<IngestSummary, 'events'>): Promise<void> {
  await engine.run('BEGIN TRANSACTION');
  try {
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
        const columns = EVENT_COLUMNS.join(', ');
        const result = await engine.connection.run(
          `INSERT INTO cloudtrail_events (${columns}) SELECT ${columns} FROM ${STAGING} s
           WHERE NOT EXISTS (SELECT 1 FROM cloudtrail_events e WHERE e._key = s._key)
           QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY s._seq, s._ord) = 1`,
        );
        const inserted = Number(result.rowsChanged);
        summary.events.inserted += inserted;
        summary.events.duplicates += batch.rows - inserted;
        await engine.run(`DELETE FROM ${STAGING}`);
      }
    }
    await mergeInsights(engine, batch.insights, summary);
    await appendLedger(engine, entries, new Date());
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
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

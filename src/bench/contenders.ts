/**
 * The contenders of the CloudTrail ingest benchmark: what each one does to the same corpus and
 * what it reports. Each runs in its own process (run-one.ts), so its peak RSS is its own.
 */
import { gzipBaseline } from './gzip-baseline.js';
import { rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEngine } from '../local-store.js';
import { ingestPaths } from '../ingest/ingest.js';
import { CLASSIC_QUERY, duckdbCandidatesQuery, duckdbDirectQuery, duckdbIngestSql } from './classic.js';
import { EXPOSURE_EVENT_NAMES } from '../ports/normalize/index.js';
import { timeWriteToStoreFile } from './floor.js';

export const CONTENDERS = ['gzip', 'duckdb-direct', 'duckdb-candidates', 'duckdb-ingest', 'store-floor', 'trailbook'] as const;
export type Contender = (typeof CONTENDERS)[number];
/** The ingest benchmark's table; `duckdb-candidates` belongs to the investigate benchmark (a floor for a cold answer). */
export const INGEST_CONTENDERS: readonly Contender[] = CONTENDERS.filter((c) => c !== 'duckdb-candidates');

export interface RunResult {
  contender: Contender;
  /** Time of the measured work, inside the process (excludes Node start-up and module loading). */
  ms: number;
  /** Peak resident set of the process doing the work, bytes. */
  peakRssBytes: number | null;
  /** Rows returned by the classic query (null for gzip). */
  rows: number | null;
  /** Extra measured facts, shown as notes. */
  detail: Record<string, number | string>;
}

async function gzipFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json.gz'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function runGzip(root: string): Promise<RunResult> {
  const run = await gzipBaseline(await gzipFiles(root));
  return { contender: 'gzip', ms: run.ms, peakRssBytes: run.peakRssBytes, rows: null, detail: { files: run.files } };
}

/** A fresh in-memory DuckDB running one query over the raw files: baseline B, and the candidates' floor. */
async function runDuckdbQuery(contender: Contender, sql: string): Promise<RunResult> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(sql);
  const rows = reader.getRows().length;
  const ms = performance.now() - started;
  const version = String((await connection.runAndReadAll('SELECT version()')).getRows()[0]?.[0]);
  connection.closeSync();
  instance.closeSync();
  return { contender, ms, peakRssBytes: process.resourceUsage().maxRSS * 1024, rows, detail: { duckdb: version } };
}

/** Reference only (not a target): DuckDB loading the same files into a table of a fresh database file, then the classic query. */
async function runDuckdbIngest(root: string, db: string): Promise<RunResult> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const started = performance.now();
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  await connection.run(duckdbIngestSql(root));
  // Until the data is in the file (the close would write it otherwise), as for trailbook below.
  await connection.run('CHECKPOINT');
  const loaded = performance.now();
  const rows = (await connection.runAndReadAll(CLASSIC_QUERY)).getRows().length;
  const ms = performance.now() - started;
  connection.closeSync();
  instance.closeSync();
  return {
    contender: 'duckdb-ingest',
    ms,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rows,
    detail: { ingestMs: Math.round(loaded - started), queryMs: Math.round(ms - (loaded - started)) },
  };
}

/**
 * Reference only: the cost of storing alone. The rows of reference C are first read into an
 * in-memory table (not timed); what is timed is writing that table into a fresh database file,
 * checkpoint included: no decompression, no parsing. Any ingest that keeps every event in a
 * DuckDB store pays at least this, so its ratio to baseline B bounds trailbook's from above.
 * The process holds the whole corpus in memory by design, so its peak RSS is not comparable.
 */
async function runStoreFloor(root: string, db: string): Promise<RunResult> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(duckdbIngestSql(root));
  const events = Number((await connection.runAndReadAll('SELECT count(*) FROM cloudtrail_logs')).getRows()[0]?.[0] ?? 0);
  const ms = await timeWriteToStoreFile(connection, db, ['cloudtrail_logs']);
  connection.closeSync();
  instance.closeSync();
  return { contender: 'store-floor', ms, peakRssBytes: null, rows: null, detail: { events } };
}

async function runTrailbook(root: string, db: string): Promise<RunResult> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const started = performance.now();
  const engine = await DuckDBEngine.open({ path: db });
  // ingestPaths ends with the checkpoint that closing the store would otherwise do: timed with it.
  const summary = await ingestPaths(engine, [root], {});
  const ingested = performance.now();
  const result = await engine.all(CLASSIC_QUERY);
  const ms = performance.now() - started;
  await engine.close();
  return {
    contender: 'trailbook',
    ms,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rows: result.rows.length,
    detail: {
      ingestMs: Math.round(ingested - started),
      queryMs: Math.round(ms - (ingested - started)),
      inserted: summary.events.inserted,
      skippedEvents: summary.events.skipped,
      skippedFiles: summary.files.skipped,
      uncompressedBytes: summary.bytes.uncompressed,
    },
  };
}

export async function runContender(contender: Contender, root: string, db: string): Promise<RunResult> {
  switch (contender) {
    case 'gzip':
      return runGzip(root);
    case 'duckdb-direct':
      return runDuckdbQuery(contender, duckdbDirectQuery(root));
    case 'duckdb-candidates':
      return runDuckdbQuery(contender, duckdbCandidatesQuery(root, EXPOSURE_EVENT_NAMES));
    case 'store-floor':
      return runStoreFloor(root, db);
    case 'duckdb-ingest':
      return runDuckdbIngest(root, db);
    case 'trailbook':
      return runTrailbook(root, db);
  }
}

/**
 * The contenders of the VPC Flow Logs ingest benchmark. Each runs in its own child process
 * (flows-run-one.ts), so the peak RSS it reports is its own.
 *
 * - `gzip`: `gzip -dc` of every file to /dev/null: decompression only, the floor.
 * - `read-csv`: DuckDB reading the same files directly: the files are grouped by their header
 *   line (read here, and timed), then one `read_csv` per group with the header's columns typed as
 *   in Athena's table (`nullstr='-'`, no auto-detection), aggregating every column so that every
 *   field is parsed. In memory, all cores.
 * - `store-floor` (reference): the baseline's rows, read into an in-memory table first (not timed),
 *   written to a fresh database file with a CHECKPOINT (timed): storing alone, no reading or
 *   parsing. Any ingest that keeps every row in a DuckDB store pays at least this.
 * - `trailbook`: `ingestPaths` of the corpus folder into a fresh store file, as `trailbook ingest`
 *   does (typed rows, content keys, dedupe, line accounting, file ledger, its DuckDB settings).
 */
import { gzipBaseline } from './gzip-baseline.js';
import { rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, constants as zlib } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEngine } from '../local-store.js';
import { fieldSpec } from '../store/vpcflow-fields.js';
import { ingestPaths } from '../ingest/ingest.js';
import { timeWriteToStoreFile } from './floor.js';

export const FLOW_CONTENDERS = ['gzip', 'read-csv', 'store-floor', 'trailbook'] as const;
export type FlowContender = (typeof FLOW_CONTENDERS)[number];

export interface FlowRunResult {
  contender: FlowContender;
  /** Time of the measured work inside the process (excludes Node start-up and module loading). */
  ms: number;
  peakRssBytes: number | null;
  /** Data rows (records + NODATA + SKIPDATA) the contender read; null for gzip. */
  rows: number | null;
  detail: Record<string, number | string>;
}

export async function flowFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.log.gz'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function runGzip(root: string): Promise<FlowRunResult> {
  const run = await gzipBaseline(await flowFiles(root));
  return { contender: 'gzip', ms: run.ms, peakRssBytes: run.peakRssBytes, rows: null, detail: { files: run.files } };
}

/** The first line of a gzip file (its header), from its first 64 KiB. */
async function headerOf(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = gunzipSync(buffer.subarray(0, bytesRead), { finishFlush: zlib.Z_SYNC_FLUSH }).toString('latin1');
    return text.slice(0, text.indexOf('\n'));
  } finally {
    await handle.close();
  }
}

const SQL_TYPE = { int: 'INTEGER', bigint: 'BIGINT', string: 'VARCHAR' } as const;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The rows of one header's files, every column typed as in Athena's table. */
function readCsvRowsSql(header: string, files: readonly string[]): string {
  const names = header.trim().split(/\s+/);
  const columns = names.map((n) => `${lit(n)}: ${lit(SQL_TYPE[fieldSpec(n)?.type ?? 'string'])}`).join(', ');
  return `SELECT * FROM read_csv([${files.map(lit).join(', ')}], delim = ' ', header = true, nullstr = '-', quote = '', escape = '', auto_detect = false, columns = {${columns}})`;
}

/** The read_csv query for one header and its files: every column typed and aggregated. */
export function readCsvSql(header: string, files: readonly string[]): string {
  const names = header.trim().split(/\s+/);
  const aggregates = names.map((n) => `count(${JSON.stringify(n)})`).join(', ');
  return `SELECT count(*) AS n, ${aggregates} FROM (${readCsvRowsSql(header, files)})`;
}

/** The corpus's files grouped by their header line. */
async function headerGroups(root: string): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  for (const file of await flowFiles(root)) {
    const header = await headerOf(file);
    groups.set(header, [...(groups.get(header) ?? []), file]);
  }
  return groups;
}

async function runReadCsv(root: string): Promise<FlowRunResult> {
  const started = performance.now();
  const groups = await headerGroups(root);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let rows = 0;
  for (const [header, group] of groups) {
    const reader = await connection.runAndReadAll(readCsvSql(header, group));
    rows += Number(reader.getRows()[0]?.[0] ?? 0);
  }
  const ms = performance.now() - started;
  const version = String((await connection.runAndReadAll('SELECT version()')).getRows()[0]?.[0]);
  connection.closeSync();
  instance.closeSync();
  return { contender: 'read-csv', ms, peakRssBytes: process.resourceUsage().maxRSS * 1024, rows, detail: { formats: groups.size, duckdb: version } };
}

async function runStoreFloor(root: string, db: string): Promise<FlowRunResult> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const groups = await headerGroups(root);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let rows = 0;
  let n = 0;
  for (const [header, group] of groups) {
    await connection.run(`CREATE TABLE rows_${n++} AS ${readCsvRowsSql(header, group)}`);
  }
  const tables = Array.from({ length: n }, (_, i) => `rows_${i}`);
  for (const table of tables) rows += Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]?.[0] ?? 0);
  const ms = await timeWriteToStoreFile(connection, db, tables);
  connection.closeSync();
  instance.closeSync();
  return { contender: 'store-floor', ms, peakRssBytes: null, rows, detail: { formats: groups.size } };
}

async function runTrailbook(root: string, db: string): Promise<FlowRunResult> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const started = performance.now();
  const engine = await DuckDBEngine.open({ path: db });
  // What `trailbook ingest <root>` does: the files are flow logs by their S3 layout.
  // ingestPaths ends with the checkpoint that closing the store would otherwise do: timed with it.
  const summary = await ingestPaths(engine, [root]);
  const ingested = performance.now();
  const stored = Number((await engine.all('SELECT count(*) AS n FROM vpc_flow_records')).rows[0]?.['n'] ?? 0);
  const port8443 = Number((await engine.all('SELECT count(*) AS n FROM vpc_flow_logs WHERE dstport = 8443 OR srcport = 8443')).rows[0]?.['n'] ?? 0);
  await engine.close();
  const f = summary.flows;
  return {
    contender: 'trailbook',
    ms: ingested - started,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rows: f.records + f.nodata + f.skipdata,
    detail: {
      files: f.files,
      bulkLoaded: f.bulkLoaded,
      lines: f.lines,
      records: f.records,
      nodata: f.nodata,
      skipdata: f.skipdata,
      headers: f.headers,
      bad: f.bad,
      appended: f.appended,
      duplicates: f.duplicates,
      stored,
      port8443,
    },
  };
}

export async function runFlowContender(contender: FlowContender, root: string, db: string): Promise<FlowRunResult> {
  switch (contender) {
    case 'gzip':
      return runGzip(root);
    case 'read-csv':
      return runReadCsv(root);
    case 'store-floor':
      return runStoreFloor(root, db);
    case 'trailbook':
      return runTrailbook(root, db);
  }
}

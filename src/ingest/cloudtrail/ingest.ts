import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { CLOUDTRAIL_EVENTS_COLUMNS } from '../../store/schema.js';
import { listLocalFiles, type LocalFile } from '../../sources/local.js';
import { parseS3Layout, pruneReason, type PruneFilter } from '../../sources/s3-layout.js';
import { appendLedger, loadLedgerIndex, type LedgerEntry } from '../ledger.js';
import { decodeCloudTrailFile, type FileSkipCode, type RecordSkipCode } from './decode.js';
import { flattenEvent, isInsightsEvent, eventKey } from './flatten.js';
import { detectFlowLog, ingestFlowLogFile } from '../vpcflow/index.js';
import { installVpcFlowSchema } from '../../store/vpcflow-schema.js';
import { gunzipSync } from 'node:zlib';

export interface IngestOptions extends PruneFilter {
  /** Treat every file as a VPC flow log (`--vpcflow`); by default the kind is detected. */
  kind?: 'auto' | 'vpcflow';
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  events: number;
}

export interface SkippedFile {
  path: string;
  code: FileSkipCode | 'invalid-flow-log';
  reason: string;
}

export interface SkippedRecord {
  path: string;
  at: string;
  code: RecordSkipCode | 'invalid-flow-line';
  reason: string;
}

/**
 * What one ingest run did. The totals add up:
 *   files.seen = read + unchanged + duplicateContent + skipped + pruned
 *   events.found = accepted + skipped, accepted = inserted + duplicates + insights + filtered
 */
export interface IngestSummary {
  files: { seen: number; read: number; unchanged: number; duplicateContent: number; skipped: number; pruned: number };
  skippedFiles: SkippedFile[];
  prunedByReason: Record<string, number>;
  events: {
    found: number;
    accepted: number;
    inserted: number;
    duplicates: number;
    insights: number;
    filtered: number;
    skipped: number;
    skippedByReason: Record<string, number>;
  };
  /** The first skipped records with where they were (all of them are counted above). */
  skippedRecordSamples: SkippedRecord[];
  /**
   * VPC Flow Logs read in the same run. Per file, lines = records + nodata + skipdata + headers + bad;
   * records stored = appended + duplicates.
   */
  flows: { files: number; lines: number; records: number; nodata: number; skipdata: number; headers: number; bad: number; appended: number; duplicates: number; badSamples: SkippedRecord[] };
  bytes: { compressed: number; uncompressed: number };
  durationMs: number;
}

const STAGING = '_staging_cloudtrail';
const MAX_RECORD_SAMPLES = 50;

export async function ingestPaths(engine: DuckDBEngine, paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const files = await listLocalFiles(paths);
  return ingestFiles(engine, files, options, started);
}

export async function ingestFiles(
  engine: DuckDBEngine,
  files: readonly LocalFile[],
  options: IngestOptions = {},
  started = performance.now(),
): Promise<IngestSummary> {
  const summary = emptySummary(files.length);
  const ledger = await loadLedgerIndex(engine);
  const ledgerEntries: LedgerEntry[] = [];
  const insights: unknown[][] = [];
  const fromMs = options.from?.getTime() ?? -Infinity;
  const toMs = options.to?.getTime() ?? Infinity;
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;

  await installVpcFlowSchema(engine);
  await engine.run(`DROP TABLE IF EXISTS ${STAGING}`);
  await engine.run(`CREATE TABLE ${STAGING} AS SELECT * FROM cloudtrail_events LIMIT 0`);
  const appender = await engine.connection.createAppender(STAGING);

  for (let index = 0; index < files.length; index++) {
    const file = files[index]!;
    await ingestOne(file);
    bytesDone += file.size;
    options.onProgress?.({ filesDone: index + 1, filesTotal: files.length, bytesDone, bytesTotal, events: summary.events.accepted });
  }
  appender.closeSync();

  await engine.run('BEGIN TRANSACTION');
  try {
    await mergeStaging(engine, summary);
    await mergeInsights(engine, insights, summary);
    await appendLedger(engine, ledgerEntries, new Date());
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${STAGING}`);
  }
  summary.durationMs = performance.now() - started;
  return summary;

  async function ingestOne(file: LocalFile): Promise<void> {
    const pruned = pruneReason(file.path, options);
    if (pruned) {
      summary.files.pruned++;
      const key = pruned.replace(/^(account|region) \S+/, '$1 not selected').replace(/on \d{4}-\d{2}-\d{2}, /, '');
      summary.prunedByReason[key] = (summary.prunedByReason[key] ?? 0) + 1;
      return;
    }
    const layout = parseS3Layout(file.path);
    const base = { path: file.path, kind: 'cloudtrail', size: file.size, mtimeMs: file.mtimeMs };
    if (layout?.kind === 'cloudtrail-digest') {
      skipFile(file, 'digest-file', 'CloudTrail digest file (integrity hashes, no events)', null);
      return;
    }
    const flowByPath = options.kind === 'vpcflow' || layout?.kind === 'vpcflow' || detectFlowLog(file.path).isFlowLog;
    if (ledger.unchanged(file.path, file.size, file.mtimeMs)) {
      summary.files.unchanged++;
      return;
    }
    const raw = await readFile(file.path);
    summary.bytes.compressed += raw.length;
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const sameContent = ledger.readWithHash(sha256);
    if (sameContent !== undefined) {
      summary.files.duplicateContent++;
      ledgerEntries.push({ ...base, sha256, outcome: 'duplicate-content', reason: `same content as ${sameContent}`, records: 0, recordsSkipped: 0 });
      return;
    }
    if (flowByPath || looksLikeFlowLog(file.path, raw)) {
      await ingestFlowFile(file, sha256);
      return;
    }
    const decoded = decodeCloudTrailFile(raw);
    summary.bytes.uncompressed += decoded.ok ? decoded.file.uncompressedBytes : decoded.uncompressedBytes;
    if (!decoded.ok) {
      skipFile(file, decoded.skip.code, decoded.skip.reason, sha256);
      return;
    }
    const { records, recordSkips } = decoded.file;
    summary.files.read++;
    summary.events.found += records.length + recordSkips.length;
    summary.events.skipped += recordSkips.length;
    for (const skip of recordSkips) {
      summary.events.skippedByReason[skip.code] = (summary.events.skippedByReason[skip.code] ?? 0) + 1;
      if (summary.skippedRecordSamples.length < MAX_RECORD_SAMPLES) summary.skippedRecordSamples.push({ path: file.displayPath, ...skip });
    }
    let accepted = 0;
    for (const event of records) {
      summary.events.accepted++;
      const timeMs = Date.parse(event['eventTime'] as string);
      if (timeMs < fromMs || timeMs > toMs || !selected(event)) {
        summary.events.filtered++;
        continue;
      }
      accepted++;
      if (isInsightsEvent(event)) {
        insights.push(insightRow(event, timeMs, file.path));
        continue;
      }
      appendEvent(appender, flattenEvent(event), file.path);
    }
    ledgerEntries.push({ ...base, sha256, outcome: 'read', reason: null, records: accepted, recordsSkipped: recordSkips.length });
  }

  async function ingestFlowFile(file: LocalFile, sha256: string): Promise<void> {
    let result;
    try {
      result = await ingestFlowLogFile(engine, file.path);
    } catch (error) {
      skipFile(file, 'invalid-flow-log', (error as Error).message, sha256, 'vpcflow');
      return;
    }
    const { stats } = result;
    summary.files.read++;
    const f = summary.flows;
    f.files++;
    f.lines += stats.lines;
    f.records += stats.records;
    f.nodata += stats.nodata;
    f.skipdata += stats.skipdata;
    f.headers += stats.headers;
    f.bad += stats.bad;
    f.appended += result.appended;
    f.duplicates += result.duplicates;
    for (const bad of stats.badLines) {
      if (f.badSamples.length >= MAX_RECORD_SAMPLES) break;
      f.badSamples.push({ path: file.displayPath, at: `line ${bad.line}`, code: 'invalid-flow-line', reason: bad.reason });
    }
    ledgerEntries.push({ path: file.path, kind: 'vpcflow', size: file.size, mtimeMs: file.mtimeMs, sha256, outcome: 'read', reason: null, records: result.appended + result.duplicates, recordsSkipped: stats.bad });
  }

  function skipFile(file: LocalFile, code: SkippedFile['code'], reason: string, sha256: string | null, kind = 'cloudtrail'): void {
    summary.files.skipped++;
    summary.skippedFiles.push({ path: file.displayPath, code, reason });
    ledgerEntries.push({ path: file.path, kind, size: file.size, mtimeMs: file.mtimeMs, sha256, outcome: 'skipped', reason: `${code}: ${reason}`, records: 0, recordsSkipped: 0 });
  }

  function selected(event: Record<string, unknown>): boolean {
    if (options.accounts?.length) {
      const account = event['recipientAccountId'] ?? (event['userIdentity'] as Record<string, unknown> | undefined)?.['accountId'];
      if (typeof account === 'string' && !options.accounts.includes(account)) return false;
    }
    if (options.regions?.length) {
      const region = event['awsRegion'];
      if (typeof region === 'string' && !options.regions.includes(region)) return false;
    }
    return true;
  }
}

function appendEvent(appender: DuckDBAppender, flat: ReturnType<typeof flattenEvent>, path: string): void {
  appender.appendVarchar(flat.key);
  appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(flat.timeMs * 1000))));
  appender.appendVarchar(path);
  for (const value of flat.values) {
    if (value === null) appender.appendNull();
    else appender.appendVarchar(value);
  }
  appender.endRow();
}

async function mergeStaging(engine: DuckDBEngine, summary: IngestSummary): Promise<void> {
  const before = await count(engine, 'SELECT count(*) AS n FROM cloudtrail_events');
  const staged = await count(engine, `SELECT count(*) AS n FROM ${STAGING}`);
  const distinct = await count(engine, `SELECT count(DISTINCT _key) AS n FROM ${STAGING}`);
  // Duplicates inside one run (the same event delivered twice) keep the first file's copy.
  const source =
    distinct === staged
      ? STAGING
      : `(SELECT * FROM ${STAGING} QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _file) = 1)`;
  const columns = CLOUDTRAIL_EVENTS_COLUMNS.map(([name]) => name).join(', ');
  await engine.run(
    `INSERT INTO cloudtrail_events (${columns}) SELECT ${columns} FROM ${source} AS s
     WHERE NOT EXISTS (SELECT 1 FROM cloudtrail_events e WHERE e._key = s._key)`,
  );
  const after = await count(engine, 'SELECT count(*) AS n FROM cloudtrail_events');
  summary.events.inserted = after - before;
  summary.events.duplicates = staged - summary.events.inserted;
}

function insightRow(event: Record<string, unknown>, timeMs: number, path: string): unknown[] {
  const details = event['insightDetails'] as Record<string, unknown> | undefined;
  return [
    eventKey(event),
    new Date(timeMs).toISOString(),
    path,
    str(event['eventID']),
    str(event['eventTime']),
    str(event['eventSource'] ?? details?.['eventSource']),
    str(event['eventName'] ?? details?.['eventName']),
    str(event['awsRegion']),
    str(details?.['insightType']),
    JSON.stringify(event),
  ];
}

async function mergeInsights(engine: DuckDBEngine, rows: unknown[][], summary: IngestSummary): Promise<void> {
  for (const row of rows) {
    const before = await count(engine, 'SELECT count(*) AS n FROM cloudtrail_insights WHERE _key = $key', { key: row[0] as string });
    if (before > 0) {
      summary.events.duplicates++;
      continue;
    }
    await engine.run(
      `INSERT INTO cloudtrail_insights VALUES ($k, CAST($t AS TIMESTAMP), $f, $id, $time, $src, $name, $region, $type, $record)`,
      { k: row[0] as string, t: (row[1] as string).replace('Z', ''), f: row[2] as string, id: row[3] as string | null, time: row[4] as string | null, src: row[5] as string | null, name: row[6] as string | null, region: row[7] as string | null, type: row[8] as string | null, record: row[9] as string },
    );
    summary.events.insights++;
  }
}

/** A file outside the flow-log layout is a flow log when its first line is a flow-log header or record. */
function looksLikeFlowLog(path: string, raw: Buffer): boolean {
  let head = raw.subarray(0, 4096);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = gunzipSync(raw).subarray(0, 4096);
    } catch {
      return false;
    }
  }
  const text = head.toString('utf8');
  let firstLine = text.split('\n', 1)[0] ?? '';
  if (firstLine.startsWith('{')) {
    // CloudWatch Logs exports wrap each flow record as {"message": "..."}.
    try {
      const message = (JSON.parse(firstLine) as { message?: unknown }).message;
      if (typeof message !== 'string') return false;
      firstLine = message;
    } catch {
      return false;
    }
  }
  return detectFlowLog(path, firstLine).isFlowLog;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : value === undefined || value === null ? null : JSON.stringify(value);
}

async function count(engine: DuckDBEngine, sql: string, params?: Record<string, string>): Promise<number> {
  const { rows } = await engine.all(sql, params);
  return Number(rows[0]?.['n'] ?? 0);
}

function emptySummary(seen: number): IngestSummary {
  return {
    files: { seen, read: 0, unchanged: 0, duplicateContent: 0, skipped: 0, pruned: 0 },
    skippedFiles: [],
    prunedByReason: {},
    events: { found: 0, accepted: 0, inserted: 0, duplicates: 0, insights: 0, filtered: 0, skipped: 0, skippedByReason: {} },
    skippedRecordSamples: [],
    flows: { files: 0, lines: 0, records: 0, nodata: 0, skipdata: 0, headers: 0, bad: 0, appended: 0, duplicates: 0, badSamples: [] },
    bytes: { compressed: 0, uncompressed: 0 },
    durationMs: 0,
  };
}

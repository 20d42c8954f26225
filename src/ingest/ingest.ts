import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { listLocalPaths, type LocalFile, type SkippedPath } from '../sources/local.js';
import { S3Source, type S3ObjectRef, type S3RequestStats } from '../sources/s3.js';
import { isS3Url } from '../sources/s3-url.js';
import { parseS3Layout, pruneReason, type PruneFilter } from '../sources/s3-layout.js';
import { loadLedgerIndex, type LedgerEntry } from './ledger.js';
import type { FileSkipCode, RecordSkipCode } from './cloudtrail/decode.js';
import { processFileJob, scannedOutcome, type FileJob, type FileOutcome, type RowsPart } from './cloudtrail/file-job.js';
import { scanByName, type ScannedFile } from './cloudtrail/name-scan.js';
import { count, mergeBatch, newBatch, type BulkMerge } from './cloudtrail/merge.js';
import { KeyHashSet } from './cloudtrail/key-filter.js';
import { createDecodePool, createS3DecodePool } from './cloudtrail/pool.js';
import { detectFlowLog } from './vpcflow/index.js';
import { resolveLimits, type IngestLimits } from './limits.js';
import { FlowBulkQueue, type FlowFileDone } from './vpcflow/bulk.js';
import type { FlowReadStats } from './vpcflow/parser.js';
import { FlowHold, installVpcFlowSchema } from '../store/vpcflow-schema.js';
import { syncCachesAfterIngest } from '../caches/store.js';
import type { KeptChangesUpdate } from '../ports/exposure-changes.js';

export interface IngestOptions extends PruneFilter {
  /** Treat every file as a VPC flow log (`--vpcflow`); by default the kind is detected. */
  kind?: 'auto' | 'vpcflow';
  onProgress?: (progress: IngestProgress) => void;
  /** Decode threads: 0 decodes in-process; default one per core (up to 2), in-process for small runs. */
  workers?: number;
  /** Rows per merged batch (one transaction each); default 50,000 (25,000 events of files DuckDB loads in bulk). */
  batchRows?: number;
  /** Bounds on one file and one record (docs/limits.md); each unset one has its default. */
  limits?: Partial<IngestLimits>;
  /**
   * Prune only: S3 folders and AWS-layout files delivered wholly outside this window are neither
   * listed nor read, nor ledgered, so a later run with a wider window reads them. Unlike `from`/`to`
   * it keeps every event of the files it reads (a file ledgered as read must hold all its events).
   * `run`/`investigate` pass their runbook's `logWindow` (runbook/log-window.ts).
   */
  readWindow?: Pick<PruneFilter, 'from' | 'to'>;
  /** Reads the `s3://` paths (docs/s3.md); made from the default AWS settings when absent and one is given. */
  s3?: S3Source;
  /**
   * Stops the run before the next file (`trailbook watch` on SIGINT/SIGTERM; downloads in flight
   * are cancelled): the files read so far are merged and ledgered as whole batches, the rest are
   * left for the next run (`interrupted`), as after a kill.
   */
  signal?: AbortSignal;
  /**
   * Clean CloudTrail files (ingest/cloudtrail/bulk-check.ts) are read by DuckDB's `read_json`
   * (bulk-load.ts) instead of row by row; false forces the row path (the identity tests).
   */
  bulkLoad?: boolean;
  /**
   * Keep only what a runbook's questions read (investigate/answer-first.ts): the events with these
   * names, and the flow records on these ports with every record of their interfaces. For the
   * answer-first scan, into a throw-away in-memory store only: a store missing the rest would look
   * current to the next run. CloudTrail files of the AWS layout are read by DuckDB, which hands
   * back only those events (cloudtrail/name-scan.ts); other files are decoded as usual, their
   * other records left unparsed (cloudtrail/name-filter.ts); clean flow files are held until the
   * last is read, then narrowed (store/vpcflow-schema.ts `FlowHold`). The summary's counts of
   * events and flow records are then not exact: records left out are counted as accepted and
   * filtered, unchecked, and flow records left out are not counted as stored.
   */
  only?: { eventNames: readonly string[]; flowPorts: readonly number[] };
}

/** A file to read: a local one, or an S3 object (`path` is then `s3://bucket/key`). */
export interface InputFile extends LocalFile {
  etag?: string | null;
  s3?: S3ObjectRef;
}

/** GetObject streams in flight at once (each through gunzip into its decoder, in this thread). */
const S3_DOWNLOADS = 8;

export interface IngestProgress {
  /**
   * `reading` while files are read (the answer-first scan's CloudTrail files count once DuckDB
   * has read them all: `only`); `finishing` once, after the last file: the last batch is
   * merged, the exposure caches are brought up to date and the store is written (seconds at
   * millions of events, with no file to count).
   */
  phase: 'reading' | 'finishing';
  filesDone: number;
  filesTotal: number;
  /** Some of the files are S3 objects (progress then says objects, and bytes fetched). */
  remote: boolean;
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
 *   files.seen = read + unchanged + duplicateContent + skipped + pruned (seen: every file found, and
 *   every path found that could not be read: those are skipped with their reason)
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
  flows: Pick<FlowReadStats, 'lines' | 'records' | 'nodata' | 'skipdata' | 'headers' | 'bad'> & {
    files: number;
    /** Of those, files loaded in bulk by DuckDB `read_csv` (clean text); the rest were parsed line by line. */
    bulkLoaded: number;
    appended: number;
    duplicates: number;
    badSamples: SkippedRecord[];
  };
  bytes: { compressed: number; uncompressed: number };
  /** When `s3://` locations were read: the requests made (what S3 bills) and the folders never listed. */
  s3?: S3RequestStats & { foldersPruned: Record<string, number> };
  durationMs: number;
  /** What went wrong after the events were stored and did not lose any (said, not thrown). */
  warnings: string[];
  /** CloudTrail files read by DuckDB's `read_json` (bulk-load.ts), and the events they held after the filters. */
  bulk: { files: number; events: number };
  /**
   * With `only`: the CloudTrail files DuckDB was given to scan (`files`) and those it answered for
   * (`answered`; the rest were decoded by the workers). Absent otherwise.
   */
  scan?: { files: number; answered: number };
  /** The run stopped early on `options.signal`: files after the last one read were not looked at. */
  interrupted?: boolean;
  /**
   * How the kept exposure changes followed the new events: only the new ones judged and appended,
   * or everything judged again (absent when no event was added, or when that failed: see warnings).
   */
  exposureChanges?: KeptChangesUpdate;
}

const MAX_RECORD_SAMPLES = 50;
/** A batch is merged (one transaction) once it holds this many rows or packed bytes. */
const BATCH_ROWS = 50_000;
const BATCH_BYTES = 48 * 1024 * 1024;
/**
 * Events of clean files loaded by one `read_json` (one transaction). Small enough that DuckDB loads
 * a batch while the workers validate the next files (100k events, 2 cores: 6.7 s with one batch
 * at the end, 6.1 s in four), and a staged batch (when keys may repeat) stays well under the cap.
 */
const BULK_BATCH_ROWS = 25_000;
/** Files decoded ahead of the one being merged (bounded read-ahead: memory stays flat). */
const READ_AHEAD = 24;
/** DuckDB's memory cap during ingest of a file store (it spills to its temp directory beyond it). */
const INGEST_MEMORY_LIMIT = '256MB';
/**
 * Raised to this while a flow-log bulk load runs: its staging table is large, and at 256 MB DuckDB
 * spills it (1M flow rows: 20 s at 256 MB, 15 s at 512 MB, for ~50 MB more peak RSS). CloudTrail
 * batches keep the lower cap: their decoded rows already weigh on the Node side of the process.
 */
const BULK_LOAD_MEMORY_LIMIT = '512MB';

export async function ingestPaths(engine: DuckDBEngine, paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const listing = await listLocalPaths(paths.filter((p) => !isS3Url(p)));
  const urls = paths.filter(isS3Url);
  if (urls.length === 0) return ingestFiles(engine, listing.files, options, started, listing.skipped);
  // Objects are listed with the time range and selection: pruned folders are never listed.
  const s3 = options.s3 ?? S3Source.create();
  const remote = await s3.list(urls, pruneFilterOf(options));
  const files: InputFile[] = [...listing.files, ...remote.files];
  const summary = await ingestFiles(engine, files, { ...options, s3 }, started, [...listing.skipped, ...remote.skipped]);
  summary.s3 = { ...s3.stats, foldersPruned: remote.foldersPruned };
  return summary;
}

/** What prunes files and folders: the event filter (`from`/`to`, accounts, regions) narrowed by the read window. */
function pruneFilterOf(options: IngestOptions): PruneFilter {
  const window = options.readWindow ?? {};
  const later = (a?: Date, b?: Date) => (a && b ? (a > b ? a : b) : (a ?? b));
  const earlier = (a?: Date, b?: Date) => (a && b ? (a < b ? a : b) : (a ?? b));
  const from = later(options.from, window.from);
  const to = earlier(options.to, window.to);
  return {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.regions ? { regions: options.regions } : {}),
  };
}

/**
 * Reads files into the store. Files are decoded on worker threads (`options.workers`, default:
 * one per core, in-process for small runs) with a bounded read-ahead, and merged in file order
 * in batches of whole files; each batch is one transaction holding its events, Insights events
 * and the ledger rows of its files (and of the files skipped since the previous batch). An
 * interrupted run therefore leaves whole batches with their files in the ledger, and nothing of
 * the batch it was in: a re-run skips the former and reads the rest again.
 */
export async function ingestFiles(
  engine: DuckDBEngine,
  files: readonly InputFile[],
  options: IngestOptions = {},
  started = performance.now(),
  unreadable: readonly SkippedPath[] = [],
): Promise<IngestSummary> {
  if (options.only && engine.path !== ':memory:') throw new Error('ingestFiles: `only` keeps part of the logs, and only into an in-memory store');
  const summary = emptySummary(files.length + unreadable.length);
  const limits = resolveLimits(options.limits);
  const ledger = await loadLedgerIndex(engine);
  let ledgerEntries: LedgerEntry[] = [];
  const fromMs = options.from?.getTime() ?? -Infinity;
  const toMs = options.to?.getTime() ?? Infinity;
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;
  const remote = files.some((f) => f.s3 !== undefined);
  const s3 = options.s3 ?? (remote ? S3Source.create() : null);
  const signal = options.signal;

  await installVpcFlowSchema(engine);
  const storeHadEvents = (await count(engine, 'SELECT count(*) AS n FROM (SELECT 1 FROM cloudtrail_events LIMIT 1)')) > 0;
  const runKeys = new KeyHashSet();

  // Plan: what each file needs, decided from its path and the ledger before reading anything.
  type Plan = { kind: 'done' } | { kind: 'decode'; job: FileJob };
  const prune = pruneFilterOf(options);
  const plans: Plan[] = files.map((file, seq) => {
    const pruned = pruneReason(file.path, prune);
    if (pruned) {
      summary.files.pruned++;
      const key = pruned.replace(/^(account|region) \S+/, '$1 not selected').replace(/on \d{4}-\d{2}-\d{2}, /, '');
      summary.prunedByReason[key] = (summary.prunedByReason[key] ?? 0) + 1;
      return { kind: 'done' };
    }
    const layout = parseS3Layout(file.path);
    if (layout?.kind === 'cloudtrail-digest') {
      skipFile(file, 'digest-file', 'CloudTrail digest file (integrity hashes, no events)', null);
      return { kind: 'done' };
    }
    const flowByPath = options.kind === 'vpcflow' || layout?.kind === 'vpcflow' || detectFlowLog(file.path).isFlowLog;
    if (ledger.unchanged(file.path, file.size, file.mtimeMs, file.etag)) {
      summary.files.unchanged++;
      return { kind: 'done' };
    }
    return {
      kind: 'decode',
      job: {
        seq,
        path: file.path,
        ...(file.s3 ? { s3: file.s3 } : {}),
        fromMs,
        toMs,
        accounts: options.accounts ?? null,
        regions: options.regions ?? null,
        sniffFlowLog: true,
        flowLog: flowByPath,
        limits,
        bulk: !options.only && (options.bulkLoad ?? true),
        ...(options.only ? { eventNames: options.only.eventNames, flowPorts: options.only.flowPorts } : {}),
      },
    };
  });
  // Before the workers start: DuckDB's read of these files takes both cores (run beside the
  // workers' validation of the flow logs, it gained nothing and slowed the flow load after it).
  const scanned = new Map<number, ScannedFile>();
  if (options.only) summary.scan = await scanCloudTrailByName(engine, files, plans, options, limits, scanned);

  const decodeCount = plans.filter((p) => p.kind === 'decode').length;
  const decodeBytes = files.reduce((n, f, i) => n + (plans[i]!.kind === 'decode' ? f.size : 0), 0);
  const workers = options.workers ?? (decodeCount >= 8 && decodeBytes >= 4 * 1024 * 1024 ? Math.max(1, Math.min(2, availableParallelism() - 1)) : 0);
  const localPool = createDecodePool(workers);
  // S3 objects are decoded here as they stream in (several at once); local files by the pool above.
  const s3Pool = s3 && createS3DecodePool(S3_DOWNLOADS, (ref) => s3.open(ref, signal));
  const pool = { run: (job: FileJob) => (job.s3 ? s3Pool!.run(job) : localPool.run(job)), close: () => localPool.close() };
  const restoreMemory = await limitIngestMemory(engine);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const flowHashes = new Map<string, string>();
  const flowQueue = new FlowBulkQueue(
    engine,
    {
      beforeWrite: async () => {
        if (merging) await merging;
      },
      bulkLoad: async (load) => {
        if (engine.path === ':memory:') return load();
        await engine.run(`SET memory_limit = '${BULK_LOAD_MEMORY_LIMIT}'`);
        try {
          return await load();
        } finally {
          await engine.run(`SET memory_limit = '${INGEST_MEMORY_LIMIT}'`);
        }
      },
      onFile: (done) => recordFlowFile(done),
      onRows: (appended, duplicates) => {
        summary.flows.appended += appended;
        summary.flows.duplicates += duplicates;
      },
      onError: (path, error) => {
        const file = byPath.get(path)!;
        skipFile(file, 'invalid-flow-log', error.message, flowHashes.get(path) ?? null, 'vpcflow');
      },
    },
    undefined,
    limits,
    options.only ? new FlowHold(options.only.flowPorts) : undefined,
  );

  const inFlight = new Map<number, Promise<FileOutcome>>();
  let nextToSubmit = 0;
  const submit = (seq: number) => {
    const plan = plans[seq]!;
    if (plan.kind !== 'decode') return;
    const promise = pool.run(plan.job);
    promise.catch(() => {}); // awaited in order below
    inFlight.set(seq, promise);
  };
  const submitAhead = (upTo: number) => {
    for (; nextToSubmit < files.length && nextToSubmit <= upTo; nextToSubmit++) {
      const plan = plans[nextToSubmit]!;
      // A flow log in S3 is streamed once, by the flow-log reader (below), not validated here first.
      if (plan.kind === 'decode' && !(plan.job.s3 && plan.job.flowLog) && !scanned.has(nextToSubmit)) submit(nextToSubmit);
    }
  };

  let batch = newBatch(storeHadEvents);
  let bulkRows = 0;
  let merging: Promise<void> | null = null;
  const bulkMerge: BulkMerge = {
    filter: { fromMs, toMs, accounts: options.accounts ?? null, regions: options.regions ?? null },
    readAsRows: async (file, onPart) => {
      const plan = plans[file.seq]!;
      const outcome = plan.kind === 'decode' ? await processFileJob({ ...plan.job, bulk: false }, onPart) : null;
      if (outcome?.kind !== 'read') throw new Error(`${file.path}: changed while it was read (read again as rows: ${outcome?.kind ?? 'not planned'})`);
      return outcome;
    },
  };
  // Start a batch's merge without waiting for it: decoding continues meanwhile.
  const startMerge = async () => {
    if (merging) await merging;
    const b = batch;
    const entries = ledgerEntries;
    batch = newBatch(storeHadEvents);
    bulkRows = 0;
    ledgerEntries = [];
    merging = mergeBatch(engine, b, entries, summary, bulkMerge).then((how) => {
      // What DuckDB refused once it would refuse again: the files not yet sent to a worker are read as rows.
      if (how === 'refused') for (const plan of plans.slice(nextToSubmit)) if (plan.kind === 'decode') plan.job.bulk = false;
    });
    merging.catch(() => {});
  };

  try {
    // Paths the listing could not read are skipped first, in the order found (they have no rows).
    for (const path of unreadable) skipFile({ path: path.path, displayPath: path.displayPath, size: 0, mtimeMs: 0 }, path.code, path.reason, null);
    for (let index = 0; index < files.length; index++) {
      if (signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      submitAhead(index + READ_AHEAD);
      const file = files[index]!;
      const plan = plans[index]!;
      if (plan.kind === 'decode' && plan.job.s3 && plan.job.flowLog) {
        await flowQueue.addStreamed(file.path, s3!.open(plan.job.s3, signal));
      } else if (plan.kind === 'decode') {
        let outcome: FileOutcome;
        let storeError: unknown = null;
        try {
          const fromScan = scanned.get(index);
          outcome = fromScan ? scannedOutcome(plan.job, fromScan, file.size) : await inFlight.get(index)!;
          // Too many rows to come back from a worker whole: read here, each part merged as it comes.
          if (outcome.kind === 'large') {
            let stored = 0;
            outcome = await processFileJob(
              { ...plan.job, bulk: false },
              async (part) => {
                stored += part.rows + part.insights.length;
                await addRows(file, index, part).catch((error: unknown) => {
                  storeError = error;
                  throw error;
                });
              },
              s3 ? (ref) => s3.open(ref, signal) : undefined,
            );
            if (outcome.kind === 'skip' && stored > 0) {
              // The file is skipped, but its parts before the failure are stored: counted as accepted.
              outcome.reason += `; the ${stored} events before that point are stored (a re-run finds them as duplicates)`;
              summary.events.found += stored;
              summary.events.accepted += stored;
            }
          }
        } catch (error) {
          // A merge that failed is the store's problem (other files' rows were in it): not a skip.
          if (error === storeError) throw error;
          // Whatever else broke on this file is this file's skip; the run goes on with the others.
          outcome = {
            seq: index,
            sha256: '',
            compressedBytes: 0,
            kind: 'skip',
            uncompressedBytes: 0,
            code: 'read-failed',
            reason: `reading failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
          };
        } finally {
          inFlight.delete(index);
        }
        if (outcome.kind === 'flow') {
          summary.bytes.compressed += outcome.compressedBytes;
          if (!duplicateContent(file, outcome.sha256)) {
            flowHashes.set(file.path, outcome.sha256);
            // An S3 object found to be a flow log by its first line is fetched once more, to be loaded.
            if (file.s3) await flowQueue.addStreamed(file.path, s3!.open(file.s3, signal));
            else await flowQueue.add(file.path, outcome.format, outcome.clean);
          }
        } else if (outcome.kind !== 'large') {
          await takeOutcome(file, outcome);
        }
      }
      bytesDone += file.size;
      options.onProgress?.({
        phase: 'reading',
        filesDone: index + 1,
        filesTotal: files.length,
        remote,
        bytesDone,
        bytesTotal,
        events: summary.events.accepted,
      });
    }
    options.onProgress?.({
      phase: 'finishing',
      filesDone: files.length,
      filesTotal: files.length,
      remote,
      bytesDone,
      bytesTotal,
      events: summary.events.accepted,
    });
    await flowQueue.finish();
    if (batch.files.length > 0 || batch.bulk.length > 0 || ledgerEntries.length > 0) await startMerge();
    if (merging) await merging;
    if (summary.events.inserted > 0 || summary.flows.appended > 0) {
      // The caches only make later reads faster; the events are stored and ledgered already.
      // Failing here would report a lost ingest that was not lost, so it is said instead, and
      // reads use cloudtrail_logs until a writable open brings the caches up to date.
      try {
        const kept = await syncCachesAfterIngest(engine, { events: summary.events.inserted, flowRecords: summary.flows.appended });
        if (kept) summary.exposureChanges = kept;
      } catch (error) {
        summary.warnings.push(
          `the exposure caches could not be brought up to date (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); queries read cloudtrail_logs directly until the next writable open updates them`,
        );
      }
    }
    // Write what the WAL holds while DuckDB is still capped: closing the store would do it under
    // the restored (default: 80% of RAM) limit, and a checkpoint after 10M bulk-loaded flow rows
    // then took 4.7 GB; capped, 0.75 GB.
    if (engine.path !== ':memory:') await engine.run('CHECKPOINT');
  } finally {
    // Interrupted: the batch being merged commits or not as a whole before the store is left.
    if (merging) await (merging as Promise<void>).catch(() => {});
    await pool.close();
    await restoreMemory();
  }
  summary.durationMs = performance.now() - started;
  return summary;

  async function takeOutcome(file: InputFile, outcome: Exclude<FileOutcome, { kind: 'flow' | 'large' }>): Promise<void> {
    summary.bytes.compressed += outcome.compressedBytes;
    summary.bytes.uncompressed += outcome.uncompressedBytes;
    const base = { path: file.path, kind: 'cloudtrail', size: file.size, mtimeMs: file.mtimeMs, sha256: outcome.sha256, etag: file.etag ?? null };
    if (outcome.kind === 'skip') {
      if (outcome.sha256 === '' || !duplicateContent(file, outcome.sha256)) skipFile(file, outcome.code, outcome.reason, outcome.sha256 || null);
      return;
    }
    if (duplicateContent(file, outcome.sha256)) return;
    summary.files.read++;
    summary.events.found += outcome.found;
    summary.events.skipped += outcome.recordSkips.length;
    summary.events.accepted += outcome.accepted;
    summary.events.filtered += outcome.filtered;
    for (const skip of outcome.recordSkips) {
      summary.events.skippedByReason[skip.code] = (summary.events.skippedByReason[skip.code] ?? 0) + 1;
      if (summary.skippedRecordSamples.length < MAX_RECORD_SAMPLES) summary.skippedRecordSamples.push({ path: file.displayPath, ...skip });
    }
    ledgerEntries.push({ ...base, outcome: 'read', reason: null, records: outcome.accepted - outcome.filtered, recordsSkipped: outcome.recordSkips.length });
    if (outcome.kind === 'clean') await addBulk(file, outcome);
    else await addRows(file, outcome.seq, outcome);
  }

  /** A clean file into the batch, for DuckDB to read (a batch holds bulk files or rows, in file order). */
  async function addBulk(file: InputFile, outcome: Extract<FileOutcome, { kind: 'clean' }>): Promise<void> {
    if (batch.rows > 0 || batch.insights.length > 0) await startMerge();
    for (const hash of outcome.keyHashes) if (runKeys.addAndCheck(hash)) batch.check = true;
    batch.bulk.push({ seq: outcome.seq, path: file.path, rows: outcome.rows, compression: outcome.compression });
    bulkRows += outcome.rows;
    summary.bulk.files++;
    summary.bulk.events += outcome.rows;
    if (bulkRows >= (options.batchRows ?? BULK_BATCH_ROWS)) await startMerge();
  }

  /**
   * A file's rows (or one part of a large file's) into the batch. A large file's earlier parts are
   * merged before its ledger row: an interrupted run leaves them stored without it, and the re-run
   * reads the file again and finds them as duplicates (the key dedupes).
   */
  async function addRows(file: InputFile, seq: number, part: RowsPart): Promise<void> {
    // A part packed as JSON is merged on its own, keeping file order; bulk files are merged before rows.
    if ((part.json && part.rows > 0 && batch.files.length > 0) || batch.bulk.length > 0) await startMerge();
    for (const hash of part.keyHashes) if (runKeys.addAndCheck(hash)) batch.check = true;
    if (part.rows > 0) {
      batch.files.push({ seq, path: file.path });
      batch.parts.push(part.packed);
      batch.rows += part.rows;
      batch.bytes += part.packed.byteLength;
      batch.json = part.json;
    }
    for (const insight of part.insights) batch.insights.push({ ...insight, path: file.path });
    if (part.json || batch.rows >= (options.batchRows ?? BATCH_ROWS) || batch.bytes >= BATCH_BYTES) await startMerge();
  }

  /** A file whose content the ledger has already read is not parsed again (recorded as such). */
  function duplicateContent(file: InputFile, sha256: string): boolean {
    const sameContent = ledger.readWithHash(sha256);
    if (sameContent === undefined) return false;
    summary.files.duplicateContent++;
    ledgerEntries.push({
      path: file.path,
      kind: 'cloudtrail',
      size: file.size,
      mtimeMs: file.mtimeMs,
      sha256,
      outcome: 'duplicate-content',
      reason: `same content as ${sameContent}`,
      records: 0,
      recordsSkipped: 0,
      etag: file.etag ?? null,
    });
    return true;
  }

  function recordFlowFile(done: FlowFileDone): void {
    const file = byPath.get(done.path)!;
    const { stats } = done;
    summary.files.read++;
    const f = summary.flows;
    f.files++;
    if (done.loadedBy === 'csv') f.bulkLoaded++;
    f.lines += stats.lines;
    f.records += stats.records;
    f.nodata += stats.nodata;
    f.skipdata += stats.skipdata;
    f.headers += stats.headers;
    f.bad += stats.bad;
    for (const bad of stats.badLines) {
      if (f.badSamples.length >= MAX_RECORD_SAMPLES) break;
      f.badSamples.push({ path: file.displayPath, at: `line ${bad.line}`, code: 'invalid-flow-line', reason: bad.reason });
    }
    ledgerEntries.push({
      path: file.path,
      kind: 'vpcflow',
      size: file.size,
      mtimeMs: file.mtimeMs,
      sha256: flowHashes.get(file.path) ?? null,
      outcome: 'read',
      reason: null,
      records: done.rowsStored,
      recordsSkipped: stats.bad,
      etag: file.etag ?? null,
    });
  }

  function skipFile(file: InputFile, code: SkippedFile['code'], reason: string, sha256: string | null, kind = 'cloudtrail'): void {
    summary.files.skipped++;
    summary.skippedFiles.push({ path: file.displayPath, code, reason });
    ledgerEntries.push({
      path: file.path,
      kind,
      size: file.size,
      mtimeMs: file.mtimeMs,
      sha256,
      outcome: 'skipped',
      reason: `${code}: ${reason}`,
      records: 0,
      recordsSkipped: 0,
      etag: file.etag ?? null,
    });
  }
}

/**
 * The answer-first scan's DuckDB pass (`only`) (cloudtrail/name-scan.ts) over the files it can answer for:
 * local files named as CloudTrail delivers them (`DELIVERED_NAME`), small enough to be held whole. A file whose kept record is near the record limit is left to the workers too: DuckDB's
 * text is minified, so its size is not the size decode.ts measures.
 */
async function scanCloudTrailByName(
  engine: DuckDBEngine,
  files: readonly InputFile[],
  plans: readonly ({ kind: 'done' } | { kind: 'decode'; job: FileJob })[],
  options: IngestOptions,
  limits: IngestLimits,
  out: Map<number, ScannedFile>,
): Promise<{ files: number; answered: number }> {
  const eligible = scanEligible(files, plans);
  if (eligible.length === 0) return { files: 0, answered: 0 };
  const results = await scanByName(
    engine,
    eligible.map((seq) => files[seq]!.path),
    options.only?.eventNames ?? [],
  );
  results.forEach((result, i) => {
    if (result && result.kept.every((text) => text.length <= limits.maxRecordBytes / 2)) out.set(eligible[i]!, result);
  });
  return { files: eligible.length, answered: out.size };
}

/** The files the answer-first scan reads (by position): see `scanCloudTrailByName`. */
function scanEligible(files: readonly InputFile[], plans: readonly ({ kind: 'done' } | { kind: 'decode'; job: FileJob })[]): number[] {
  const eligible: number[] = [];
  plans.forEach((plan, seq) => {
    if (plan.kind !== 'decode' || plan.job.s3 || plan.job.flowLog) return;
    const path = plan.job.path;
    if (!path.startsWith('/') || /[*?[\]{}]/.test(path) || !DELIVERED_NAME.test(basename(path)) || files[seq]!.size > SCAN_MAX_FILE_BYTES) return;
    eligible.push(seq);
  });
  return eligible;
}

/**
 * A file named as CloudTrail delivers it to S3 (`<account>_CloudTrail_<region>_<time>_<id>.json.gz`,
 * sources/s3-layout.ts), which is always one `{"Records":[...]}` document; exports (bare arrays,
 * JSON lines) under other names are decoded by the workers.
 */
const DELIVERED_NAME = /^\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z[^/]*\.json(\.gz)?$/i;

/** Compressed size past which the answer-first scan leaves a file to the workers (see name-scan.ts). */
const SCAN_MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Caps DuckDB's memory for the ingest of a file store (it spills to `<store>.tmp`) and defers checkpoints; returns the undo. */
async function limitIngestMemory(engine: DuckDBEngine): Promise<() => Promise<void>> {
  if (engine.path === ':memory:') return async () => {};
  const { rows } = await engine.all(`SELECT current_setting('memory_limit') AS m, current_setting('checkpoint_threshold') AS c`);
  const memory = String(rows[0]?.['m'] ?? '');
  const checkpoint = String(rows[0]?.['c'] ?? '');
  await engine.run(`SET memory_limit = '${INGEST_MEMORY_LIMIT}'`);
  // Each batch commits; at the default threshold (16 MB) every commit would checkpoint the growing
  // table: 170 s instead of 69-85 s for 1M events.
  await engine.run(`SET checkpoint_threshold = '1GB'`);
  const size = /^[\d.]+ ?[KMGT]i?B$/i;
  return async () => {
    if (size.test(memory)) await engine.run(`SET memory_limit = '${memory}'`);
    if (size.test(checkpoint)) await engine.run(`SET checkpoint_threshold = '${checkpoint}'`);
  };
}

function emptySummary(seen: number): IngestSummary {
  return {
    files: { seen, read: 0, unchanged: 0, duplicateContent: 0, skipped: 0, pruned: 0 },
    skippedFiles: [],
    prunedByReason: {},
    events: { found: 0, accepted: 0, inserted: 0, duplicates: 0, insights: 0, filtered: 0, skipped: 0, skippedByReason: {} },
    skippedRecordSamples: [],
    flows: { files: 0, bulkLoaded: 0, lines: 0, records: 0, nodata: 0, skipdata: 0, headers: 0, bad: 0, appended: 0, duplicates: 0, badSamples: [] },
    bytes: { compressed: 0, uncompressed: 0 },
    bulk: { files: 0, events: 0 },
    durationMs: 0,
    warnings: [],
  };
}

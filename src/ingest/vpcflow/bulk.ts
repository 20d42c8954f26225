import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { appendFlowCsvFiles, csvLoadShape, type CsvLoad, type FlowHold } from '../../store/vpcflow-schema.js';
import { csvLoadOf, type CleanFlowFile } from './fast.js';
import { ingestFlowLogFile } from './ingest.js';
import type { FlowReadStats } from './parser.js';
import type { IngestLimits } from '../limits.js';
import type { ByteSource } from '../../sources/s3.js';

/**
 * Flow logs arrive as many small files (one per interface group per five minutes or hour); a
 * `read_csv` per file is single-threaded and pays a statement's fixed cost each time. This queue
 * gathers the clean files of one layout (validated in the decode workers, see
 * `ingest/cloudtrail/file-job.ts`) and loads them with one `read_csv` over all of them, in
 * parallel, as one transaction. A file that is not clean is read on its own, line by line,
 * after the queue is flushed, so files are stored in the order given.
 */
export interface FlowFileDone {
  path: string;
  stats: FlowReadStats;
  /** Data rows of the file that are now in the store, added by it or already there. */
  rowsStored: number;
  loadedBy: 'csv' | 'records';
}

export interface FlowBulkHooks {
  /** Awaited before the queue writes to the store (the caller may have a merge in flight on the same connection). */
  beforeWrite(): Promise<void>;
  /** Around a bulk load (DuckDB's memory cap can be raised for it: its staging table is large). */
  bulkLoad?<T>(load: () => Promise<T>): Promise<T>;
  onFile(done: FlowFileDone): void;
  onRows(appended: number, duplicates: number): void;
  /** A file that could not be read to its end (the line parser says why). */
  onError(path: string, error: Error): void;
}

/** Rows gathered before a load: large enough for DuckDB to write whole row groups and use both cores. */
const BULK_ROWS = 250_000;

export class FlowBulkQueue {
  private pending: { load: CsvLoad; stats: FlowReadStats }[] = [];
  private pendingPaths = new Set<string>();
  private shape = '';
  private rows = 0;
  private heldFiles: { path: string; stats: FlowReadStats; rows: number }[] = [];

  constructor(
    private readonly engine: DuckDBEngine,
    private readonly hooks: FlowBulkHooks,
    private readonly maxRows = BULK_ROWS,
    /** For the files read line by line (docs/limits.md). */
    private readonly limits: Partial<IngestLimits> = {},
    /** Clean files are held, not stored, until `finish` (the answer-first scan: store/vpcflow-schema.ts `FlowHold`). */
    private readonly hold?: FlowHold,
  ) {}

  /** After the last file: what is queued, then what is held. */
  async finish(): Promise<void> {
    await this.flush();
    if (!this.hold) return;
    await this.hooks.beforeWrite();
    const result = await this.hold.finish(this.engine);
    this.hooks.onRows(result.appended, result.duplicates);
    // Held files count as read with what they held (the hold does not say which record went where).
    const refused = new Set(result.refused.map((l) => l.path));
    for (const { path, stats, rows } of this.heldFiles) if (!refused.has(path)) this.hooks.onFile({ path, stats, rowsStored: rows, loadedBy: 'csv' });
    this.heldFiles = [];
    for (const load of result.refused) await this.readOne(load.path, true);
  }

  /** A validated file: queued when clean (null: read line by line, after what is queued). */
  async add(path: string, format: 'text' | 'gzip' | 'parquet', clean: CleanFlowFile | null): Promise<void> {
    if (!clean || clean.rows === 0 || format === 'parquet') {
      await this.flush();
      await this.readOne(path, false);
      return;
    }
    const load = csvLoadOf(path, format, clean);
    if (this.hold) {
      this.hold.keep(load, clean.portInterfaces ?? null);
      this.heldFiles.push({ path, stats: clean.stats, rows: clean.rows });
      return;
    }
    const shape = csvLoadShape(load);
    // One read_csv takes a file once: the same path again (never from a deduplicated walk) starts a new load.
    if (this.pending.length > 0 && (shape !== this.shape || this.pendingPaths.has(path))) await this.flush();
    this.shape = shape;
    this.pending.push({ load, stats: clean.stats });
    this.pendingPaths.add(path);
    this.rows += clean.rows;
    if (this.rows >= this.maxRows) await this.flush();
  }

  /**
   * A flow log that is not a local file (an S3 object): DuckDB's `read_csv` cannot take it, so it is
   * parsed line by line as it streams in, after what is queued (one fetch, no copy on disk).
   */
  async addStreamed(path: string, source: ByteSource): Promise<void> {
    await this.flush();
    await this.readOne(path, false, source);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingPaths = new Set();
    this.rows = 0;
    await this.hooks.beforeWrite();
    const load = () =>
      appendFlowCsvFiles(
        this.engine,
        batch.map((b) => b.load),
      );
    const result = this.hooks.bulkLoad ? await this.hooks.bulkLoad(load) : await load();
    if (result === null) {
      // DuckDB refused what the validation accepted: each file on its own (fast path first).
      for (const b of batch) await this.readOne(b.load.path, true);
      return;
    }
    this.hooks.onRows(result.appended, result.duplicates);
    for (const b of batch) this.hooks.onFile({ path: b.load.path, stats: b.stats, rowsStored: b.load.rows, loadedBy: 'csv' });
  }

  private async readOne(path: string, fast: boolean, source?: ByteSource): Promise<void> {
    await this.hooks.beforeWrite();
    try {
      const result = await ingestFlowLogFile(this.engine, path, { fast, limits: this.limits, ...(source ? { source } : {}) });
      this.hooks.onRows(result.appended, result.duplicates);
      this.hooks.onFile({ path, stats: result.stats, rowsStored: result.appended + result.duplicates, loadedBy: result.loadedBy ?? 'records' });
    } catch (error) {
      this.hooks.onError(path, error as Error);
    }
  }
}

import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { TrailbookError } from '../../errors.js';
import { appendFlowCsv, appendFlowRecords, installVpcFlowSchema } from '../../store/vpcflow-schema.js';
import { csvLoadOf, scanCleanFlowFile } from './fast.js';
import type { FlowReadStats } from './parser.js';
import { readFlowLogFile, sniffFlowFormat, type FlowFileFormat, type ReadFlowOptions } from './reader.js';

export interface FlowFileIngest {
  path: string;
  format: FlowFileFormat | null;
  stats: FlowReadStats;
  /** Rows added to the store. */
  appended: number;
  /** Rows (data, NODATA, SKIPDATA) already stored, not added again. */
  duplicates: number;
  /** How the rows were loaded: `csv` (validated, then DuckDB `read_csv`) or `records` (parsed line by line). */
  loadedBy?: 'csv' | 'records';
}

export interface IngestFlowOptions extends ReadFlowOptions {
  /** Set false to always take the record path (tests compare both). Default true. */
  fast?: boolean;
}

/**
 * Reads one flow-log file into the store. The caller (`trailbook ingest`) records the outcome in
 * its ledger. `options.engine` defaults to `engine` (Parquet files are read through it).
 *
 * Two paths, the same rows and the same stats:
 * - fast (text and gzip files): a validation pass in TypeScript (fast.ts) counts the lines and
 *   decides whether the file is clean; a clean file is loaded by DuckDB `read_csv` straight into
 *   a staging table and merged like a record batch (appendFlowCsv);
 * - records: everything else (bad lines, repeated or changed headers, JSON or timestamp-wrapped
 *   lines, Transit Gateway or unknown fields, CRLF, Parquet, …) is parsed line by line
 *   (read → append per batch → final stats). Throws TrailbookError('INPUT') when the file cannot
 *   be read to its end (batches before the break stay appended; they are idempotent on a re-run).
 */
export async function ingestFlowLogFile(engine: DuckDBEngine, path: string, options: IngestFlowOptions = {}): Promise<FlowFileIngest> {
  await installVpcFlowSchema(engine);
  if (options.fast !== false) {
    let format: FlowFileFormat | null = options.format ?? null;
    try {
      format ??= await sniffFlowFormat(path);
    } catch {
      format = null; // the record path reports it
    }
    if (format === 'text' || format === 'gzip') {
      const clean = await scanCleanFlowFile(path, { ...options, maxFileBytes: options.limits?.maxFileBytes });
      if (clean && clean.rows > 0) {
        const result = await appendFlowCsv(engine, csvLoadOf(path, format, clean));
        if (result) return { path, format, stats: clean.stats, appended: result.appended, duplicates: result.duplicates, loadedBy: 'csv' };
      }
    }
  }
  const file = readFlowLogFile(path, { ...options, engine: options.engine ?? engine });
  let appended = 0;
  let duplicates = 0;
  try {
    for await (const batch of file) {
      const result = await appendFlowRecords(engine, batch, path);
      appended += result.appended;
      duplicates += result.duplicates;
    }
  } catch (error) {
    // The file is skipped, but what was appended before the break stays: say so.
    const stored = appended + duplicates;
    if (!(error instanceof TrailbookError) || stored === 0) throw error;
    throw new TrailbookError(error.code, `${error.message}; the ${stored} rows before it are stored (a re-run finds them as duplicates)`, {
      location: error.location,
      hint: error.hint,
      cause: error,
    });
  }
  return { path, format: file.format, stats: file.stats, appended, duplicates, loadedBy: 'records' };
}

import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { appendFlowRecords, installVpcFlowSchema } from '../../store/vpcflow-schema.js';
import type { FlowReadStats } from './parser.js';
import { readFlowLogFile, type FlowFileFormat, type ReadFlowOptions } from './reader.js';

export interface FlowFileIngest {
  path: string;
  format: FlowFileFormat | null;
  stats: FlowReadStats;
  /** Rows added to the store. */
  appended: number;
  /** Rows (data, NODATA, SKIPDATA) already stored, not added again. */
  duplicates: number;
}

/**
 * Reads one flow-log file into the store: read → append per batch → final stats. The caller
 * (`trailbook ingest`) records the outcome in its ledger. `options.engine` defaults to `engine`
 * (Parquet files are read through it). Throws TrailbookError('INPUT') when the file cannot be
 * read to its end (batches before the break stay appended; they are idempotent on a re-run).
 */
export async function ingestFlowLogFile(engine: DuckDBEngine, path: string, options: ReadFlowOptions = {}): Promise<FlowFileIngest> {
  await installVpcFlowSchema(engine);
  const file = readFlowLogFile(path, { ...options, engine: options.engine ?? engine });
  let appended = 0;
  let duplicates = 0;
  for await (const batch of file) {
    const result = await appendFlowRecords(engine, batch, path);
    appended += result.appended;
    duplicates += result.duplicates;
  }
  return { path, format: file.format, stats: file.stats, appended, duplicates };
}

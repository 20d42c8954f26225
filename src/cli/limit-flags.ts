import type { Command } from 'commander';
import { DEFAULT_LIMITS, formatBytes, parseByteSize, parseCount, type IngestLimits } from '../ingest/limits.js';

/** The ingest limit flags (docs/limits.md), shared by `ingest` and `investigate`. */
export interface LimitFlags {
  maxFileBytes?: string;
  maxRecordBytes?: string;
  maxDepth?: string;
}

export function addLimitOptions(command: Command): Command {
  return command
    .option('--max-file-bytes <size>', `skip a file past this many bytes decompressed (default ${formatBytes(DEFAULT_LIMITS.maxFileBytes)})`)
    .option('--max-record-bytes <size>', `skip a record or line past this many bytes (default ${formatBytes(DEFAULT_LIMITS.maxRecordBytes)})`)
    .option('--max-depth <levels>', `skip a JSON record nested deeper than this (default ${DEFAULT_LIMITS.maxDepth})`);
}

export function limitsFromFlags(flags: LimitFlags): Partial<IngestLimits> {
  return {
    maxFileBytes: flags.maxFileBytes === undefined ? undefined : parseByteSize(flags.maxFileBytes, '--max-file-bytes'),
    maxRecordBytes: flags.maxRecordBytes === undefined ? undefined : parseByteSize(flags.maxRecordBytes, '--max-record-bytes'),
    maxDepth: flags.maxDepth === undefined ? undefined : parseCount(flags.maxDepth, '--max-depth'),
  };
}

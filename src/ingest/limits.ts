import { TrailbookError } from '../errors.js';

/**
 * The bounds every ingest reads within (docs/limits.md lists each with its flag and the skip
 * reason it produces). Files are streamed, so memory does not grow with a file's size; these
 * limits bound what one file or one record may cost, and a file or record past one is skipped
 * with its reason while the rest of the run goes on.
 */
export interface IngestLimits {
  /** Decompressed bytes read from one file; past it the file is skipped (a gzip bomb stops inflating here). */
  maxFileBytes: number;
  /** Bytes of one record (a JSON element, a JSON line, a flow-log line); past it the record is skipped unread. */
  maxRecordBytes: number;
  /** Nesting depth of one JSON record (objects and arrays); past it the record is skipped unparsed. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Readonly<IngestLimits> = {
  // A real 2.4 GB flow-log export fits; a 3-10 GB gzip bomb stops at 4 GiB (in bounded memory).
  maxFileBytes: 4 * 1024 ** 3,
  // Real CloudTrail records are kilobytes; 20 MB user data has been seen. DuckDB holds a value of
  // this size well inside the ingest's 256 MB cap (a 250 MB record did not fit).
  maxRecordBytes: 32 * 1024 ** 2,
  // CloudTrail nests a few levels (requestParameters of a policy change: under 20); flattening
  // and JSON.stringify recurse, so 5,000 levels overflowed the stack.
  maxDepth: 128,
};

export function resolveLimits(given: Partial<IngestLimits> | undefined): IngestLimits {
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined)) };
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A byte count for a limit flag: `1048576`, `512K`, `32MB`, `4GiB` (binary units). A usage error otherwise. */
export function parseByteSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new TrailbookError('USAGE', `${flag} "${text}" is not a byte size`, {
      hint: 'a positive number of bytes, optionally with K, M or G (binary units): 64M, 4G',
    });
  }
  return bytes;
}

/** A positive whole number for a limit flag (`--max-depth`). */
export function parseCount(text: string, flag: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new TrailbookError('USAGE', `${flag} "${text}" is not a positive whole number`);
  return n;
}

/** `33554432` → `32 MiB` (limits are said in the unit they were likely given in). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

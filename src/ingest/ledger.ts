import type { DuckDBEngine } from '../engines/duckdb/engine.js';

/**
 * The file ledger: one row per file per ingest run that looked at it. It answers "what was read,
 * what was skipped and why" for the audit trail, and makes re-ingest incremental: a file whose
 * path, size and mtime match a file already read (an S3 object: whose `s3://` path and ETag match)
 * is not opened again, and a file whose content
 * hash matches one already read is not parsed again.
 */
export type LedgerOutcome = 'read' | 'skipped' | 'duplicate-content';

export interface LedgerEntry {
  path: string;
  kind: string;
  size: number;
  mtimeMs: number;
  sha256: string | null;
  outcome: LedgerOutcome;
  reason: string | null;
  records: number;
  recordsSkipped: number;
  /** An S3 object's ETag; null for a local file. */
  etag: string | null;
}

export interface LedgerIndex {
  /** A file already read with the same size and mtime; an S3 object (`etag` given) with the same ETag. */
  unchanged(path: string, size: number, mtimeMs: number, etag?: string | null): boolean;
  /** The path of a file already read with this content hash. */
  readWithHash(sha256: string): string | undefined;
}

export async function loadLedgerIndex(engine: DuckDBEngine): Promise<LedgerIndex> {
  const { rows } = await engine.all(`SELECT path, size, mtime_ms, sha256, etag FROM ingest_ledger WHERE outcome IN ('read', 'duplicate-content')`);
  const byPath = new Map<string, string[]>();
  const byHash = new Map<string, string>();
  for (const row of rows) {
    const path = row['path'] as string;
    // An object's LastModified changes when it is copied in place with the same bytes: its ETag does not.
    const signature = typeof row['etag'] === 'string' ? `etag:${row['etag']}` : `${row['size']}:${row['mtime_ms']}`;
    const list = byPath.get(path) ?? [];
    list.push(signature);
    byPath.set(path, list);
    if (typeof row['sha256'] === 'string') byHash.set(row['sha256'], path);
  }
  return {
    unchanged: (path, size, mtimeMs, etag) => byPath.get(path)?.includes(etag ? `etag:${etag}` : `${size}:${mtimeMs}`) ?? false,
    readWithHash: (sha) => byHash.get(sha),
  };
}

export async function appendLedger(engine: DuckDBEngine, entries: readonly LedgerEntry[], at: Date): Promise<void> {
  if (entries.length === 0) return;
  const appender = await engine.connection.createAppender('ingest_ledger');
  const { DuckDBTimestampValue } = await import('@duckdb/node-api');
  const stamp = new DuckDBTimestampValue(BigInt(at.getTime()) * 1000n);
  for (const e of entries) {
    appender.appendVarchar(e.path);
    appender.appendVarchar(e.kind);
    appender.appendBigInt(BigInt(e.size));
    appender.appendDouble(e.mtimeMs);
    if (e.sha256 === null) appender.appendNull();
    else appender.appendVarchar(e.sha256);
    appender.appendVarchar(e.outcome);
    if (e.reason === null) appender.appendNull();
    else appender.appendVarchar(e.reason);
    appender.appendBigInt(BigInt(e.records));
    appender.appendBigInt(BigInt(e.recordsSkipped));
    appender.appendTimestamp(stamp);
    if (e.etag === null) appender.appendNull();
    else appender.appendVarchar(e.etag);
    appender.endRow();
  }
  appender.closeSync();
}

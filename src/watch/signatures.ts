import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import type { LocalFile } from '../sources/local.js';

/**
 * The files the store has already looked at, as `path, size, mtime` signatures, held in memory so
 * a quiet cycle compares a listing against a set and never opens the store. Loaded from the ingest
 * ledger (every outcome: a file skipped as unreadable is not retried until it changes), and
 * loaded again after each ingest, which is what the ledger then says was done.
 */
export class FileSignatures {
  private signatures = new Set<string>();

  get size(): number {
    return this.signatures.size;
  }

  has(file: Pick<LocalFile, 'path' | 'size' | 'mtimeMs'>): boolean {
    return this.signatures.has(signatureOf(file.path, file.size, file.mtimeMs));
  }

  /** The files of a listing the store has not seen as they are now (new, or changed since). */
  unseen<F extends Pick<LocalFile, 'path' | 'size' | 'mtimeMs'>>(files: readonly F[]): F[] {
    return files.filter((file) => !this.has(file));
  }

  async load(engine: DuckDBEngine): Promise<void> {
    const { rows } = await engine.all('SELECT DISTINCT path, size, mtime_ms FROM ingest_ledger');
    const next = new Set<string>();
    for (const row of rows) next.add(signatureOf(String(row['path']), Number(row['size']), Number(row['mtime_ms'])));
    this.signatures = next;
  }
}

function signatureOf(path: string, size: number, mtimeMs: number): string {
  return `${size}:${mtimeMs}:${path}`;
}

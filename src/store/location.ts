import { existsSync } from 'node:fs';
import { TrailbookError } from '../errors.js';

/**
 * Commands that only read a store refuse a path where none exists, before anything is opened:
 * opening would create an empty store, and every answer on it would be a silent "0 rows".
 * Only commands given logs to ingest create a store.
 */
export function requireStore(path: string): void {
  if (existsSync(path)) return;
  throw new TrailbookError('INPUT', `no store at ${path}`, {
    hint: 'give the logs to read first (trailbook ingest ./AWSLogs, or trailbook investigate ./AWSLogs), or choose an existing store',
  });
}

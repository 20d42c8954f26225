import { type LocalFile, listLocalPaths, type SkippedPath } from '../sources/local.js';

/**
 * Where `watch` looks for log files each cycle. Local folders today; an S3 lister (the same
 * shape: every file with its size and a change stamp) plugs in here without touching the loop.
 */
export interface LogLister {
  list(): Promise<{ files: LocalFile[]; skipped: SkippedPath[] }>;
}

/** Every regular file under the given files and folders (src/sources/local.ts), listed again on each call. */
export function localLister(paths: readonly string[]): LogLister {
  return { list: () => listLocalPaths(paths) };
}

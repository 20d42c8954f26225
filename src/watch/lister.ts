import { resolve } from 'node:path';
import type { InputFile } from '../ingest/ingest.js';
import { listLocalPaths, type SkippedPath } from '../sources/local.js';
import type { S3Source } from '../sources/s3.js';
import type { PruneFilter } from '../sources/s3-layout.js';
import { isS3Url } from '../sources/s3-url.js';

/**
 * Where `watch` looks for log files each cycle: every file with its size and a change stamp
 * (mtime, or an S3 object's LastModified with its ETag), so the loop can tell what is new
 * without opening the store.
 */
export interface LogLister {
  list(): Promise<{ files: InputFile[]; skipped: SkippedPath[] }>;
}

/** Every regular file under the given files and folders (src/sources/local.ts), listed again on each call. */
export function localLister(paths: readonly string[]): LogLister {
  return { list: () => listLocalPaths(paths) };
}

/**
 * Local folders and `s3://` locations together. An S3 location is listed with the layout's
 * pruning (`filter`: the runbook's time window keeps a poll from listing years of folders, each
 * folder one ListObjectsV2 request), and an empty one is not an error here: logs may not have
 * arrived yet.
 */
export function pathsLister(paths: readonly string[], s3: S3Source | undefined, filter: PruneFilter = {}): LogLister {
  const local = paths.filter((p) => !isS3Url(p)).map((p) => resolve(p));
  const urls = paths.filter(isS3Url);
  if (urls.length > 0 && !s3) throw new Error('an s3:// location needs an S3 source');
  return {
    async list() {
      const listing = local.length ? await listLocalPaths(local) : { files: [], skipped: [] };
      if (!urls.length) return listing;
      const remote = await s3!.list(urls, filter, { emptyIsError: false });
      return { files: [...listing.files, ...remote.files], skipped: [...listing.skipped, ...remote.skipped] };
    },
  };
}

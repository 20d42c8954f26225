import type { Readable } from 'node:stream';
import type { S3Client, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { TrailbookError } from '../errors.js';
import type { LocalFile, SkippedPath } from './local.js';
import { createS3Client, s3Sdk, type S3Settings } from './s3-client.js';
import { s3Error, s3Failure } from './s3-errors.js';
import { planFolder } from './s3-folders.js';
import type { PruneFilter } from './s3-layout.js';
import { parseS3Url, s3Path, type S3Location } from './s3-url.js';

/** One object to read: what the ledger keys on (`s3://bucket/key` and the ETag) and where to fetch it. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  /** Without quotes; null when S3 gave none. */
  etag: string | null;
}

/** A listed object as the ingest driver takes files: `path` is `s3://bucket/key`, `mtimeMs` its LastModified. */
export interface S3File extends LocalFile {
  etag: string | null;
  s3: S3ObjectRef;
}

export interface S3Listing {
  files: S3File[];
  /** Objects listed but not to be read, with why (none yet: an archived object fails its GetObject, InvalidObjectState, and is skipped then). */
  skipped: SkippedPath[];
  /** Folders never listed, by reason (`delivered before the time range`, `account not selected`…). */
  foldersPruned: Record<string, number>;
}

/** The requests a run made: what S3 bills (docs/s3.md), and what the tests count. */
export interface S3RequestStats {
  listObjects: number;
  getObject: number;
  objectsListed: number;
  bytesFetched: number;
}

/** Raw bytes of one input, as file-stream.ts reads them (a local path, or this). */
export interface ByteSource {
  readonly name: string;
  chunks(): AsyncIterable<Buffer>;
}

/** Folders listed at once while walking (each is one request, or a few pages). */
const LIST_CONCURRENCY = 8;

/**
 * S3 as a source of log files: lists `s3://bucket/prefix` locations with the layout's pruning
 * (s3-folders.ts), and opens each object as a stream of its raw bytes (GetObject, streamed: never
 * a copy on disk). Counts every request. The same listing answers "what is new" for a poller:
 * compare its `path` and `etag` with the ledger.
 */
export class S3Source {
  readonly stats: S3RequestStats = { listObjects: 0, getObject: 0, objectsListed: 0, bytesFetched: 0 };

  constructor(readonly client: S3Client) {}

  static create(settings: S3Settings = {}): S3Source {
    return new S3Source(createS3Client(settings));
  }

  /**
   * One request per location (ListObjectsV2, one key): a missing bucket, a refusal or missing
   * credentials are said before any work, and before a store is made.
   */
  async probe(urls: readonly string[], options: { emptyIsError?: boolean } = {}): Promise<void> {
    for (const url of urls) {
      const { bucket, prefix } = parseS3Url(url);
      this.stats.listObjects++;
      let found: number;
      try {
        found = (await this.client.send(new (s3Sdk().ListObjectsV2Command)({ Bucket: bucket, Prefix: prefix || undefined, MaxKeys: 1 }))).KeyCount ?? 0;
      } catch (error) {
        throw s3Error(error, { operation: 'ListObjectsV2', bucket, key: prefix });
      }
      if (found === 0 && options.emptyIsError !== false) throw noObjects(url);
    }
  }

  /**
   * Every object under the locations (`s3://…` arguments), sorted by path, minus the pruned
   * folders. A location with nothing under it is an error (a wrong prefix), unless `emptyIsError`
   * is false (a poller waiting for the first delivery).
   */
  async list(urls: readonly string[], filter: PruneFilter = {}, options: { emptyIsError?: boolean } = {}): Promise<S3Listing> {
    const listing: S3Listing = { files: [], skipped: [], foldersPruned: {} };
    const seen = new Set<string>();
    for (const url of urls) {
      const location = parseS3Url(url);
      const before = listing.files.length + listing.skipped.length;
      const prunedBefore = Object.values(listing.foldersPruned).reduce((a, b) => a + b, 0);
      await this.walk(location, location.prefix, 0, filter, listing, seen);
      const pruned = Object.values(listing.foldersPruned).reduce((a, b) => a + b, 0) - prunedBefore;
      if (options.emptyIsError !== false && listing.files.length + listing.skipped.length === before && pruned === 0) throw noObjects(url);
    }
    listing.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return listing;
  }

  private async walk(location: S3Location, prefix: string, depth: number, filter: PruneFilter, listing: S3Listing, seen: Set<string>): Promise<void> {
    const flat = depth > 0 && planFolder(prefix, filter, depth).walk === 'flat';
    const folders: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(location.bucket, prefix, flat, token);
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (key === undefined || key.endsWith('/') || seen.has(key)) continue;
        seen.add(key);
        this.stats.objectsListed++;
        const path = s3Path(location.bucket, key);
        const etag = object.ETag ? object.ETag.replace(/"/g, '') : null;
        const size = object.Size ?? 0;
        listing.files.push({ path, displayPath: path, size, mtimeMs: object.LastModified?.getTime() ?? 0, etag, s3: { bucket: location.bucket, key, etag } });
      }
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) folders.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const walkable = folders.filter((folder) => {
      const plan = planFolder(folder, filter, depth + 1);
      if (plan.walk !== 'prune') return true;
      listing.foldersPruned[plan.reason] = (listing.foldersPruned[plan.reason] ?? 0) + 1;
      return false;
    });
    await forEachLimited(walkable, LIST_CONCURRENCY, (folder) => this.walk(location, folder, depth + 1, filter, listing, seen));
  }

  private async listPage(bucket: string, prefix: string, flat: boolean, token: string | undefined): Promise<ListObjectsV2CommandOutput> {
    this.stats.listObjects++;
    try {
      return await this.client.send(
        new (s3Sdk().ListObjectsV2Command)({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: flat ? undefined : '/', ContinuationToken: token }),
      );
    } catch (error) {
      throw s3Error(error, { operation: 'ListObjectsV2', bucket, key: prefix });
    }
  }

  /**
   * One object's bytes as they arrive. The GetObject asks for the listed ETag (`IfMatch`): an object
   * overwritten since the listing fails (PreconditionFailed) and is skipped, so the ledger never
   * pairs new bytes with an old ETag; the re-run lists and reads the new version.
   */
  open(ref: S3ObjectRef, signal?: AbortSignal): ByteSource {
    const stats = this.stats;
    const client = this.client;
    return {
      name: s3Path(ref.bucket, ref.key),
      async *chunks() {
        stats.getObject++;
        let body: Readable;
        try {
          const response = await client.send(
            new (s3Sdk().GetObjectCommand)({ Bucket: ref.bucket, Key: ref.key, ...(ref.etag ? { IfMatch: `"${ref.etag}"` } : {}) }),
            signal ? { abortSignal: signal } : {},
          );
          body = response.Body as Readable;
        } catch (error) {
          throw new Error(s3Error(error, { operation: 'GetObject', bucket: ref.bucket, key: ref.key }).message);
        }
        try {
          for await (const chunk of body) {
            stats.bytesFetched += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
        } catch (error) {
          const failure = s3Failure(error);
          throw new Error(`S3 GetObject on bucket ${ref.bucket}, key ${ref.key} broke while reading: ${failure.code}: ${failure.message}`);
        } finally {
          body.destroy();
        }
      },
    };
  }
}

function noObjects(url: string): TrailbookError {
  return new TrailbookError('INPUT', `no objects under ${url}`, {
    location: url,
    hint: `check the prefix (CloudTrail delivers under AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/): aws s3 ls ${url}`,
  });
}

async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  });
  await Promise.all(lanes);
}

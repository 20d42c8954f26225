import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { TrailbookError } from '../errors.js';
import { isS3Url, parseS3Url } from './s3-url.js';

export interface LocalFile {
  /** Absolute path. */
  path: string;
  /** Path as the user will recognise it: relative to the argument it was found under. */
  displayPath: string;
  size: number;
  mtimeMs: number;
}

/** A path found but not read, with why: every path under the arguments is a file or one of these. */
export interface SkippedPath {
  path: string;
  displayPath: string;
  code: 'unreadable' | 'not-a-regular-file' | 'symlink-loop';
  reason: string;
}

export interface LocalListing {
  files: LocalFile[];
  skipped: SkippedPath[];
}

/** Every regular file under the given files and folders (recursive, sorted). */
export async function listLocalFiles(paths: readonly string[]): Promise<LocalFile[]> {
  return (await listLocalPaths(paths)).files;
}

/**
 * Every regular file under the given files and folders, recursive and sorted, and every path that
 * cannot be read with its reason: unreadable files and folders (EACCES), FIFOs, sockets and
 * devices, broken links. Symbolic links are followed, to folders too; a folder already listed (by
 * its real path: a link loop, or a second link to it) is not listed again. Only a path that does
 * not exist at all is an error (INPUT).
 */
/** The INPUT error listing would raise for the first path that does not exist, before any work. */
export async function assertPathsExist(paths: readonly string[]): Promise<void> {
  for (const given of paths) {
    // An S3 location is checked by listing it (sources/s3.ts); its form is checked here, before any work.
    if (isS3Url(given)) {
      parseS3Url(given);
      continue;
    }
    try {
      await stat(resolve(given));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingPath(given);
    }
  }
}

function missingPath(given: string): TrailbookError {
  const hint = 'give a file or a folder of logs (as AWS delivers them: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…), or an s3://bucket/prefix';
  return new TrailbookError('INPUT', `no such file or folder: ${given}`, { location: given, hint });
}

export async function listLocalPaths(paths: readonly string[]): Promise<LocalListing> {
  const listing: LocalListing = { files: [], skipped: [] };
  const seen = new Set<string>();
  const folders = new Set<string>();
  for (const given of paths) {
    const root = resolve(given);
    let info: Stats;
    try {
      info = await stat(root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingPath(given);
      listing.skipped.push({ path: root, displayPath: given, code: 'unreadable', reason: `cannot read: ${fsReason(error)}` });
      continue;
    }
    const display = (path: string) => (path === root ? given : join(given, relative(root, path)));
    const onFile = (path: string, s: Stats) => {
      if (seen.has(path)) return;
      seen.add(path);
      listing.files.push({ path, displayPath: display(path), size: s.size, mtimeMs: s.mtimeMs });
    };
    const skip = (path: string, code: SkippedPath['code'], reason: string) => listing.skipped.push({ path, displayPath: display(path), code, reason });
    if (info.isFile()) onFile(root, info);
    else if (info.isDirectory()) await walk(root, { onFile, skip, folders });
    else skip(root, 'not-a-regular-file', `not a regular file (${kindOf(info)})`);
  }
  return listing;
}

interface Walk {
  onFile: (path: string, info: Stats) => void;
  skip: (path: string, code: SkippedPath['code'], reason: string) => void;
  /** Real paths of the folders listed so far. */
  folders: Set<string>;
}

async function walk(dir: string, w: Walk): Promise<void> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    return w.skip(dir, 'unreadable', `cannot read: ${fsReason(error)}`);
  }
  if (w.folders.has(real)) {
    return w.skip(dir, 'symlink-loop', `a link to ${real}, a folder already read (a link loop or a second link to it): not read again`);
  }
  w.folders.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    return w.skip(dir, 'unreadable', `cannot read the folder: ${fsReason(error)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let target: Stats;
    try {
      target = await stat(path); // follows links
    } catch (error) {
      w.skip(path, 'unreadable', entry.isSymbolicLink() ? `a link to nothing readable: ${fsReason(error)}` : `cannot read: ${fsReason(error)}`);
      continue;
    }
    if (target.isDirectory()) await walk(path, w);
    else if (target.isFile()) w.onFile(path, target);
    else w.skip(path, 'not-a-regular-file', `not a regular file (${kindOf(target)})`);
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a file or folder';
}

/** An fs error as a reason a user reads: `permission denied (EACCES)`. */
export function fsReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ELOOP: 'too many levels of symbolic links',
    ENOENT: 'no such file',
    EISDIR: 'is a folder',
    EIO: 'input/output error',
  };
  return e.code ? `${why[e.code] ?? e.message} (${e.code})` : String(e?.message ?? error);
}

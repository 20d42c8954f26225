import { mkdirSync, writeFileSync } from 'node:fs';
import { TrailbookError } from './errors.js';

/**
 * Files and folders the user named (`--out`, `--db`, `--repo`, `trailbook init`): when the
 * filesystem refuses them (a missing folder, no permission, a full disk) that is the user's
 * problem to fix, said in one wording with exit 13 — never the "this is a bug" exit 70.
 */
const REFUSALS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EEXIST: 'it already exists',
};

/** `what` names the flag or role (`--out`, `the store`), so the message says which path failed. */
export function outputRefusal(error: unknown, path: string, what: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? undefined : REFUSALS[code];
  if (reason === undefined) return error;
  return new TrailbookError('OUTPUT', `cannot write ${what} ${path}: ${reason}`, {
    location: path,
    hint: code === 'ENOENT' ? 'create the folder first, or choose another path' : 'choose another path, or fix its permissions',
    cause: error,
  });
}

/** Writes a user-named file; `exclusive` refuses to replace one that exists. */
export function writeOutputFile(path: string, content: string | Uint8Array, what: string, options: { exclusive?: boolean } = {}): void {
  try {
    writeFileSync(path, content, options.exclusive ? { flag: 'wx' } : undefined);
  } catch (error) {
    throw outputRefusal(error, path, what);
  }
}

/** Creates a user-named folder and its parents (nothing when it exists). */
export function makeOutputDir(path: string, what: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw outputRefusal(error, path, what);
  }
}

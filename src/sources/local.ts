import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { TrailbookError } from '../errors.js';

export interface LocalFile {
  /** Absolute path. */
  path: string;
  /** Path as the user will recognise it: relative to the argument it was found under. */
  displayPath: string;
  size: number;
  mtimeMs: number;
}

/** Every regular file under the given files and folders (recursive, sorted, symlinks followed once). */
export async function listLocalFiles(paths: readonly string[]): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const seen = new Set<string>();
  for (const given of paths) {
    const root = resolve(given);
    let info;
    try {
      info = await stat(root);
    } catch {
      throw new TrailbookError('INPUT', `no such file or folder: ${given}`, { location: given });
    }
    if (info.isFile()) {
      if (!seen.has(root)) out.push({ path: root, displayPath: given, size: info.size, mtimeMs: info.mtimeMs });
      seen.add(root);
      continue;
    }
    await walk(root, async (path) => {
      if (seen.has(path)) return;
      seen.add(path);
      const s = await stat(path);
      out.push({ path, displayPath: join(given, relative(root, path)), size: s.size, mtimeMs: s.mtimeMs });
    });
  }
  return out;
}

async function walk(dir: string, onFile: (path: string) => Promise<void>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, onFile);
    else if (entry.isFile()) await onFile(path);
    else if (entry.isSymbolicLink()) {
      const s = await stat(path).catch(() => null);
      if (s?.isFile()) await onFile(path);
    }
  }
}

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Empties a runbook's generated tests folder and returns a writer of files under it (folders made as needed). */
export function caseFolderWriter(out: string): (path: string, content: string) => void {
  rmSync(out, { recursive: true, force: true });
  return (path, content) => {
    const full = join(out, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
}

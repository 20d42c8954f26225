import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tempDir } from './fixtures.js';

/** Every file under `dir`, relative and `/`-separated, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** A copy of a runbook folder with one edit to its runbook.yaml (the edited text must occur exactly once). */
export function brokenCopy(t: Parameters<typeof tempDir>[0], runbookDir: string, from: string, to: string): string {
  const dir = join(tempDir(t), basename(runbookDir));
  cpSync(runbookDir, dir, { recursive: true });
  const file = join(dir, 'runbook.yaml');
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split(from).length, 2, `"${from}" must occur once in runbook.yaml`);
  writeFileSync(file, text.replace(from, to));
  return dir;
}

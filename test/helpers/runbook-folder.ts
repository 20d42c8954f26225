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

/**
 * A copy of a runbook folder in a temporary folder, with one edit to its runbook.yaml (the
 * edited text must occur exactly once): the proof that the runbook's tests catch a broken rule.
 */
export function brokenCopy(t: Parameters<typeof tempDir>[0], runbook: string, from: string, to: string): string {
  const dir = join(tempDir(t), basename(runbook));
  cpSync(runbook, dir, { recursive: true });
  const file = join(dir, 'runbook.yaml');
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split(from).length, 2, `"${from}" must occur once in runbook.yaml`);
  writeFileSync(file, text.replace(from, to));
  return dir;
}

/**
 * Asserts that a committed folder of generated test cases is exactly what its generator writes
 * (`writeCases` of `scripts/make-*-cases.ts`, run here in process): same files, same bytes.
 */
export function assertGenerated(t: Parameters<typeof tempDir>[0], writeCases: (out: string) => number, committedDir: string): void {
  const out = join(tempDir(t), 'tests');
  assert.ok(writeCases(out) > 0, 'the generator wrote no case');
  const committed = filesUnder(committedDir);
  assert.deepEqual(filesUnder(out), committed, 'regenerating adds or removes files: re-run the script and commit its output');
  for (const file of committed)
    assert.equal(readFileSync(join(out, file), 'utf8'), readFileSync(join(committedDir, file), 'utf8'), `${file} differs from the script's output`);
}

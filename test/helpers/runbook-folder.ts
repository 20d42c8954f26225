import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './corpus.js';
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
 * Asserts that a committed folder of generated test cases is exactly what its script writes
 * (`node --import tsx scripts/<script> <outDir>`): same files, same bytes.
 */
export function assertGenerated(t: Parameters<typeof tempDir>[0], script: string, committedDir: string): void {
  const out = join(tempDir(t), 'tests');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', script), out], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const committed = filesUnder(committedDir);
  assert.deepEqual(filesUnder(out), committed, 'regenerating adds or removes files: re-run the script and commit its output');
  for (const file of committed)
    assert.equal(readFileSync(join(out, file), 'utf8'), readFileSync(join(committedDir, file), 'utf8'), `${file} differs from the script's output`);
}

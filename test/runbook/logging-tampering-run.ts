import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Report } from '../../src/report/contract.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

export const RUNBOOK = join(REPO_ROOT, 'runbooks', 'logging-tampering');

/** `trailbook run logging-tampering <files> --format json` on a fresh store (extra flags after). */
export async function runOn(t: Parameters<typeof tempDir>[0], files: readonly string[], extra: readonly string[] = [], runbook = RUNBOOK): Promise<Report> {
  const db = join(tempDir(t), 'store.duckdb');
  const run = await runInProcess(['run', runbook, ...files, '--db', db, '--format', 'json', ...extra]);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Report;
}

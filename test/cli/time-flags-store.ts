import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';

export const SAMPLE = join(REPO_ROOT, 'sample');
export const TZS = ['America/New_York', 'Asia/Tokyo'];
// 10:00 on the sample's day: the revokes, the attempts and two later exposures come after it.
export const ZONELESS = '2024-05-14T10:00:00';
export const EXPLICIT = '2024-05-14T10:00:00Z';

export let dir = '';
export let db = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-time-flags-'));
  db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', join(SAMPLE, 'cloudtrail'), join(SAMPLE, 'vpcflow'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

export const jsonRows = (stdout: string): unknown[] => JSON.parse(stdout) as unknown[];

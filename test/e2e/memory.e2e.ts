import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeGzipBomb, writeLargeCloudTrailFile } from './generate.js';

/**
 * Issue 12: the streaming path, proven under a cap. The CLI runs in a child process with a V8 heap
 * of 160 MB (DuckDB keeps its own 256 MB ingest cap): reading files whole needed more (a 136 MB
 * file of 200,000 events, and a 1.4 MB gzip that inflates to 300 MB, both ran out of heap, exit
 * 134), streaming does not. Slow (tens of seconds), so it runs as `npm run test:e2e`, not in
 * `npm test`; .ci/run runs both. Needs `npm run build` (bin/trailbook.js loads dist/).
 */
const HEAP_MB = 160;

function ingestUnderCap(input: string, db: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, join(REPO_ROOT, 'bin', 'trailbook.js'), 'ingest', input, '--db', db, '--json', '--no-progress'],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test(`200,000 events in one file are ingested with a ${HEAP_MB} MB heap`, (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'logs'));
  writeLargeCloudTrailFile(join(dir, 'logs', 'events.json'), 200_000);
  const run = ingestUnderCap(join(dir, 'logs'), join(dir, 'store.duckdb'));
  assert.equal(run.status, 0, run.stderr.slice(0, 2000));
  const summary = JSON.parse(run.stdout) as { events: { found: number; inserted: number; skipped: number } };
  assert.deepEqual([summary.events.found, summary.events.inserted, summary.events.skipped], [200_000, 200_000, 0]);
});

test(`a gzip bomb (300 MB of one record) is skipped record by record with a ${HEAP_MB} MB heap`, async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'logs'));
  await writeGzipBomb(join(dir, 'logs', 'bomb.json.gz'), 300 * 1024 * 1024);
  const run = ingestUnderCap(join(dir, 'logs'), join(dir, 'store.duckdb'));
  assert.equal(run.status, 0, run.stderr.slice(0, 2000));
  const summary = JSON.parse(run.stdout) as { events: { skippedByReason: Record<string, number> }; bytes: { uncompressed: number } };
  assert.deepEqual(summary.events.skippedByReason, { 'record-too-large': 1 });
  assert.ok(summary.bytes.uncompressed > 300 * 1024 * 1024, 'the whole stream was read, never held');
});

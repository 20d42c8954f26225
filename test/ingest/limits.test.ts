import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_LIMITS, formatBytes, parseByteSize, parseCount, resolveLimits } from '../../src/ingest/limits.js';
import { TrailbookError } from '../../src/errors.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

test('limit flags: sizes in bytes or binary units, anything else a usage error', () => {
  assert.equal(parseByteSize('1048576', '--max-record-bytes'), 1024 * 1024);
  assert.equal(parseByteSize('64M', '--max-record-bytes'), 64 * 1024 * 1024);
  assert.equal(parseByteSize('4GiB', '--max-file-bytes'), 4 * 1024 ** 3);
  assert.equal(parseByteSize('512k', '--max-file-bytes'), 512 * 1024);
  for (const bad of ['', 'abc', '-5', '0', '12 parsecs', '1e9']) {
    assert.throws(
      () => parseByteSize(bad, '--max-file-bytes'),
      (e) => e instanceof TrailbookError && e.code === 'USAGE',
      bad,
    );
  }
  assert.equal(parseCount('64', '--max-depth'), 64);
  assert.throws(
    () => parseCount('2.5', '--max-depth'),
    (e) => e instanceof TrailbookError && e.code === 'USAGE',
  );
  assert.equal(formatBytes(32 * 1024 * 1024), '32 MiB');
  assert.equal(formatBytes(1000), '1000 bytes');
  assert.deepEqual(resolveLimits({ maxDepth: 7, maxFileBytes: undefined }), { ...DEFAULT_LIMITS, maxDepth: 7 });
});

test('CLI: the limit flags reach the reader, and a bad value is exit 2', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'logs/a.json': records(ctEvent({ eventID: 'flat' }), ctEvent({ eventID: 'nested', requestParameters: { a: { b: { c: 1 } } } })) });
  const db = join(dir, 'store.duckdb');
  const run = await runInProcess(['ingest', join(dir, 'logs'), '--db', db, '--json', '--no-progress', '--max-depth', '3']);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { events: { inserted: number; skippedByReason: Record<string, number> } };
  assert.equal(summary.events.inserted, 1);
  assert.deepEqual(summary.events.skippedByReason, { 'too-deep': 1 });
  const bad = await runInProcess(['ingest', join(dir, 'logs'), '--db', db, '--no-progress', '--max-record-bytes', 'lots']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--max-record-bytes "lots" is not a byte size/);
});

/**
 * Two processes on one store: DuckDB's file lock is per process, so this runs the built CLI
 * (`npm run build` first) as a subprocess while the test process holds the store open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { demoArgs, sample } from './demo-args.js';
import { runCli, tempDir } from '../helpers/fixtures.js';
import type { ReportV1 as Report } from '../../src/report/contract.js';

test('with nothing to ingest, investigate only reads: it runs while another process holds the store open for reading', async (t) => {
  const db = join(tempDir(t), 'store.duckdb');
  assert.equal(runCli(demoArgs(db, 'json')).status, 0);
  // DuckDB lets several processes read a file or one write it: a writable open would fail here.
  const reader = await DuckDBEngine.open({ path: db, readOnly: true });
  try {
    const again = runCli(['investigate', '--db', db, '--format', 'json', '--to', '2024-05-15T00:00:00Z', '--trusted', sample('trusted-networks.yaml')]);
    assert.equal(again.status, 0, again.stderr);
    assert.ok((JSON.parse(again.stdout) as Report).findings.length > 0);
    const ingest = runCli(['ingest', '--db', db, sample('cloudtrail')]);
    assert.notEqual(ingest.status, 0, 'writing needs the store to itself');
    assert.match(ingest.stderr, /cannot open the store/);
  } finally {
    await reader.close();
  }
});

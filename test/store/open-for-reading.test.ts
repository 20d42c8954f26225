import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { duckdb } from '../../src/engines/duckdb/binding.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { storeInputs } from '../../src/investigate/inputs.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { STORE_LAYOUT } from '../../src/store/layout.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';

const sample = (p: string) => join(REPO_ROOT, 'sample', p);
const NOW = new Date('2024-05-15T00:00:00Z');

async function ingestSample(db: string): Promise<void> {
  const engine = await DuckDBEngine.open({ path: db });
  try {
    await ingestPaths(engine, [sample('cloudtrail'), sample('vpcflow')]);
  } finally {
    await engine.close();
  }
}

async function reportOf(engine: DuckDBEngine) {
  const runbook = await loadRunbook(join(REPO_ROOT, 'runbooks', 'port-exposure'));
  const intel = await loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });
  return investigate(engine, { runbook, intel, parameters: { port: 8443 }, now: NOW, inputs: await storeInputs(engine) });
}

async function withEngine<T>(open: Promise<DuckDBEngine>, use: (engine: DuckDBEngine) => Promise<T>): Promise<T> {
  const engine = await open;
  try {
    return await use(engine);
  } finally {
    await engine.close();
  }
}

/** Runs SQL on the file with DuckDB alone: what another program, or an older trailbook, might have left. */
async function rawSql(db: string, sql: string, params?: Record<string, string>): Promise<void> {
  const instance = await duckdb.DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    await connection.run(sql, params);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const setMeta = (db: string, key: string, value: string) => rawSql(db, 'UPDATE trailbook_meta SET value = $value WHERE key = $key', { key, value });

test('a current store is opened read-only and answers exactly as a writable open does', async (t) => {
  const db = join(tempDir(t), 'store.duckdb');
  await ingestSample(db);
  const writable = await withEngine(DuckDBEngine.open({ path: db }), reportOf);
  const [readOnly, report] = await withEngine(DuckDBEngine.openForReading({ path: db }), async (engine) => [engine.readOnly, await reportOf(engine)] as const);
  assert.equal(readOnly, true);
  assert.deepEqual(report, writable);
  assert.ok(report.findings.length > 0 && report.inputs.cloudtrail.events > 0);
});

test('a store whose layout or kept changes are not this code\'s is opened writable, which brings it up to date', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  await ingestSample(db);
  const before = await withEngine(DuckDBEngine.open({ path: db }), reportOf);

  // Written by an older trailbook: another layout digest.
  await setMeta(db, 'layout', 'an-older-layout');
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => e.readOnly), false);
  const layout = await withEngine(DuckDBEngine.open({ path: db, readOnly: true }), async (e) => (await e.all("SELECT value FROM trailbook_meta WHERE key = 'layout'")).rows);
  assert.deepEqual(layout, [{ value: STORE_LAYOUT }], 'the writable open recorded the current layout');
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => e.readOnly), true);

  // Kept exposure changes computed by other judging code.
  await setMeta(db, 'exposure-changes', '{"format":0}');
  const [readOnly, after] = await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => [e.readOnly, await reportOf(e)] as const);
  assert.equal(readOnly, false);
  assert.deepEqual(after, before);
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => e.readOnly), true);
});

test('a missing store is created by a writable open; so is a database without trailbook\'s tables', async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'new', 'store.duckdb');
  await withEngine(DuckDBEngine.openForReading({ path: missing }), async (engine) => {
    assert.equal(engine.readOnly, false);
    assert.deepEqual((await engine.all('SELECT count(*) AS n FROM cloudtrail_logs')).rows, [{ n: 0 }]);
  });
  assert.ok(existsSync(missing));

  const foreign = join(dir, 'foreign.duckdb');
  await rawSql(foreign, 'CREATE TABLE unrelated (x INTEGER)');
  await withEngine(DuckDBEngine.openForReading({ path: foreign }), async (engine) => {
    assert.equal(engine.readOnly, false);
    assert.deepEqual((await engine.all('SELECT count(*) AS n FROM vpc_flow_logs')).rows, [{ n: 0 }]);
  });
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: foreign }), async (e) => e.readOnly), true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { ingestSample, reportOf, withEngine, rawSql } from './store-fixtures.js';

test('a current store is opened read-only and answers exactly as a writable open does', async (t) => {
  const db = join(tempDir(t), 'store.duckdb');
  await ingestSample(db);
  const writable = await withEngine(DuckDBEngine.open({ path: db }), reportOf);
  const [readOnly, report] = await withEngine(DuckDBEngine.openForReading({ path: db }), async (engine) => [engine.readOnly, await reportOf(engine)] as const);
  assert.equal(readOnly, true);
  assert.deepEqual(report, writable);
  assert.ok(report.findings.length > 0 && (report.inputs.cloudtrail.events ?? 0) > 0);
});

test("a missing store is created by a writable open; so is a database without trailbook's tables", async (t) => {
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

// Slow suite (`npm run test:slow`): several file stores rebuilt from old layouts (~6 s); the rest is in open-for-reading.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { STORE_LAYOUT } from '../../src/store/layout.js';
import { tempDir } from '../helpers/fixtures.js';
import { ingestSample, reportOf, withEngine, rawSql } from './store-fixtures.js';

const setMeta = (db: string, key: string, value: string) => rawSql(db, 'UPDATE trailbook_meta SET value = $value WHERE key = $key', { key, value });

test("a store whose layout or kept changes are not this code's is opened writable, which brings it up to date", async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  await ingestSample(db);
  const before = await withEngine(DuckDBEngine.open({ path: db }), reportOf);

  // Written by an older trailbook: another layout digest.
  await setMeta(db, 'layout', 'an-older-layout');
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => e.readOnly), false);
  const layout = await withEngine(
    DuckDBEngine.open({ path: db, readOnly: true }),
    async (e) => (await e.all("SELECT value FROM trailbook_meta WHERE key = 'layout'")).rows,
  );
  assert.deepEqual(layout, [{ value: STORE_LAYOUT }], 'the writable open recorded the current layout');
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => e.readOnly), true);

  // Kept exposure changes computed by other judging code.
  await setMeta(db, 'exposure-changes', '{"format":0}');
  const [readOnly, after] = await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => [e.readOnly, await reportOf(e)] as const);
  assert.equal(readOnly, false);
  assert.deepEqual(after, before);
  assert.equal(await withEngine(DuckDBEngine.openForReading({ path: db }), async (e) => e.readOnly), true);
});

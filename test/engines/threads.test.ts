import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBEngine } from '../../src/local-store.js';

async function threadsOf(options: { threads?: number }, variable: string | undefined): Promise<number> {
  const saved = process.env['TRAILBOOK_DUCKDB_THREADS'];
  if (variable === undefined) delete process.env['TRAILBOOK_DUCKDB_THREADS'];
  else process.env['TRAILBOOK_DUCKDB_THREADS'] = variable;
  try {
    const engine = await DuckDBEngine.open({ path: ':memory:', ...options });
    try {
      return Number((await engine.all("SELECT current_setting('threads') AS n")).rows[0]!['n']);
    } finally {
      await engine.close();
    }
  } finally {
    if (saved === undefined) delete process.env['TRAILBOOK_DUCKDB_THREADS'];
    else process.env['TRAILBOOK_DUCKDB_THREADS'] = saved;
  }
}

test('TRAILBOOK_DUCKDB_THREADS sets DuckDB threads when the caller does not; the caller wins; nonsense is ignored', async () => {
  const machine = await threadsOf({}, undefined);
  assert.equal(await threadsOf({}, '1'), 1);
  assert.equal(await threadsOf({}, '3'), 3);
  assert.equal(await threadsOf({ threads: 2 }, '1'), 2);
  for (const nonsense of ['0', '-1', 'two', '1.5', '']) assert.equal(await threadsOf({}, nonsense), machine, nonsense);
});

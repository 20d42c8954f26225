/**
 * The run queue alone, on an engine held by the test: one run at a time in the order asked, the
 * rest queued; a parameter error refused at once; stopping lets the run going finish and never
 * starts the queued ones.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { TrailbookError } from '../../src/errors.js';
import type { IntelIndex } from '../../src/intel/index.js';
import type { DuckDBEngine } from '../../src/local-store.js';
import { ParameterError } from '../../src/runbook/compile.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { BUNDLED_RUNBOOKS } from '../../src/runbook/resolve.js';
import { RunQueue } from '../../src/serve/runs.js';
import type { Serial } from '../../src/serve/store.js';

/** An engine whose every use waits for `release`, then fails as a store would (so no DuckDB is needed). */
function heldEngine(): { engine: Serial<DuckDBEngine>; release: () => void; uses: () => number } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let uses = 0;
  const engine = {
    use: async () => {
      uses++;
      await gate;
      throw new TrailbookError('INPUT', 'the store holds nothing');
    },
  } as unknown as Serial<DuckDBEngine>;
  return { engine, release: () => release(), uses: () => uses };
}

test('one run at a time, in order; stop: the run going finishes, the queued ones never start', async () => {
  const runbook = await loadRunbook(join(BUNDLED_RUNBOOKS, 'port-exposure'));
  const held = heldEngine();
  const queue = new RunQueue({ engine: held.engine, db: 'store.duckdb', intel: {} as IntelIndex, onBug: (e) => assert.fail(String(e)) });
  const runs = [8443, 22, 3389].map((port) => queue.submit(runbook, { port }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    runs.map((r) => r.status),
    ['running', 'queued', 'queued'],
  );
  assert.equal(held.uses(), 1);
  const stopped = queue.stop();
  held.release();
  await stopped;
  assert.deepEqual(
    runs.map((r) => [r.status, r.error?.code]),
    [
      ['failed', 'INPUT'],
      ['failed', 'INTERRUPTED'],
      ['failed', 'INTERRUPTED'],
    ],
  );
  assert.equal(held.uses(), 1, 'the queued runs never touched the store');
  assert.ok(runs.every((r) => r.finishedAt !== undefined));
});

test('bad parameters are refused when asked, never queued', async () => {
  const runbook = await loadRunbook(join(BUNDLED_RUNBOOKS, 'port-exposure'));
  const queue = new RunQueue({ engine: heldEngine().engine, db: 'store.duckdb', intel: {} as IntelIndex, onBug: () => {} });
  assert.throws(() => queue.submit(runbook, { port: 70000 }), ParameterError);
  assert.deepEqual(queue.list(), []);
});

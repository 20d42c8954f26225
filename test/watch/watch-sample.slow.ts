import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { alertsByIdentity, drop, SAMPLE_ALERTS_LATE_DELIVERY, SECRET, sampleFilesLateDelivery, startReceiver, watchArgs } from './receiver.js';

/**
 * Issue 16's "done when" on the whole bundled sample: its 92 files dropped into a watched folder
 * one by one (in the late-delivery order of receiver.ts, where the exposure of
 * sg-0a1b2c3d4e5f60718 escalates), `watch --once` after each, the receiver failing for a stretch
 * of them. Slow: 92 runs of the CLI in process, each ingesting a file and running the runbook.
 */
test('the whole sample, file by file: one alert per incident, one escalation, none lost while the receiver fails', { timeout: 600_000 }, async (t) => {
  const dir = tempDir(t);
  const watched = join(dir, 'logs');
  const db = join(dir, 'store.duckdb');
  const receiver = await startReceiver(t);
  const env = { TRAILBOOK_WEBHOOK_SECRET: SECRET };
  const order = sampleFilesLateDelivery();
  const statuses: number[] = [];
  for (const [index, file] of order.entries()) {
    // Down for ten drops in the middle of the day (11:00-13:45 or so): what they raise waits in the outbox.
    receiver.status = index >= 40 && index < 50 ? 500 : 200;
    drop(watched, file);
    const run = await runInProcess(watchArgs(watched, db, receiver.url), { env });
    assert.ok(run.status === 0 || (run.status === 16 && receiver.status === 500), `${file[0]}: exit ${run.status}\n${run.stderr}`);
    statuses.push(run.status);
  }
  const restart = await runInProcess(watchArgs(watched, db, receiver.url), { env });
  assert.equal(restart.status, 0, restart.stderr);
  assert.equal(restart.stderr, '', 'a restart with nothing new says and sends nothing');
  t.diagnostic(
    `${order.length} runs; exit 16 (undelivered) after ${statuses.filter((s) => s === 16).length} of them; ${receiver.refused} deliveries refused with 500`,
  );
  assert.equal(receiver.badSignatures, 0);
  assert.deepEqual(alertsByIdentity(receiver.unique()), SAMPLE_ALERTS_LATE_DELIVERY);
  // Delivered at least once: any duplicate is a re-send of the same id, never a second alert.
  assert.equal(receiver.unique().length, 4);
});

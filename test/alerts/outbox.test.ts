import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { backoffDelay, Outbox, type OutboxEntry, outboxFileName } from '../../src/alerts/outbox.js';
import { planAlerts } from '../../src/alerts/plan.js';
import { webhookSink } from '../../src/alerts/sinks/webhook.js';
import type { Report } from '../../src/report/contract.js';
import { tempDir } from '../helpers/fixtures.js';
import { SECRET, startReceiver } from '../watch/receiver.js';

const report = {
  generatedAt: '2024-05-14T12:00:00.000Z',
  runbook: { id: 'port-exposure', version: '3.1.1', title: 'Port exposure' },
  subject: 'port 8443',
  questions: [],
  answers: {},
  findings: [
    { id: 'exposure:1', title: 'one', decision: { action: 'isolate' } },
    { id: 'attempt:2', title: 'two', decision: { action: 'escalate' } },
  ],
} as unknown as Report;
const alerts = planAlerts(new Map(), report);

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2024-05-14T12:00:00Z')) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

/** A receiver on 127.0.0.1, the webhook sink to it, and an outbox in a fresh folder on a clock the test moves. */
async function setup(t: Parameters<typeof tempDir>[0] & Parameters<typeof startReceiver>[0]) {
  const receiver = await startReceiver(t);
  const sinks = [webhookSink({ name: 'hook', url: receiver.url, secret: SECRET })];
  const clock = manualClock();
  return { receiver, sinks, clock, outbox: new Outbox(tempDir(t), { now: clock.now }) };
}

test('backoff: 30 s after the first failure, doubled after each, capped at 30 min', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 6, 7, 50].map((n) => backoffDelay(n)),
    [30_000, 60_000, 120_000, 240_000, 960_000, 1_800_000, 1_800_000],
  );
  assert.equal(backoffDelay(3, { firstMs: 10, capMs: 25 }), 25);
});

test('enqueue writes one file per alert and sink, named from both; enqueueing again changes nothing', async (t) => {
  const dir = tempDir(t);
  const receiver = await startReceiver(t);
  const sinks = [webhookSink({ name: 'hook-a', url: receiver.url, secret: SECRET }), webhookSink({ name: 'hook-b', url: receiver.url, secret: SECRET })];
  const outbox = new Outbox(dir);
  assert.equal(outbox.enqueue(alerts, sinks), 4);
  const names = outbox.pendingNames().sort();
  assert.equal(names.length, 4);
  assert.ok(names.includes(outboxFileName('port-exposure/exposure:1@isolate', 'hook-a')));
  assert.match(outboxFileName('port-exposure/exposure:1@isolate', 'hook-a'), /^port-exposure_exposure_1_isolate\.[0-9a-f]{12}\.hook-a\.json$/);
  assert.equal(outbox.enqueue(alerts, sinks), 0);
  assert.deepEqual(outbox.pendingNames().sort(), names);
  // What is on disk is the whole alert, ready to send after a restart.
  const entry = JSON.parse(readFileSync(join(outbox.pendingDir, names[0]!), 'utf8')) as OutboxEntry;
  assert.equal(entry.attempts, 0);
  assert.equal(entry.nextAttemptAt, null);
  assert.ok(alerts.some((a) => a.id === entry.alert.id));
});

test('delivery removes what was sent; a 500 keeps it with its attempts and next time; due again, it is sent', async (t) => {
  const { receiver, sinks, clock, outbox } = await setup(t);
  outbox.enqueue(alerts, sinks);

  receiver.status = 500;
  const failed = await outbox.deliver(sinks);
  assert.deepEqual([failed.sent, failed.pending, failed.failed.length, failed.retrying.length], [0, 2, 0, 2]);
  assert.equal(failed.retrying[0]!.reason, 'hook: the receiver answered HTTP 500');
  const entry = JSON.parse(readFileSync(join(outbox.pendingDir, outbox.pendingNames()[0]!), 'utf8')) as OutboxEntry;
  assert.equal(entry.attempts, 1);
  assert.equal(entry.nextAttemptAt, '2024-05-14T12:00:30.000Z');
  assert.equal(entry.lastError, 'hook: the receiver answered HTTP 500');

  // Not yet due: nothing is tried (the receiver sees no request).
  receiver.status = 200;
  const refusedBefore = receiver.refused;
  clock.ms += 29_000;
  const early = await outbox.deliver(sinks);
  assert.deepEqual([early.sent, early.pending], [0, 2]);
  assert.equal(receiver.accepted.length, 0);
  assert.equal(receiver.refused, refusedBefore);

  clock.ms += 1_000;
  const due = await outbox.deliver(sinks);
  assert.deepEqual([due.sent, due.pending], [2, 0]);
  assert.deepEqual(outbox.pendingNames(), []);
  // In the order they were raised, each once, signed (the receiver refuses a bad signature).
  assert.deepEqual(
    receiver.accepted.map((a) => a.id),
    alerts.map((a) => a.id),
  );
  assert.equal(receiver.badSignatures, 0);
});

test('a second failure waits twice as long; ignoreSchedule (--once) tries at once', async (t) => {
  const { receiver, sinks, clock, outbox } = await setup(t);
  outbox.enqueue(alerts.slice(0, 1), sinks);
  receiver.status = 503;
  await outbox.deliver(sinks);
  clock.ms += 30_000;
  await outbox.deliver(sinks);
  const entry = JSON.parse(readFileSync(join(outbox.pendingDir, outbox.pendingNames()[0]!), 'utf8')) as OutboxEntry;
  assert.equal(entry.attempts, 2);
  assert.equal(Date.parse(entry.nextAttemptAt!) - clock.ms, 60_000);
  receiver.status = 200;
  const now = await outbox.deliver(sinks, { ignoreSchedule: true });
  assert.equal(now.sent, 1);
});

test('a final failure (HTTP 400) moves the file to failed/ with the reason; a sink no longer configured leaves it pending', async (t) => {
  const { receiver, sinks, outbox } = await setup(t);
  outbox.enqueue(alerts, sinks);
  const elsewhere = [webhookSink({ name: 'other', url: receiver.url, secret: SECRET })];
  const unrouted = await outbox.deliver(elsewhere);
  assert.deepEqual([unrouted.sent, unrouted.pending], [0, 2]);

  receiver.status = 400;
  const result = await outbox.deliver(sinks);
  assert.equal(result.failed.length, 2);
  assert.deepEqual(outbox.pendingNames(), []);
  const failedFiles = readdirSync(outbox.failedDir);
  assert.equal(failedFiles.length, 2);
  const entry = JSON.parse(readFileSync(join(outbox.failedDir, failedFiles[0]!), 'utf8')) as OutboxEntry;
  assert.equal(entry.lastError, 'hook: the receiver answered HTTP 400');
  assert.equal(entry.attempts, 1);
});

test('a temp file left by a crash mid-write is ignored; a file that is not an entry is set aside in failed/', async (t) => {
  const { receiver, sinks, outbox } = await setup(t);
  outbox.enqueue(alerts.slice(0, 1), sinks);
  writeFileSync(join(outbox.pendingDir, `.${outboxFileName('x@isolate', 'hook')}.1234.tmp`), '{"version":1,');
  writeFileSync(join(outbox.pendingDir, 'garbage.json'), 'not json');
  const result = await outbox.deliver(sinks);
  assert.equal(result.sent, 1);
  assert.deepEqual(
    receiver.accepted.map((a) => a.id),
    [alerts[0]!.id],
  );
  // The foreign file is set aside, said, and no longer pending; the temp file is left alone.
  assert.deepEqual(result.failed, [{ alertId: 'garbage.json', sink: '', reason: 'garbage.json is not an outbox entry' }]);
  assert.deepEqual(readdirSync(outbox.failedDir), ['garbage.json']);
  assert.deepEqual(outbox.pendingNames(), []);
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { alertsByIdentity, drop, SECRET, sampleFilesLateDelivery, startReceiver, watchArgs } from './receiver.js';

/**
 * Issue 16's "done when", in process and on a part of the sample (the whole sample, file by file,
 * is watch-sample.slow.ts): files dropped into a watched folder one at a time, `watch --once`
 * after each, a real receiver on 127.0.0.1 checking every signature.
 */
test('watch --once, file by file: one alert per incident, one more on escalation, none on a restart, none lost to a failing sink or a crash', async (t) => {
  const dir = tempDir(t);
  const watched = join(dir, 'logs');
  const db = join(dir, 'store.duckdb');
  const receiver = await startReceiver(t);
  const env = { TRAILBOOK_WEBHOOK_SECRET: SECRET };
  const order = sampleFilesLateDelivery();
  const file = (part: string) => order.find(([path]) => path.includes(part))!;
  const once = (...more: string[]) => runInProcess(watchArgs(watched, db, receiver.url, ...more), { env });
  const received = () => receiver.accepted.map((a) => `${a.identity} ${a.change}@${a.action}`);

  // The rejected probes of 08:40: one finding, never alerted (a new finding raises nothing only when it is false-positive).
  drop(watched, file('vpcflowlogs_us-east-1_fl-0123456789abcdef0_20240514T0800Z'));
  let run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(received(), []);
  assert.match(run.stderr, /watch: cycle 1: 1 new file \(1 read, 0 skipped\), 1 finding; 0 alerts queued/);

  // The responder's revokes land first: the exposure is new, at ticket.
  drop(watched, file('CloudTrail_us-east-1_20240514T1015Z'));
  run = await once('--report-dir', join(dir, 'reports'));
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(received(), ['port-exposure/exposure:dbe90ba0 new@ticket']);
  // The alert names the cycle's HTML report, written before it was sent.
  assert.match(receiver.accepted[0]!.reportPath ?? '', /reports\/port-exposure-.*\.html$/);
  assert.match(readFileSync(receiver.accepted[0]!.reportPath!, 'utf8'), /^<!doctype html>/i);

  // The late 09:15 file: the same exposure opened by a threat-feed address: escalated to isolate.
  drop(watched, file('CloudTrail_us-east-1_20240514T0915Z'));
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(received().slice(1), ['port-exposure/exposure:dbe90ba0 escalated@isolate']);

  // Its connections: the same incident, already at isolate: nothing more.
  drop(watched, file('vpcflowlogs_us-east-1_fl-0123456789abcdef0_20240514T0900Z'));
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.equal(receiver.accepted.length, 2);

  // A restart with nothing new: no alert, and a quiet cycle says nothing.
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.equal(receiver.accepted.length, 2);
  assert.equal(run.stderr, '');

  // The sink fails for a while: the alert stays in the outbox, exit 16, and a later run delivers it.
  receiver.status = 500;
  drop(watched, file('CloudTrail_us-east-1_20240514T1115Z'));
  run = await once();
  assert.equal(run.status, 16, run.stderr);
  assert.match(run.stderr, /1 alert still in the outbox/);
  assert.match(run.stderr, /webhook: the receiver answered HTTP 500 \(will retry\)/);
  assert.ok(receiver.refused >= 1);
  assert.equal(receiver.accepted.length, 2);
  run = await once();
  assert.equal(run.status, 16, 'still down: still pending');
  receiver.status = 200;
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /watch: outbox at start: 1 sent, 0 pending, 0 failed/);
  assert.deepEqual(received().slice(2), ['port-exposure/attempt:e01035eb new@escalate']);

  // A crash between the outbox write and the send (the hidden --skip-delivery stops right there):
  // the alert is on disk and in the state; the next run sends it once, and plans nothing new.
  drop(watched, file('CloudTrail_us-east-1_20240514T1330Z'));
  run = await once('--skip-delivery');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(receiver.accepted.length, 3);
  assert.equal(readdirSync(join(`${db}.outbox`, 'pending')).length, 1);
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(received().slice(3), ['port-exposure/exposure:299f4ec2 new@ticket']);
  assert.deepEqual(readdirSync(join(`${db}.outbox`, 'pending')), []);

  // Each alert once, every signature good, one alert per incident plus the escalation.
  assert.equal(receiver.badSignatures, 0);
  assert.equal(new Set(receiver.accepted.map((a) => a.id)).size, receiver.accepted.length);
  assert.deepEqual(alertsByIdentity(receiver.accepted), {
    'port-exposure/exposure:dbe90ba0': ['new@ticket', 'escalated@isolate'],
    'port-exposure/attempt:e01035eb': ['new@escalate'],
    'port-exposure/exposure:299f4ec2': ['new@ticket'],
  });
});

test('watch refuses to start without a sink, with a bad interval, or on an in-memory store', async (t) => {
  const dir = tempDir(t);
  let run = await runInProcess(['watch', dir, '--once']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /watch has nowhere to send alerts/);
  run = await runInProcess(['watch', dir, '--once', '--webhook', 'http://127.0.0.1:9/', '--interval', 'soon']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--interval "soon" is not a duration/);
  run = await runInProcess(['watch', dir, '--once', '--webhook', 'ftp://example.com/secret-token']);
  assert.equal(run.status, 2);
  assert.doesNotMatch(run.stderr, /secret-token/, 'a webhook URL is a secret: never echoed');
  run = await runInProcess(['watch', dir, '--once', '--webhook', 'http://127.0.0.1:9/', '--db', ':memory:']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /watch needs a store file/);
});

test('logs ingested by another command while no watch ran: the next start runs the runbook and alerts, with no new file', async (t) => {
  const dir = tempDir(t);
  const watched = join(dir, 'logs');
  const db = join(dir, 'store.duckdb');
  const receiver = await startReceiver(t);
  drop(watched, sampleFilesLateDelivery().find(([path]) => path.includes('CloudTrail_us-east-1_20240514T1115Z'))!);
  const ingest = await runInProcess(['ingest', watched, '--db', db]);
  assert.equal(ingest.status, 0, ingest.stderr);
  const run = await runInProcess(watchArgs(watched, db, receiver.url), { env: { TRAILBOOK_WEBHOOK_SECRET: SECRET } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /cycle 1: 0 new files \(0 read, 0 skipped\), 1 finding; 1 alert queued; 1 sent/);
  assert.deepEqual(
    receiver.accepted.map((a) => a.id),
    ['port-exposure/attempt:e01035eb@escalate'],
  );
});

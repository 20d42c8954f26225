import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Outbox } from '../../src/alerts/outbox.js';
import { findingIdentity } from '../../src/alerts/plan.js';
import { webhookSink } from '../../src/alerts/sinks/webhook.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { PORT_RUNBOOK } from '../../src/cli/options.js';
import { listLocalFiles } from '../../src/sources/local.js';
import { localLister } from '../../src/watch/lister.js';
import { type CycleSummary, runWatch, type WatchClock } from '../../src/watch/watch.js';
import { tempDir } from '../helpers/fixtures.js';
import { sample } from '../investigate/demo-args.js';
import { drop, SECRET, sampleFilesInTimeOrder, startReceiver } from './receiver.js';

const PARAMETERS = { to: '2024-05-15T00:00:00Z' };
const intelOf = () => loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });

test('a quiet cycle leaves the store closed; a file dropped between cycles opens it once', async (t) => {
  const dir = tempDir(t);
  const watched = join(dir, 'logs');
  const receiver = await startReceiver(t);
  const files = sampleFilesInTimeOrder();
  drop(watched, files.find(([p]) => p.includes('T1330Z'))!);
  const cycles: CycleSummary[] = [];
  // The clock's sleep is where the test acts between cycles: the 4th sleep drops a file.
  let sleeps = 0;
  const clock: WatchClock = {
    now: () => new Date('2024-05-15T00:00:00Z'),
    sleep: async () => {
      if (++sleeps === 4) drop(watched, files.find(([p]) => p.includes('T1115Z'))!);
    },
  };
  const db = join(dir, 'store.duckdb');
  const sinks = [webhookSink({ name: 'hook', url: receiver.url, secret: SECRET })];
  const result = await runWatch({
    lister: localLister([watched]),
    db,
    runbook: await loadRunbook(PORT_RUNBOOK),
    parameters: PARAMETERS,
    intel: await intelOf(),
    sinks,
    outbox: new Outbox(`${db}.outbox`),
    intervalMs: 0,
    once: false,
    maxCycles: 7,
    clock,
    onCycle: (c) => cycles.push(c),
  });
  assert.deepEqual(
    cycles.map((c) => c.storeOpened),
    [true, false, false, false, true, false, false],
  );
  assert.deepEqual(
    cycles.map((c) => c.alerts.map((a) => a.id)),
    [['port-exposure/exposure:299f4ec2@ticket'], [], [], [], ['port-exposure/attempt:e01035eb@escalate'], [], []],
  );
  assert.deepEqual([result.cycles, result.alertsRaised, result.sent, result.pending], [7, 2, 2, 0]);
  assert.equal(receiver.accepted.length, 2);
});

test('identities are stable across runs: two stores fed the same files in different batches give the same identities and decisions', async () => {
  const runbook = await loadRunbook(PORT_RUNBOOK);
  const intel = await intelOf();
  const files = await listLocalFiles([sample('cloudtrail'), sample('vpcflow')]);
  const identities = async (batches: (typeof files)[]) => {
    const engine = await DuckDBEngine.open({ path: ':memory:' });
    try {
      for (const batch of batches) await ingestFiles(engine, batch, { workers: 0 });
      const report = await investigate(engine, { runbook, parameters: PARAMETERS, intel, now: new Date('2024-05-15T00:00:00Z') });
      return report.findings.map((f) => `${findingIdentity(report.runbook.id, f.id)} ${f.decision.action}`).sort();
    } finally {
      await engine.close();
    }
  };
  const whole = await identities([files]);
  // Newest files first, seven at a time: another order and other batch boundaries.
  const reversed = [...files].reverse();
  const inSevens = Array.from({ length: Math.ceil(reversed.length / 7) }, (_, i) => reversed.slice(i * 7, i * 7 + 7));
  assert.deepEqual(await identities(inSevens), whole);
  assert.deepEqual(whole, [
    'port-exposure/attempt:e01035eb escalate',
    'port-exposure/exposure:299f4ec2 ticket',
    'port-exposure/exposure:928a2d99 false-positive',
    'port-exposure/exposure:dbe90ba0 isolate',
  ]);
});

test('ingestFiles stops before the next file when its signal aborts: the files read are stored and ledgered, the rest are not', async () => {
  const files = (await listLocalFiles([sample('cloudtrail')])).slice(0, 5);
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const stop = new AbortController();
    const summary = await ingestFiles(engine, files, {
      workers: 0,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.phase === 'reading' && p.filesDone === 2) stop.abort();
      },
    });
    assert.equal(summary.interrupted, true);
    assert.equal(summary.files.read, 2);
    const { rows } = await engine.all('SELECT count(DISTINCT path) AS n FROM ingest_ledger');
    assert.equal(Number(rows[0]!['n']), 2);
    // The next run reads the three left.
    const again = await ingestFiles(engine, files, { workers: 0 });
    assert.deepEqual([again.files.read, again.files.unchanged, again.interrupted], [3, 2, undefined]);
  } finally {
    await engine.close();
  }
});

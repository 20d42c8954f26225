import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Outbox } from '../../src/alerts/outbox.js';
import { webhookSink } from '../../src/alerts/sinks/webhook.js';
import { PORT_RUNBOOK } from '../../src/cli/options.js';
import { loadIntel } from '../../src/intel/index.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { localLister } from '../../src/watch/lister.js';
import { runWatch } from '../../src/watch/watch.js';
import { tempDir } from '../helpers/fixtures.js';
import { sample } from '../investigate/demo-args.js';
import { drop, SECRET, sampleFilesInTimeOrder, startReceiver } from './receiver.js';

const CYCLES = 10_000;
/** Heap growth allowed from cycle 1,000 to cycle 10,000: a leak of even 100 bytes a cycle (0.9 MB) would pass unseen below it only just. */
const BOUND_BYTES = 2 * 1024 * 1024;

/** A full GC before each sample: node's own when run with --expose-gc, else the flag set at run time (npm run test:slow passes none). */
function fullGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = fullGc();

/**
 * Issue 16: memory stays flat over a watch of 10,000 polling cycles. The loop runs at interval 0
 * on a watched folder of a few sample files (the first cycle ingests them, the rest are quiet:
 * a listing compared with the in-memory signatures and a look at the outbox). The heap is sampled
 * after cycle 1,000 and after cycle 10,000, after a full GC when node runs with --expose-gc.
 */
test(`memory stays flat over ${CYCLES} watch cycles`, { timeout: 600_000 }, async (t) => {
  const dir = tempDir(t);
  const watched = join(dir, 'logs');
  for (const file of sampleFilesInTimeOrder().slice(0, 5)) drop(watched, file);
  const receiver = await startReceiver(t);
  const db = join(dir, 'store.duckdb');
  const samples = new Map<number, number>();
  const sampleHeap = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  let storeOpens = 0;
  const started = performance.now();
  const result = await runWatch({
    lister: localLister([watched]),
    db,
    runbook: await loadRunbook(PORT_RUNBOOK),
    parameters: { to: '2024-05-15T00:00:00Z' },
    intel: await loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') }),
    sinks: [webhookSink({ name: 'hook', url: receiver.url, secret: SECRET })],
    outbox: new Outbox(`${db}.outbox`),
    intervalMs: 0,
    once: false,
    maxCycles: CYCLES,
    onCycle: (cycle) => {
      if (cycle.storeOpened) storeOpens++;
      if (cycle.cycle === 1_000 || cycle.cycle === CYCLES) samples.set(cycle.cycle, sampleHeap());
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const growth = samples.get(CYCLES)! - samples.get(1_000)!;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
  t.diagnostic(
    `heapUsed at 1,000 cycles ${mb(samples.get(1_000)!)} MB, at ${CYCLES} ${mb(samples.get(CYCLES)!)} MB, growth ${mb(growth)} MB (after a full GC); ${seconds.toFixed(1)} s`,
  );
  assert.equal(result.cycles, CYCLES);
  assert.equal(storeOpens, 1, 'only the first cycle had anything new');
  assert.ok(growth < BOUND_BYTES, `heap grew ${growth} bytes over ${CYCLES - 1_000} quiet cycles`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateCloudTrailCorpus } from '../../src/bench/generate/cloudtrail.js';
import { generateFlowCorpus } from '../../src/bench/flows-generate.js';
import { trailFlowLayout } from '../../src/bench/investigate.js';
import { ingestPaths, type IngestSummary } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { answerFirstPlan } from '../../src/investigate/answer-first.js';
import { reportOnStore } from '../../src/investigate/store-report.js';
import { DuckDBEngine } from '../../src/local-store.js';
import type { Report } from '../../src/report/contract.js';
import { compile } from '../../src/runbook/compile.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { logWindowOf } from '../../src/runbook/log-window.js';
import { CORPUS_ROOT, REPO_ROOT } from '../helpers/corpus.js';
import { ctEvent, gz, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { sample } from './demo-args.js';

// Answer-first (src/investigate/answer-first.ts): the report made from the scan of what the
// runbook reads is the report the store then gives, answers, findings, decisions and evidence
// alike; only the inputs say how it was made.

const RUNBOOKS = join(REPO_ROOT, 'runbooks');
const NOW = new Date('2026-12-01T00:00:00Z');

interface BothWays {
  scan: Report;
  store: Report;
  scanned: IngestSummary;
}

async function reportBothWays(
  t: { after: (fn: () => void | Promise<void>) => void },
  paths: readonly string[],
  parameters: Record<string, unknown>,
  intelFiles: { feeds: string[]; trusted?: string } = { feeds: [] },
): Promise<BothWays> {
  const runbook = await loadRunbook(join(RUNBOOKS, 'port-exposure'));
  const plan = compile(runbook.runbook, parameters, { now: NOW });
  const first = answerFirstPlan(plan);
  assert.ok('scope' in first, 'the port runbook can be answered first');
  const intel = await loadIntel({ feeds: intelFiles.feeds, trusted: intelFiles.trusted });
  const readWindow = logWindowOf(runbook.runbook, plan);
  const common = { db: 'test', runbook, parameters, intel, now: NOW };

  const scratch = await DuckDBEngine.open({ path: ':memory:' });
  let scan: Report;
  let scanned: IngestSummary;
  try {
    scanned = await ingestPaths(scratch, paths, { readWindow, only: first.scope });
    scan = await reportOnStore(scratch, { ...common, answeredFrom: 'scan' });
  } finally {
    await scratch.close();
  }
  const store = await DuckDBEngine.open({ path: join(tempDir(t), 'store.duckdb') });
  try {
    await ingestPaths(store, paths, { readWindow });
    return { scan, store: await reportOnStore(store, common), scanned };
  } finally {
    await store.close();
  }
}

/** The two reports agree on everything but how the logs were counted. */
function assertSameAnswers({ scan, store }: BothWays): void {
  const { inputs: scanInputs, ...scanRest } = scan;
  const { inputs: storeInputs, ...storeRest } = store;
  assert.deepEqual(scanRest, storeRest);
  assert.equal(scanInputs.answeredFrom, 'scan');
  assert.equal(storeInputs.answeredFrom, undefined);
  assert.equal(scanInputs.cloudtrail.events, null);
  assert.equal(scanInputs.vpcflow.records, null);
  assert.deepEqual({ ...scanInputs.cloudtrail, events: 0 }, { ...storeInputs.cloudtrail, events: 0 }, 'the same CloudTrail files read and skipped');
  assert.deepEqual({ ...scanInputs.vpcflow, records: 0 }, { ...storeInputs.vpcflow, records: 0 }, 'the same flow files read and skipped');
}

test('the sample: the answer-first report is the store report, for the port and for another port', async (t) => {
  const paths = [sample('cloudtrail'), sample('vpcflow')];
  const intel = { feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') };
  for (const port of [8443, 22, 443]) {
    const both = await reportBothWays(t, paths, { port, to: '2024-05-15T00:00:00Z' }, intel);
    assertSameAnswers(both);
    if (port === 8443) assert.ok(both.scan.findings.length > 0, 'the sample has findings on 8443');
    // The scan kept only what the runbook reads: far fewer events than the trail holds.
    assert.ok(
      both.scanned.events.inserted < both.scanned.events.accepted / 2,
      `${port}: ${both.scanned.events.inserted} of ${both.scanned.events.accepted} events kept`,
    );
  }
});

test('the whole shared corpus: the answer-first report is the store report (ports 8443, 22, 443, udp any)', async (t) => {
  if (!existsSync(CORPUS_ROOT)) return t.skip(`shared corpus not found at ${CORPUS_ROOT}: clone with ../shared beside the checkout`);
  for (const parameters of [{ port: 8443 }, { port: 22 }, { port: 443 }, { port: 53, protocol: 'any' }]) {
    const both = await reportBothWays(t, [CORPUS_ROOT], parameters);
    assertSameAnswers(both);
    t.diagnostic(
      `${JSON.stringify(parameters)}: ${both.store.findings.length} findings; scan kept ${both.scanned.events.inserted} events, ${both.scanned.flows.appended} flow records`,
    );
  }
});

test('a synthetic trail with trail-shaped flow logs: DuckDB scans every CloudTrail file, the flow records are narrowed, the report is the same', async (t) => {
  const dir = tempDir(t);
  const trail = join(dir, 'cloudtrail');
  const flows = join(dir, 'flows');
  const params = { root: trail, events: 4000, accounts: 2, regions: 2, days: 2, seed: 11 };
  await generateCloudTrailCorpus(params);
  const layout = trailFlowLayout({ ...params, seed: 11 });
  await generateFlowCorpus({ root: flows, records: 6000, seed: 4, ...layout.options });
  const both = await reportBothWays(t, [trail, flows], { port: 8443 });
  assertSameAnswers(both);
  assert.ok(both.scanned.scan && both.scanned.scan.files > 0, 'the delivered files go to DuckDB');
  assert.equal(both.scanned.scan.answered, both.scanned.scan.files, 'DuckDB answers for every file CloudTrail delivered');
  assert.ok(both.store.findings.length > 0, 'the planted exposures are found');
  assert.ok(
    both.scanned.flows.appended < both.scanned.flows.records,
    `flow records narrowed: ${both.scanned.flows.appended} of ${both.scanned.flows.records} stored`,
  );
});

test('odd files among delivered ones: DuckDB answers for the clean ones, the rest are decoded, the report is the same', async (t) => {
  const root = join(tempDir(t), 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '05', '01');
  const name = (id: string) => `111122223333_CloudTrail_us-east-1_20240501T1000Z_${id}.json.gz`;
  const opened = ctEvent({
    eventTime: '2024-05-01T10:05:00Z',
    eventName: 'AuthorizeSecurityGroupIngress',
    requestParameters: {
      groupId: 'sg-0123456789abcdef0',
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
    },
    responseElements: { _return: true },
  });
  const good = gz(records(ctEvent(), opened, ctEvent()));
  writeTree(root, {
    [name('good')]: good,
    [name('quiet')]: gz(records(ctEvent(), ctEvent())),
    // Cut short: DuckDB refuses it (and the files queried with it, until narrowed); decode.ts skips it.
    [name('truncated')]: good.subarray(0, good.length - 20),
    // An export's bare array under a delivered name, and two documents in one file: not what DuckDB reads alike.
    [name('bare')]: gz(JSON.stringify([ctEvent({ eventName: 'RevokeSecurityGroupIngress', eventTime: '2024-05-01T11:00:00Z' })])),
    [name('twice')]: gz(`${records(ctEvent())}\n${records(ctEvent({ eventName: 'ModifyNetworkInterfaceAttribute' }))}\n`),
    [name('empty')]: gz(''),
    // Records that are not events: decode.ts skips the file as not CloudTrail.
    [name('index')]: gz(records({ ruleId: 'a', eventName: 'RunInstances' } as Record<string, unknown>, { ruleId: 'b' })),
  });
  const both = await reportBothWays(t, [root], { port: 8443, to: '2024-05-02T00:00:00Z' });
  assertSameAnswers(both);
  assert.deepEqual(both.scanned.scan, { files: 7, answered: 2 }, 'DuckDB answers for the two clean files only');
  assert.ok(both.store.findings.length > 0, 'the opening is found');
  assert.ok(both.store.inputs.cloudtrail.skipped.length >= 2, 'the truncated and the index file are skipped, both ways');
});

test('a runbook with an SQL step is not answered first, and says why', async () => {
  const runbook = await loadRunbook(join(RUNBOOKS, 'logging-tampering'));
  const plan = compile(runbook.runbook, {}, { now: NOW });
  const first = answerFirstPlan(plan);
  assert.ok('reason' in first);
  assert.match(first.reason, /SQL/);
});

test('ingest refuses `only` into a file store: a store missing events would look current', async (t) => {
  const store = await DuckDBEngine.open({ path: join(tempDir(t), 'store.duckdb') });
  try {
    await assert.rejects(ingestPaths(store, [sample('cloudtrail')], { only: { eventNames: ['RunInstances'], flowPorts: [8443] } }), /in-memory store/);
  } finally {
    await store.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/contract.js';
import { caseExecutor } from '../../src/investigate/case.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { runRunbookTests } from '../../src/runbook/test-runner.js';
import { corpusFile } from '../helpers/corpus.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { RUNBOOK, runOn } from './logging-tampering-run.js';
import { writeCases } from '../../scripts/make-logging-tampering-cases.js';
import { assertGenerated, brokenCopy, filesUnder } from '../helpers/runbook-folder.js';

// The logging-tampering runbook (runbooks/logging-tampering): its own cases through the library
// the CLI uses, real Stratus Red Team detonations, and the proof that a broken edge is caught.
const TESTS = join(RUNBOOK, 'tests');
const STRATUS = 'cloudtrail/stratus-red-team-detonation-logs';

const leafOf = (finding: Report['findings'][number]) => finding.decision.path.at(-1);

test('the committed cases are what scripts/make-logging-tampering-cases.ts writes', (t) => {
  assertGenerated(t, writeCases, TESTS);
});

test("the runbook's own cases pass through the library the CLI uses, and every leaf has a case and a near miss", async () => {
  const { runbook } = await loadRunbook(RUNBOOK);
  const leaves = runbook.decision.nodes.filter((n) => 'action' in n).map((n) => n.id);
  assert.equal(leaves.length, 10);
  const report = await runRunbookTests(RUNBOOK, { executor: caseExecutor });
  const failed = report.cases.filter((c) => !c.passed);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 2));
  assert.equal(report.cases.length, readdirSync(TESTS).length);
  assert.ok(report.passed);
  const expectedOf = (name: string) => readFileSync(join(TESTS, name, 'expected.yaml'), 'utf8');
  for (const leaf of leaves) {
    assert.ok(
      report.cases.some((c) => expectedOf(c.name).includes(`leaf: ${leaf}\n`)),
      `no case reaches leaf ${leaf}`,
    );
    // A near miss says which leaf it is the near miss of, and lands elsewhere.
    const nearMisses = report.cases.filter((c) => c.description?.startsWith(`Near miss of ${leaf}: `));
    assert.ok(nearMisses.length >= 1, `no near miss of leaf ${leaf}`);
    for (const c of nearMisses) assert.ok(!expectedOf(c.name).includes(`leaf: ${leaf}\n`), `${c.name} is a near miss of ${leaf} but lands on it`);
  }
});

test('the fixtures stay tiny and use documentation or private addresses only', () => {
  for (const file of filesUnder(TESTS)) {
    const text = readFileSync(join(TESTS, file), 'utf8');
    assert.ok(text.length < 4_000, `${file} is ${text.length} characters: keep fixtures readable`);
    for (const [ip] of text.matchAll(/(?<![\w/.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)) {
      assert.match(ip, /^(10\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)/, `${file}: ${ip} is not a private or documentation address`);
    }
  }
});

test('lint is clean and runbook list shows it', async () => {
  const lint = await runInProcess(['runbook', 'lint', RUNBOOK]);
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  assert.match(lint.stdout, /logging-tampering: ok\n?$/);
  const list = await runInProcess(['runbook', 'list']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /logging-tampering/);
});

// Real detonations: each file holds the attack call as CloudTrail logged it (addresses scrambled
// by the publisher into public, reserved or unparsable values, none vouched for by any list).
const DETONATIONS: readonly { technique: string; kind: string; action: string; leaf: string; wentDark: string[]; eventNames: string[] }[] = [
  {
    technique: 'cloudtrail-stop',
    kind: 'tampering',
    action: 'isolate',
    leaf: 'isolate-still-dark',
    wentDark: ['trail stratus-red-team-ct-stop-trail-buykxbqejv'],
    eventNames: ['StopLogging'],
  },
  {
    technique: 'cloudtrail-delete',
    kind: 'tampering',
    action: 'isolate',
    leaf: 'isolate-still-dark',
    wentDark: ['trail stratus-red-team-cloudtraild-trail-kvrwohmiai'],
    eventNames: ['DeleteTrail'],
  },
  {
    technique: 'cloudtrail-event-selectors',
    kind: 'tampering',
    action: 'isolate',
    leaf: 'isolate-still-dark',
    wentDark: ['trail stratus-red-team-ctes-trail-khlvciwdor'],
    eventNames: ['PutEventSelectors'],
  },
  {
    technique: 'vpc-remove-flow-logs',
    kind: 'tampering',
    action: 'isolate',
    leaf: 'isolate-still-dark',
    wentDark: ['flow-logs fl-0e17aa62a21d4bbfe'],
    eventNames: ['DeleteFlowLogs'],
  },
  {
    technique: 'dns-delete-logs',
    kind: 'tampering',
    action: 'isolate',
    leaf: 'isolate-still-dark',
    wentDark: ['resolver-query-logs rqlc-4473f20ca554c07'],
    eventNames: ['DeleteResolverQueryLogConfig'],
  },
  // AWS refused it (AccessDenied): nothing went dark, but a stranger tried.
  {
    technique: 'organizations-leave',
    kind: 'attempt',
    action: 'escalate',
    leaf: 'escalate-refused-suspicious',
    wentDark: [],
    eventNames: ['LeaveOrganization'],
  },
];

for (const d of DETONATIONS) {
  test(`Stratus Red Team aws.defense-evasion.${d.technique}: one ${d.kind} finding, ${d.action} (${d.leaf})`, async (t) => {
    const file = corpusFile(t, `${STRATUS}/aws.defense-evasion.${d.technique}.json`);
    if (!file) return;
    const report = await runOn(t, [file]);
    assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.title)));
    const [finding] = report.findings;
    assert.equal(finding!.kind, d.kind);
    assert.equal(finding!.decision.action, d.action);
    assert.equal(leafOf(finding!), d.leaf);
    assert.deepEqual(report.answers['wentDark'], d.wentDark);
    assert.equal(report.answers['stillDark'], d.wentDark.length > 0);
    assert.deepEqual(report.answers['actions'], d.eventNames);
    assert.match(finding!.credentials?.arn ?? '', /christophe|stratus-red-team/);
    assert.ok(
      finding!.sources.every((s) => s.verdict === 'suspicious'),
      JSON.stringify(finding!.sources),
    );
  });
}

test('the other Stratus detonations (persistence, credential access, execution…) give no finding', async (t) => {
  const dir = corpusFile(t, STRATUS);
  if (!dir) return;
  const others = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('aws.defense-evasion.'))
    .map((f) => join(dir, f));
  assert.ok(others.length >= 20, `${others.length} files`);
  assert.ok(others.some((f) => f.endsWith('aws.persistence.iam-create-admin-user.json')));
  const report = await runOn(t, others);
  assert.equal(report.inputs.cloudtrail.files, others.length);
  assert.ok((report.inputs.cloudtrail.events ?? 0) > 250);
  assert.deepEqual(report.findings, []);
  assert.equal(report.answers['stillDark'], false);
});

test('on a real detonation, the trusted file and a threat feed change the decision and nothing else', async (t) => {
  const file = corpusFile(t, `${STRATUS}/aws.defense-evasion.cloudtrail-stop.json`);
  if (!file) return;
  const inputs = tempDir(t);
  writeTree(inputs, {
    // The detonating user, approved as if it were the team's pipeline.
    'trusted.yaml': 'version: 1\nprincipals:\n  - name: stratus-operator\n    arns: ["arn:aws:iam::143434273843:user/christophe"]\n',
    'feed.txt': '86.245.153.234\n',
  });
  const approved = await runOn(t, [file], ['--trusted', join(inputs, 'trusted.yaml')]);
  assert.deepEqual(
    approved.findings.map((f) => [f.decision.action, leafOf(f)]),
    [['ticket', 'ticket-trusted-change']],
  );
  assert.equal(approved.answers['stillDark'], true);
  const hostile = await runOn(t, [file], ['--intel', join(inputs, 'feed.txt')]);
  assert.deepEqual(
    hostile.findings.map((f) => [f.decision.action, leafOf(f)]),
    [['isolate', 'isolate-hostile']],
  );
});

test('the text report asks the five questions of the runbook on a detonation', async (t) => {
  const file = corpusFile(t, `${STRATUS}/aws.defense-evasion.cloudtrail-stop.json`);
  if (!file) return;
  const db = join(tempDir(t), 'store.duckdb');
  const run = await runInProcess(['run', RUNBOOK, file, '--db', db]);
  assert.equal(run.status, 0, run.stderr);
  for (const q of [
    'When did logging first go dark?',
    'What went dark?',
    'Who did it, with which credentials?',
    'From where: known, allowed or suspicious?',
    'Is it still dark?',
  ]) {
    assert.ok(run.stdout.includes(q), `missing question "${q}"`);
  }
  assert.match(run.stdout, /2024-07-31T13:06:24Z/);
  assert.match(run.stdout, /trail stratus-red-team-ct-stop-trail-buykxbqejv/);
});

test("a broken edge (a leaf's action swapped) makes the cases that reach it fail, and only those", async (t) => {
  // The still-dark branch now goes to the ticket leaf: an attacker's stopped trail would be a ticket.
  const dir = brokenCopy(t, RUNBOOK, 'then: isolate-still-dark', 'then: ticket-trusted-change');
  const reaching = readdirSync(TESTS)
    .filter((c) => readFileSync(join(TESTS, c, 'expected.yaml'), 'utf8').includes('leaf: isolate-still-dark\n'))
    .sort();
  assert.ok(reaching.length >= 5);
  // The cases that reach the broken leaf, and two that reach the leaf it now points to, which must still pass.
  const untouched = ['ticket-pipeline-deleted-trail', 'ticket-trail-narrowed-from-office'];
  const report = await runRunbookTests(dir, { executor: caseExecutor, only: [...reaching, ...untouched] });
  assert.equal(report.passed, false);
  assert.deepEqual(
    report.cases
      .filter((c) => !c.passed)
      .map((c) => c.name)
      .sort(),
    reaching,
  );
  assert.deepEqual(
    report.cases
      .filter((c) => c.passed)
      .map((c) => c.name)
      .sort(),
    untouched,
  );
  const stop = report.cases.find((c) => c.name === 'isolate-stranger-stopped-trail')!;
  assert.ok(
    stop.failures.some((f) => /decision\.leaf: expected "isolate-still-dark", got "ticket-trusted-change"/.test(f)),
    stop.failures.join('\n'),
  );
});

test('a broken edge on real data: the Stratus StopLogging is no longer isolated', async (t) => {
  const file = corpusFile(t, `${STRATUS}/aws.defense-evasion.cloudtrail-stop.json`);
  if (!file) return;
  const dir = brokenCopy(
    t,
    RUNBOOK,
    '- { field: signals.stillDark, op: eq, value: true }\n          - { field: signals.callerSuspicious',
    '- { field: signals.stillDark, op: eq, value: false }\n          - { field: signals.callerSuspicious',
  );
  const report = await runOn(t, [file], [], dir);
  assert.notEqual(report.findings[0]!.decision.action, 'isolate');
});

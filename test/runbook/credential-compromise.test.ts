/**
 * The credential-compromise runbook (runbooks/credential-compromise/): its own cases through the
 * library API `trailbook runbook test` uses, the proof that they catch a broken edge or threshold,
 * and the real Stratus Red Team detonation logs of ../shared/corpus run through it — the
 * techniques it is about get their finding and decision, the others no false isolate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parse } from 'yaml';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { executeCase } from '../../src/investigate/case.js';
import { investigate } from '../../src/investigate/investigate.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { runRunbookTests } from '../../src/runbook/test-runner.js';
import type { Finding, Report } from '../../src/report/contract.js';
import { renderReport } from '../../src/report/render/index.js';
import { corpusFile, REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { writeCases } from '../../scripts/make-credential-cases.js';
import { assertGenerated, brokenCopy, filesUnder } from '../helpers/runbook-folder.js';

const RUNBOOK = join(REPO_ROOT, 'runbooks', 'credential-compromise');
const TESTS = join(RUNBOOK, 'tests');
const STRATUS = 'cloudtrail/stratus-red-team-detonation-logs';

const failuresOf = (report: Awaited<ReturnType<typeof runRunbookTests>>) => report.cases.flatMap((c) => c.failures.map((f) => `${c.name}: ${f}`)).join('\n');

test('the committed cases are what scripts/make-credential-cases.ts writes', (t) => {
  assertGenerated(t, writeCases, TESTS);
});

/** Each leaf: a case that reaches it, and a near miss — a case a small change away — that must land elsewhere. */
const PAIRS: Record<string, [string, string]> = {
  'isolate-threat-feed': ['isolate-threat-feed-caller-check', 'ticket-used-outside-caller-check'],
  'isolate-stolen-key': ['isolate-stolen-key-recon-then-backdoor-user', 'escalate-change-backdoor-user-slow-recon'],
  'false-positive-service': ['false-positive-service-config-recorder', 'escalate-probing-service-role-session-outside'],
  'ticket-allowed-change': ['ticket-allowed-change-pipeline-creates-user', 'escalate-change-unlisted-private-address'],
  'escalate-change': ['escalate-change-stop-logging-outside', 'ticket-allowed-change-stop-logging-office'],
  'escalate-instance-credentials': ['escalate-instance-credentials-outside', 'false-positive-trusted-instance-credentials-inside'],
  'escalate-minted-key': ['escalate-minted-key-backdoor-key-used', 'false-positive-trusted-minted-key-used-from-office'],
  'escalate-probing': ['escalate-probing-denied-storm', 'ticket-used-outside-denied-spread'],
  'ticket-used-outside': ['ticket-used-outside-caller-check', 'isolate-threat-feed-caller-check'],
  'false-positive-trusted': ['false-positive-trusted-recon-from-office', 'escalate-probing-recon-burst'],
};

test('every decision leaf has a case and a near miss that lands elsewhere', () => {
  const runbook = parse(readFileSync(join(RUNBOOK, 'runbook.yaml'), 'utf8')) as { decision: { nodes: { id: string; action?: string }[] } };
  const leaves = runbook.decision.nodes
    .filter((n) => n.action !== undefined)
    .map((n) => n.id)
    .sort();
  assert.deepEqual(Object.keys(PAIRS).sort(), leaves);
  const leavesOf = (name: string) =>
    (parse(readFileSync(join(TESTS, name, 'expected.yaml'), 'utf8')) as { findings: { decision?: { leaf?: string } }[] }).findings.map((f) => f.decision?.leaf);
  for (const [leaf, [positive, nearMiss]] of Object.entries(PAIRS)) {
    assert.ok(leavesOf(positive).includes(leaf), `${positive} reaches ${leaf}`);
    assert.ok(leavesOf(nearMiss).length > 0 && !leavesOf(nearMiss).includes(leaf), `${nearMiss} lands elsewhere than ${leaf}`);
  }
  for (const name of readdirSync(TESTS)) assert.ok(filesUnder(join(TESTS, name)).includes('cloudtrail.json'), `${name} has a log fixture`);
});

test('the CLI lints the runbook clean, tests it and lists it', async () => {
  const lint = await runInProcess(['runbook', 'lint', 'runbooks/credential-compromise']);
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  assert.match(lint.stdout + lint.stderr, /runbooks\/credential-compromise: ok\n/);
  const list = await runInProcess(['runbook', 'list']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /credential-compromise +1\.\d+\.\d+/);
  const cases = await runInProcess(['runbook', 'test', 'runbooks/credential-compromise', '--case', 'isolate-stolen-key-recon-then-backdoor-user']);
  assert.equal(cases.status, 0, cases.stdout + cases.stderr);
  assert.match(cases.stdout, /passed: 1\n$/);
});

test('the runbook cases pass through the library API of `trailbook runbook test`', async () => {
  const report = await runRunbookTests(RUNBOOK, { executor: executeCase });
  assert.equal(report.runbookId, 'credential-compromise');
  assert.equal(report.cases.length, readdirSync(TESTS).length);
  assert.equal(report.passed, true, failuresOf(report));
});

test('a swapped edge fails the cases of the leaf it bypasses, naming the leaf', async (t) => {
  // Evidence of a stolen key now goes to the escalate leaf: the isolate cases must notice.
  const dir = brokenCopy(t, RUNBOOK, 'then: isolate-stolen-key', 'then: escalate-change');
  const only = ['isolate-stolen-key-recon-then-backdoor-user', 'escalate-change-backdoor-user-slow-recon'];
  const report = await runRunbookTests(dir, { executor: executeCase, only });
  assert.equal(report.passed, false);
  const [isolateCase, nearMiss] = report.cases;
  assert.equal(isolateCase!.passed, false);
  assert.match(isolateCase!.failures.join('\n'), /action: expected "isolate", got "escalate"/);
  assert.match(isolateCase!.failures.join('\n'), /decision\.leaf: expected "isolate-stolen-key", got "escalate-change"/);
  assert.equal(nearMiss!.passed, true, 'the near miss never went through the swapped edge');
});

test('a changed threshold fails the near miss that sits just below it', async (t) => {
  // Nine refused calls are not a storm at the default of ten; at nine they are.
  const dir = brokenCopy(t, RUNBOOK, '    default: 10\n    min: 2\n    max: 10000', '    default: 9\n    min: 2\n    max: 10000');
  const report = await runRunbookTests(dir, {
    executor: executeCase,
    only: ['escalate-change-login-profile-few-denied', 'isolate-stolen-key-denied-storm-then-login-profile'],
  });
  assert.equal(report.cases[0]!.passed, false);
  assert.match(report.cases[0]!.failures.join('\n'), /decision\.leaf: expected "escalate-change", got "isolate-stolen-key"/);
  assert.equal(report.cases[1]!.passed, true);
});

// --- The Stratus Red Team detonation logs -----------------------------------------------------

interface StratusRun {
  report: Report;
  /** The detonation file each finding's events come from. */
  fileOf: (f: Finding) => string;
  files: string[];
}

/** Every detonation file in one in-memory store (each file is its own account and keys), one run of the runbook. */
async function runStratus(t: TestContext, intel: { feeds?: string[] } = {}): Promise<StratusRun | undefined> {
  const dir = corpusFile(t, STRATUS);
  if (!dir) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const fileByEvent = new Map<string, string>();
  for (const file of files) {
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { eventID: string }[];
    for (const e of events) fileByEvent.set(e.eventID, file.replace(/\.json$/, ''));
  }
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const summary = await ingestPaths(
      engine,
      files.map((f) => join(dir, f)),
    );
    assert.equal(summary.skippedFiles.length, 0, 'every detonation file is read');
    assert.equal(summary.skippedRecordSamples.length, 0, 'every detonation event is read');
    const runbook = await loadRunbook(RUNBOOK);
    const report = await investigate(engine, { runbook, parameters: {}, intel: await loadIntel(intel), now: new Date('2025-01-01T00:00:00Z') });
    const fileOf = (f: Finding) => {
      const owners = [...new Set(f.eventIds.map((id) => fileByEvent.get(id)))];
      assert.equal(owners.length, 1, `finding ${f.title} spans one detonation`);
      return owners[0]!;
    };
    return { report, fileOf, files };
  } finally {
    await engine.close();
  }
}

const leafOf = (f: Finding) => f.decision.path.at(-1);

/** The techniques this runbook is about: [detonation, the credential that did it, the leaf, a signal that must hold]. */
const CAUGHT: [string, string, string, string][] = [
  ['aws.defense-evasion.cloudtrail-stop', 'AKIAGGWFBBHBE7D3M9WI', 'escalate-change', 'evasion'],
  ['aws.defense-evasion.cloudtrail-delete', 'AKIAFBJ48BV9CGRBRKGM', 'escalate-change', 'evasion'],
  ['aws.defense-evasion.cloudtrail-event-selectors', 'AKIA2I0BSXU5LNRWIN0K', 'escalate-change', 'evasion'],
  ['aws.defense-evasion.vpc-remove-flow-logs', 'AKIA5Q8Z0GHOBYSEN9D6', 'escalate-change', 'evasion'],
  ['aws.defense-evasion.dns-delete-logs', 'AKIADT99GZBZR7NVDT0D', 'escalate-change', 'evasion'],
  ['aws.defense-evasion.organizations-leave', 'ASIA36EV31F1RB3OA8IG', 'escalate-probing', 'changeRefused'],
  ['aws.persistence.iam-create-admin-user', 'AKIAOZUDECYXYM4ONAN4', 'escalate-change', 'persistence'],
  ['aws.persistence.iam-backdoor-user', 'AKIA30BEZSJBVKOFKZW0', 'escalate-change', 'persistence'],
  ['aws.persistence.iam-backdoor-role', 'AKIAMUV7B57OZM0RV05D', 'escalate-change', 'persistence'],
  ['aws.persistence.iam-create-backdoor-role', 'AKIA0W5KI69TY8X86BGT', 'escalate-change', 'persistence'],
  ['aws.persistence.iam-create-user-login-profile', 'AKIAE18PGYHCY2CYMTFK', 'escalate-change', 'persistence'],
  ['aws.privilege-escalation.iam-update-user-login-profile', 'AKIAV1MIS7NGMDMR83FC', 'escalate-change', 'persistence'],
  ['aws.persistence.rolesanywhere-create-trust-anchor', 'AKIA3SBEM4QSKES6Z5F9', 'escalate-change', 'persistence'],
  ['aws.persistence.sts-federation-token', 'AKIA6V1GNZTT65XQH36M', 'escalate-change', 'persistence'],
  // The federated session the token gave out, calling from the same address: the foothold in use.
  ['aws.persistence.sts-federation-token', 'ASIASTJKC5GCM7ZE6LUP', 'escalate-minted-key', 'mintedByFoothold'],
  ['aws.credential-access.ec2-get-password-data', 'ASIANQQHHS551LWULIWD', 'escalate-probing', 'deniedStorm'],
  ['aws.discovery.ec2-download-user-data', 'ASIA4URVX2JM5MT0ZGK8', 'escalate-probing', 'deniedStorm'],
  ['aws.credential-access.ec2-steal-instance-credentials', 'ASIAP5CT9NN8EYVU1FXV', 'escalate-instance-credentials', 'instanceCredentialsOutside'],
];

test('Stratus Red Team detonations: each technique the runbook is about gets its finding and decision, nothing is isolated on absence from a list', async (t) => {
  const run = await runStratus(t);
  if (!run) return;
  const { report, fileOf, files } = run;
  assert.equal(files.length, 35);
  // One finding per credential: every key or session of every detonation, none merged across files.
  assert.equal(report.findings.length, 41);
  const keys = report.findings.map((f) => f.credentials?.accessKeyId ?? f.credentials?.arn);
  assert.equal(new Set(keys).size, keys.length, 'one finding per credential');

  for (const [file, key, leaf, signal] of CAUGHT) {
    const finding = report.findings.find((f) => f.credentials?.accessKeyId === key);
    assert.ok(finding, `${file}: a finding for ${key}`);
    assert.equal(fileOf(finding), file);
    assert.equal(leafOf(finding), leaf, `${file}: ${finding.decision.path.join(' → ')}`);
    assert.ok(finding.signals?.[signal], `${file}: signal ${signal}`);
  }

  // No threat feed, no trusted networks: every address is only absent from the lists (or not a
  // valid address at all, as the publisher scrambled them). That is an alarm, never an isolation.
  assert.deepEqual(
    report.findings.filter((f) => f.decision.action === 'isolate').map((f) => f.title),
    [],
  );
  // The techniques that are not about credentials (lambda, sharing, instances, sessions, the
  // model invocation, the console login) and the keys that only assumed the attack roles are
  // tickets: used from an unlisted address, nothing more.
  const caughtKeys = new Set(CAUGHT.map(([, key]) => key));
  for (const f of report.findings.filter((f) => !caughtKeys.has(f.credentials?.accessKeyId ?? ''))) {
    assert.equal(leafOf(f), 'ticket-used-outside', `${fileOf(f)}: ${f.title}`);
  }

  // What it created, as the answers name it.
  const detailsOf = (key: string) => report.findings.find((f) => f.credentials?.accessKeyId === key)!.evidence.map((e) => e.detail);
  assert.deepEqual(detailsOf('AKIAOZUDECYXYM4ONAN4').sort(), [
    'AttachUserPolicy malicious-iam-user → arn:aws:iam::aws:policy/AdministratorAccess',
    'CreateAccessKey malicious-iam-user → AKIAXAFZN8JEPF6L682H',
    'CreateUser malicious-iam-user',
  ]);
  assert.ok(detailsOf('AKIA0W5KI69TY8X86BGT').includes('CreateRole stratus-red-team-malicious-iam-role (trusts a principal outside the account)'));
  assert.ok(
    (report.answers['created'] as string[]).some((d) => d.startsWith('GetFederationToken ')),
    'the federation token is a foothold',
  );
  assert.ok((report.answers['disabled'] as string[]).some((d) => d.startsWith('LeaveOrganization ') && d.endsWith('(refused: AccessDenied)')));
  assert.equal(report.answers['revoked'], false, 'no detonation deactivated its key');
});

test('Stratus Red Team: the same detonations with a threat feed naming the attacker address are isolated', async (t) => {
  const feed = join(tempDir(t), 'feed.txt');
  // The addresses of two detonations (the publisher's scrambled addresses; these two are valid).
  writeFileSync(feed, '86.245.153.234  # cloudtrail-stop detonation host\n200.249.253.51  # ec2-get-password-data detonation host\n');
  const run = await runStratus(t, { feeds: [feed] });
  if (!run) return;
  const isolated = run.report.findings.filter((f) => f.decision.action === 'isolate').map((f) => [run.fileOf(f), f.credentials?.accessKeyId, leafOf(f)]);
  assert.deepEqual(isolated.sort(), [
    ['aws.credential-access.ec2-get-password-data', 'AKIAWOGXN38MFN92ING5', 'isolate-threat-feed'],
    ['aws.credential-access.ec2-get-password-data', 'ASIANQQHHS551LWULIWD', 'isolate-threat-feed'],
    ['aws.defense-evasion.cloudtrail-stop', 'AKIAGGWFBBHBE7D3M9WI', 'isolate-threat-feed'],
  ]);
});

test('Stratus Red Team: with AWS ip-ranges loaded, stolen instance credentials used from an AWS address are not flagged (a stated limit)', async (t) => {
  const ranges = corpusFile(t, 'threatintel/aws-ip-ranges/ip-ranges.json.gz');
  if (!ranges) return;
  const run = await runStratus(t, { feeds: [`aws:${ranges}`] });
  if (!run) return;
  const stolen = run.report.findings.find((f) => f.credentials?.accessKeyId === 'ASIAP5CT9NN8EYVU1FXV')!;
  // The detonation host is an EC2 address: known, so the instance credentials look at home.
  assert.deepEqual(
    stolen.sources.map((s) => s.verdict),
    ['known'],
  );
  assert.equal(stolen.signals?.['instanceCredentialsOutside'], false);
  assert.equal(leafOf(stolen), 'false-positive-trusted');
});

test('the bundled sample: the two credentials sample/GROUND_TRUTH.md calls stolen are isolated, every other one is not', async () => {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const summary = await ingestPaths(engine, [join(REPO_ROOT, 'sample', 'cloudtrail')]);
    assert.equal(summary.skippedFiles.length, 0);
    const intel = await loadIntel({
      feeds: [join(REPO_ROOT, 'sample', 'intel', 'threat-feed.txt')],
      trusted: join(REPO_ROOT, 'sample', 'trusted-networks.yaml'),
    });
    const runbook = await loadRunbook(RUNBOOK);
    const report = await investigate(engine, { runbook, parameters: {}, intel, now: new Date('2025-01-01T00:00:00Z') });
    // A CloudTrail-only runbook: no finding has a direction, and no format prints one it does not have.
    assert.ok(report.findings.every((f) => !f.direction));
    for (const format of ['text', 'md', 'html'] as const) {
      const rendered = renderReport(report, format);
      assert.doesNotMatch(rendered, /direction/i, format);
      assert.doesNotMatch(rendered.split('\n').slice(0, 12).join('\n'), /trailbook · [^\n]*2000-01-01/, `${format}: the default start is not in the subject`);
    }
    const decided = Object.fromEntries(report.findings.map((f) => [f.credentials?.accessKeyId ?? f.title, leafOf(f)]));
    assert.deepEqual(decided, {
      // The legacy deploy key and the web host's instance-role session, both from the feed's address.
      AKIAQEXAMPLELEGACY01: 'isolate-threat-feed',
      ASIAQEXAMPLEWEBAPP01: 'isolate-threat-feed',
      ASIAQEXAMPLECIDEPLOY: 'false-positive-trusted',
      ASIAQEXAMPLEANALYST1: 'false-positive-trusted',
      ASIAQEXAMPLERESPOND1: 'false-positive-trusted',
      ASIAQEXAMPLECFNEXEC1: 'false-positive-service',
      'ec2.amazonaws.com (ec2.amazonaws.com)': 'false-positive-service',
    });
  } finally {
    await engine.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Report } from '../../src/report/contract.js';
import { CHECKOUT, REPO_ROOT } from '../helpers/corpus.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

/**
 * Issue 13's promise: a team changes what an investigation asks and decides in YAML alone. The
 * fixture runbook (test/runbook/fixtures/root-use) is named nowhere in src/; this test copies it
 * out of the repository, edits it as a security engineer would — a new finding kind, a new
 * signal, a new question, a new decision leaf — writes a test case per leaf, and then runs it
 * with `trailbook run` and tests it with `trailbook runbook test`.
 */
const FIXTURE = join(REPO_ROOT, 'test', 'runbook', 'fixtures', 'root-use');

const root = (overrides: Record<string, unknown>) =>
  ctEvent({
    userIdentity: {
      type: 'Root',
      principalId: '111122223333',
      arn: 'arn:aws:iam::111122223333:root',
      accountId: '111122223333',
      accessKeyId: 'ASIAEXAMPLEROOT00001',
    },
    ...overrides,
  });
const consoleSignIn = (ip: string, mfa: 'Yes' | 'No') =>
  root({
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    sourceIPAddress: ip,
    userAgent: 'Mozilla/5.0',
    additionalEventData: { MFAUsed: mfa },
    responseElements: { ConsoleLogin: 'Success' },
  });
const TRUSTED = 'version: 1\ncorporate:\n  - name: head-office\n    cidrs: [203.0.113.0/24]\n';

function listSrc(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listSrc(join(dir, e.name)) : [join(dir, e.name)]));
}

test('nothing in src/ names the fixture runbook', () => {
  const files = listSrc(join(CHECKOUT, 'src')).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 100, `${files.length} source files read`);
  for (const file of files) assert.ok(!readFileSync(file, 'utf8').includes('root-use'), file);
});

test('a runbook copied out of the repo and edited (finding kind, signal, question, leaf) runs and passes its tests with no TypeScript change', async (t) => {
  const dir = join(tempDir(t), 'root-use');
  cpSync(FIXTURE, dir, { recursive: true });

  // The edit: failed root calls become their own kind of finding, counted by a new signal,
  // asked about by a new question, and decided by a new leaf.
  const file = join(dir, 'runbook.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.set('version', '1.1.0');
  doc.setIn(['findings', 0, 'where'], doc.createNode({ field: 'error_code', op: 'exists', value: false }));
  doc.addIn(
    ['findings'],
    doc.createNode({
      id: 'denied',
      kind: 'root-denied',
      step: 'root_calls',
      where: { field: 'error_code', op: 'exists' },
      groupBy: ['source_ip'],
      title: '{{rows}} refused root {{rows|call|calls}} from {{source_ip}}',
    }),
  );
  doc.setIn(['signals', 'refusedCalls'], doc.createNode({ description: 'how many calls AWS refused', count: { field: 'error_code', op: 'exists' } }));
  doc.setIn(['answers', 'refused'], doc.createNode({ reduce: 'count', rows: { field: 'error_code', op: 'exists' } }));
  doc.setIn(['answers', 'anyRefused'], doc.createNode({ reduce: 'exists', findings: { field: 'kind', op: 'eq', value: 'root-denied' } }));
  doc.addIn(
    ['questions'],
    doc.createNode({
      id: 'refused',
      label: 'How many root calls were refused?',
      answer: 'refused',
      answerLabel: 'refused calls',
      details: [{ label: 'any refused', answer: 'anyRefused' }],
    }),
  );
  doc.setIn(['decision', 'root'], 'refused-storm');
  doc.addIn(
    ['decision', 'nodes'],
    doc.createNode({
      id: 'refused-storm',
      label: 'Three or more refused root calls?',
      when: {
        all: [
          { field: 'kind', op: 'eq', value: 'root-denied' },
          { field: 'signals.refusedCalls', op: 'gte', value: 3 },
        ],
      },
      then: 'escalate-refused',
      else: 'console-without-mfa',
    }),
  );
  doc.addIn(
    ['decision', 'nodes'],
    doc.createNode({
      id: 'escalate-refused',
      action: 'escalate',
      reasons: ['Someone keeps trying root calls that AWS refuses.'],
      verify: 'Check whether the root password or keys leaked.',
    }),
  );
  writeFileSync(file, doc.toString());

  const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00Z`;
  const refused = [1, 2, 3].map((m) =>
    root({ eventTime: at(m), eventName: 'CreateAccessKey', eventSource: 'iam.amazonaws.com', sourceIPAddress: '198.51.100.9', errorCode: 'AccessDenied' }),
  );
  writeTree(join(dir, 'tests'), {
    'escalate-console/expected.yaml':
      'description: Root signs in to the console without MFA from an unknown address.\nnow: "2024-06-01T00:00:00Z"\naction: escalate\nfindings:\n  - { kind: root-activity, decision: { leaf: escalate-console } }\n',
    'escalate-console/cloudtrail.json': records(consoleSignIn('198.51.100.7', 'No')),
    'ticket-trusted/expected.yaml':
      'description: Near miss — root signs in with MFA from head office.\nnow: "2024-06-01T00:00:00Z"\naction: ticket\nfindings:\n  - { kind: root-activity, decision: { leaf: ticket-trusted } }\n',
    'ticket-trusted/cloudtrail.json': records(consoleSignIn('203.0.113.20', 'Yes')),
    'ticket-trusted/trusted-networks.yaml': TRUSTED,
    'escalate-refused/expected.yaml':
      'description: Three refused root calls in three minutes.\nnow: "2024-06-01T00:00:00Z"\nanswers: { refused: 3 }\nfindings:\n  - { kind: root-denied, signals: { refusedCalls: 3 }, decision: { leaf: escalate-refused } }\n',
    'escalate-refused/cloudtrail.json': records(...refused),
    'refused-near-miss/expected.yaml':
      'description: Near miss — two refused calls are not a storm; from an unknown place they still escalate as unknown use.\nnow: "2024-06-01T00:00:00Z"\nanswers: { refused: 2 }\nfindings:\n  - { kind: root-denied, decision: { leaf: escalate-unknown } }\n',
    'refused-near-miss/cloudtrail.json': records(...refused.slice(0, 2)),
  });

  const lint = await runInProcess(['runbook', 'lint', dir]);
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  const tested = await runInProcess(['runbook', 'test', dir]);
  assert.equal(tested.status, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /passed: 4/);

  // `trailbook run ./that-folder` on logs holding both stories.
  const logs = join(tempDir(t), 'logs');
  writeTree(logs, { 'a.json': records(consoleSignIn('198.51.100.7', 'No'), ...refused) });
  const db = join(tempDir(t), 'store.duckdb');
  const run = await runInProcess(['run', dir, logs, '--db', db, '--format', 'json']);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal(report.schema, 'trailbook.report/v2');
  assert.equal(report.subject, 'the root user');
  assert.deepEqual(
    report.questions.map((q) => q.label),
    ['When did the root user first act?', 'Which services did it call?', 'From where: known, allowed or suspicious?', 'How many root calls were refused?'],
  );
  assert.equal(report.answers['refused'], 3);
  assert.deepEqual(report.answers['services'], ['iam.amazonaws.com', 'signin.amazonaws.com']);
  assert.deepEqual(report.findings.map((f) => [f.kind, f.decision.action, f.decision.path.at(-1)]).sort(), [
    ['root-activity', 'escalate', 'escalate-console'],
    ['root-denied', 'escalate', 'escalate-refused'],
  ]);
  // The text report asks the runbook's own questions, not the port runbook's.
  const text = await runInProcess(['run', dir, '--db', db]);
  assert.match(text.stdout, /^trailbook · the root user · runbook root-use \(1\.1\.0\+/);
  assert.match(text.stdout, /THE FOUR ANSWERS\nQ1 {2}When did the root user first act\?/);
  assert.match(text.stdout, /Q4 {2}How many root calls were refused\?\n {4}refused calls: 3\n {4}any refused: yes\n/);
  assert.equal(report.answers['anyRefused'], true);
  assert.doesNotMatch(text.stdout, /port 8443|flows:/);
  // v1 is the port runbook's contract: asking it of another runbook is refused, not bent.
  const v1 = await runInProcess(['run', dir, '--db', db, '--format', 'json', '--schema', 'v1']);
  assert.equal(v1.status, 2, v1.stdout);
  assert.match(v1.stderr, /does not fit trailbook\.report\/v1.*--schema v2/s);
});

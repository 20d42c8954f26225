import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCase, subsetDiff } from '../../src/runbook/test-compare.js';
import { ExpectedSchema } from '../../src/runbook/test-case.js';
import { formatTestReport, runRunbookTests, type CaseExecutor, type CaseInput } from '../../src/runbook/test-runner.js';
import { MINIMAL, writeTree } from './helpers.js';

/*
 * These tests use a FAKE executor: the real one (ingest fixtures, run the plan, decide) is
 * supplied by the execution stage later (src/runbook/case-executor.ts). The fake returns canned
 * outputs per case, which is enough to test case loading, compilation with the case's
 * parameters, and the comparison with its diffs.
 */
const isolateFinding = {
  id: 'f1',
  kind: 'exposure',
  title: 'Port 8443 opened to 0.0.0.0/0',
  eventIds: ['e1'],
  sources: [{ ip: '203.0.113.9', verdict: 'suspicious' }],
  decision: { action: 'isolate', path: ['a', 'b'], reasons: ['r'] },
};
const trafficFinding = { id: 'f2', kind: 'traffic', title: 'connections', decision: { action: 'ticket', path: [], reasons: [] } };

function fakeExecutor(
  outputs: Record<string, { findings: Record<string, unknown>[]; answers: Record<string, unknown> }>,
  seen: CaseInput[] = [],
): CaseExecutor {
  return async (input) => {
    seen.push(input);
    const output = outputs[input.testCase.name];
    if (!output) throw new Error(`fake executor has no output for ${input.testCase.name}`);
    return output;
  };
}

const passingExpected = `description: Port opened to the world from a suspicious address.
now: 2024-05-08T00:00:00Z
parameters: { port: 9443 }
action: isolate
answers:
  direction: inbound
findings:
  - kind: exposure
    sources: [{ verdict: suspicious }]
    decision: { action: isolate }
  - kind: traffic
`;

test('runs every case folder with its parameters and fixtures; passing cases pass', async () => {
  const dir = writeTree({
    'runbook.yaml': MINIMAL,
    'tests/world-open/expected.yaml': passingExpected,
    'tests/world-open/cloudtrail/events.json': '{"Records": []}',
    'tests/world-open/flows.log': 'version account-id\n',
  });
  const seen: CaseInput[] = [];
  const report = await runRunbookTests(dir, {
    executor: fakeExecutor({ 'world-open': { findings: [trafficFinding, isolateFinding], answers: { direction: 'inbound', firstSeen: 'x' } } }, seen),
  });
  assert.equal(report.passed, true, formatTestReport(report));
  assert.equal(report.runbookId, 'minimal');
  assert.deepEqual(seen[0]!.testCase.files, ['cloudtrail/events.json', 'flows.log']);
  assert.deepEqual(seen[0]!.plan.parameters['port'], { type: 'integer', value: 9443, source: 'given' });
  assert.equal(seen[0]!.plan.now, '2024-05-08T00:00:00Z');
  assert.match(formatTestReport(report), /ok {3}world-open — Port opened/);
});

test('failures read as diffs; broken cases fail with their location; nothing passes silently', async () => {
  const dir = writeTree({
    'runbook.yaml': MINIMAL,
    'tests/a-wrong-action/expected.yaml': passingExpected,
    'tests/b-no-expected/events.json': '{}',
    'tests/c-bad-expected/expected.yaml': 'description: x\nactoin: isolate\n',
    'tests/d-bad-parameter/expected.yaml': 'description: x\nparameters: { port: eighty }\n',
    'tests/e-executor-throws/expected.yaml': 'description: x\n',
  });
  const report = await runRunbookTests(dir, {
    executor: fakeExecutor({
      'a-wrong-action': {
        findings: [{ ...isolateFinding, decision: { action: 'escalate' } }, trafficFinding, { kind: 'attempt', title: 'extra' }],
        answers: { direction: 'outbound' },
      },
    }),
  });
  assert.equal(report.passed, false);
  const byName = Object.fromEntries(report.cases.map((c) => [c.name, c]));
  assert.deepEqual(byName['a-wrong-action']!.failures, [
    'action: expected "isolate", got "escalate"',
    'answers.direction: expected "inbound", got "outbound"',
    'expected finding 1 {kind: "exposure", action: isolate} not found; closest is findings[0] {kind: "exposure", title: "Port 8443 opened to 0.0.0.0/0", action: escalate}:',
    '    findings[0].decision.action: expected "isolate", got "escalate"',
    'unexpected finding findings[0] {kind: "exposure", title: "Port 8443 opened to 0.0.0.0/0", action: escalate}',
    'unexpected finding findings[2] {kind: "attempt", title: "extra"}',
  ]);
  assert.match(byName['b-no-expected']!.failures[0]!, /tests\/b-no-expected\/expected\.yaml: error MISSING_EXPECTED/);
  assert.match(byName['c-bad-expected']!.failures[0]!, /expected\.yaml:2:1: error UNKNOWN_FIELD: unknown field "actoin"/);
  assert.match(byName['d-bad-parameter']!.failures[0]!, /did not run: invalid parameters: port/);
  assert.match(byName['e-executor-throws']!.failures[0]!, /did not run: fake executor has no output/);
  const text = formatTestReport(report);
  assert.match(text, /FAIL a-wrong-action/);
  assert.match(text, /failed: 5 of 5/);
});

test('a runbook without cases fails', async () => {
  const report = await runRunbookTests(writeTree({ 'runbook.yaml': MINIMAL }), { executor: fakeExecutor({}) });
  assert.equal(report.passed, false);
  assert.match(formatTestReport(report), /FAIL no test cases/);
});

test('otherFindings: allowed ignores extra findings; subset comparison rules', () => {
  const expected = ExpectedSchema.parse({ description: 'x', findings: [{ kind: 'traffic' }], otherFindings: 'allowed' });
  assert.deepEqual(compareCase(expected, { findings: [isolateFinding, trafficFinding], answers: {} }), []);
  assert.deepEqual(subsetDiff({ a: [1, 2] }, { a: [1], b: 3 }, 'x'), ['x.a: expected 2 item(s) [1,2], got 1 [1]']);
  assert.deepEqual(subsetDiff({ a: { b: 1 } }, { a: { b: 1, c: 2 } }, 'x'), []);
  assert.deepEqual(subsetDiff('s', undefined, 'x'), ['x: expected "s", got nothing']);
  assert.deepEqual(compareCase(ExpectedSchema.parse({ description: 'x', action: 'ticket' }), { findings: [], answers: {} }), [
    'action: expected "ticket", got no finding with a decision',
  ]);
});

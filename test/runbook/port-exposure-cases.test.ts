import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';
import { writeCases } from '../../scripts/make-runbook-cases.js';
import { assertGenerated, brokenCopy, filesUnder } from '../helpers/runbook-folder.js';

// The port runbook's own test cases (runbooks/port-exposure/tests/), run by the built CLI as CI
// runs them, and the proof that they catch a broken rule.
const RUNBOOK = join(REPO_ROOT, 'runbooks', 'port-exposure');
const TESTS = join(RUNBOOK, 'tests');

test('the committed cases are what scripts/make-runbook-cases.ts writes', (t) => {
  assertGenerated(t, writeCases, TESTS);
});

test('every decision leaf has a case, and every case a description and fixtures', () => {
  const cases = readdirSync(TESTS).sort();
  const expected = cases.map((c) => readFileSync(join(TESTS, c, 'expected.yaml'), 'utf8'));
  const runbook = readFileSync(join(RUNBOOK, 'runbook.yaml'), 'utf8');
  const leaves = [...runbook.matchAll(/- id: ([a-z-]+)\n\s+action:/g)].map((m) => m[1]!);
  assert.equal(leaves.length, 12);
  for (const leaf of leaves)
    assert.ok(
      expected.some((e) => e.includes(`leaf: ${leaf}\n`)),
      `no case reaches leaf ${leaf}`,
    );
  for (const c of cases)
    assert.ok(
      filesUnder(join(TESTS, c)).some((f) => f === 'cloudtrail.json' || f === 'flows.log'),
      `${c} has no log fixture`,
    );
});

test('trailbook runbook test runbooks/port-exposure passes', async () => {
  const run = await runInProcess(['runbook', 'test', 'runbooks/port-exposure']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const cases = readdirSync(TESTS).length;
  assert.match(run.stdout, new RegExp(`runbook port-exposure \\(runbooks/port-exposure\\): ${cases} cases`));
  assert.match(run.stdout, new RegExp(`passed: ${cases}\\n$`));
  assert.doesNotMatch(run.stdout, /FAIL/);
});

test('runbook test fails when a decision edge is broken, naming the case and the field', async (t) => {
  // Outbound traffic to a threat-feed address now goes to the identity leaf: still "escalate",
  // so only the leaf tells the two apart.
  const dir = brokenCopy(t, RUNBOOK, 'then: escalate-outbound', 'then: escalate-identity');
  const run = await runInProcess(['runbook', 'test', dir, '--case', 'escalate-outbound-to-c2,false-positive-traffic-outbound-partner']);
  assert.equal(run.status, 8, run.stdout + run.stderr);
  assert.match(run.stdout, /FAIL escalate-outbound-to-c2/);
  assert.match(run.stdout, /findings\[0\]\.decision\.leaf: expected "escalate-outbound", got "escalate-identity"/);
  assert.match(run.stdout, /ok {3}false-positive-traffic-outbound-partner/);
  assert.match(run.stdout, /failed: 1 of 2/);
});

test('runbook test fails when a condition value is changed, naming the case and the field', async (t) => {
  const dir = brokenCopy(t, RUNBOOK, '- { field: signals.internetExposed, op: eq, value: true }', '- { field: signals.internetExposed, op: eq, value: false }');
  const run = await runInProcess(['runbook', 'test', dir, '--case', 'isolate-internet-rule-by-suspicious-caller']);
  assert.equal(run.status, 8, run.stdout + run.stderr);
  assert.match(run.stdout, /FAIL isolate-internet-rule-by-suspicious-caller/);
  assert.match(run.stdout, /action: expected "isolate", got "escalate"/);
  assert.match(run.stdout, /findings\[0\]\.decision\.leaf: expected "isolate", got "escalate-identity"/);
});

test('the fixtures stay tiny and use documentation addresses only', () => {
  for (const file of filesUnder(TESTS)) {
    const text = readFileSync(join(TESTS, file), 'utf8');
    // 9,000: room for five CloudTrail events of one burst (escalate-identity-attempts-five-groups-one-finding, ~8.3k).
    assert.ok(text.length < 9_000, `${file} is ${text.length} characters: keep fixtures readable`);
    for (const [ip] of text.matchAll(/(?<![\w/.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)) {
      assert.match(
        ip,
        /^(10\.|0\.0\.0\.0$|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)/,
        `${relative(TESTS, join(TESTS, file))}: ${ip} is not a private or documentation address`,
      );
    }
  }
});

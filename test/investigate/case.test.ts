import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { executeCase, partitionCaseFiles } from '../../src/investigate/case.js';
import { runRunbookTests } from '../../src/runbook/test-runner.js';

// The executor of `trailbook runbook test`: case folder → investigate → findings and answers.
const RUNBOOK = join(REPO_ROOT, 'runbooks', 'port-exposure');

test('case files: feeds under intel/ and the trusted file are loaded, notes ignored, the rest ingested', () => {
  assert.deepEqual(partitionCaseFiles(['cloudtrail.json', 'flows.log', 'intel/threat-feed.txt', 'intel/stix.json', 'trusted-networks.yaml', 'NOTES.md']), {
    logs: ['cloudtrail.json', 'flows.log'],
    feeds: ['intel/threat-feed.txt', 'intel/stix.json'],
    trusted: 'trusted-networks.yaml',
  });
});

test('a case runs investigate on its own files and reports the decision leaf of each finding', async () => {
  const report = await runRunbookTests(RUNBOOK, { executor: executeCase, only: ['escalate-identity-failed-attempts'] });
  assert.equal(report.passed, true, report.cases.flatMap((c) => c.failures).join('\n'));
  let output: Awaited<ReturnType<typeof executeCase>> | undefined;
  await runRunbookTests(RUNBOOK, { executor: async (input) => (output = await executeCase(input)), only: ['escalate-identity-failed-attempts'] });
  const [finding] = output!.findings as { decision: { leaf: string; path: string[] } }[];
  assert.equal(finding?.decision.leaf, 'escalate-identity');
  assert.equal(finding?.decision.path.at(-1), 'escalate-identity');
});

test('a fixture that ingest cannot read fails the case instead of being dropped', async (t) => {
  const dir = join(tempDir(t), 'port-exposure');
  cpSync(RUNBOOK, dir, { recursive: true });
  writeFileSync(join(dir, 'tests', 'escalate-outbound-to-c2', 'extra.json'), '{"not": "cloudtrail"}');
  const report = await runRunbookTests(dir, { executor: executeCase, only: ['escalate-outbound-to-c2'] });
  assert.equal(report.passed, false);
  assert.match(report.cases[0]!.failures.join('\n'), /the case did not run: fixtures not fully ingested: extra\.json skipped/);
});

test('a bad line in a fixture feed fails the case', async (t) => {
  const dir = join(tempDir(t), 'port-exposure');
  cpSync(RUNBOOK, dir, { recursive: true });
  writeFileSync(join(dir, 'tests', 'escalate-outbound-to-c2', 'intel', 'threat-feed.txt'), '198.51.100.77\n198.51.100.777\n');
  const report = await runRunbookTests(dir, { executor: executeCase, only: ['escalate-outbound-to-c2'] });
  assert.equal(report.passed, false);
  assert.match(report.cases[0]!.failures.join('\n'), /fixture feed not fully read .*line 2/);
});

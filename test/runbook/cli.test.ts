import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';
import { MINIMAL, minimalWith, writeTree } from './helpers.js';

/** Runs the real CLI (src/cli/program.ts) in this process, as a user would type it. */
async function trailbook(...args: string[]) {
  const result = await runInProcess(args, { cwd: REPO_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const EXAMPLE = 'test/runbook/fixtures/example';
const GOLDEN = join(import.meta.dirname, 'golden');

test('runbook plan prints the same plan as the golden file', async () => {
  const run = await trailbook('runbook', 'plan', EXAMPLE, '--now', '2024-05-08T12:00:00Z');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, readFileSync(join(GOLDEN, 'example-plan.txt'), 'utf8'));
  const json = await trailbook('runbook', 'plan', EXAMPLE, '--now', '2024-05-08T12:00:00Z', '--format', 'json');
  assert.equal(json.stdout, readFileSync(join(GOLDEN, 'example-plan.json'), 'utf8'));
});

test('runbook plan: bad parameter values are a usage error (exit 2)', async () => {
  const run = await trailbook('runbook', 'plan', EXAMPLE, '-p', 'port=99999', '-p', 'from=soon');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /invalid parameters: port: 99999 is above the maximum 65535; from: "soon" is not an ISO-8601 time/);
});

test('runbook lint: problems at file:line:col, exit 7 on errors (golden, paths scrubbed)', async () => {
  const dir = writeTree({
    'runbook.yaml': minimalWith('      else: ticket', '      else: tikcet').replace('eventsource AS event_source', 'eventsorce AS event_source'),
  });
  const run = await trailbook('runbook', 'lint', dir, '--now', '2026-12-10T00:00:00Z');
  assert.equal(run.code, 7, run.stderr);
  const scrubbed = run.stdout.replaceAll(dir, '<dir>');
  const path = join(GOLDEN, 'lint-broken.txt');
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, scrubbed);
  assert.equal(scrubbed, readFileSync(path, 'utf8'));
  assert.equal((await trailbook('runbook', 'lint', EXAMPLE)).code, 0);
});

test('runbook list shows ids, versions, owners, review states and validity', async () => {
  const overdue = minimalWith('id: minimal', 'id: stale').replace('reviewed: 2026-12-03', 'reviewed: 2026-06-01');
  const unowned = minimalWith('id: minimal', 'id: unowned').replace('owner: security-engineering\nreviewed: 2026-12-03\n', '');
  const root = writeTree({
    'good/runbook.yaml': MINIMAL,
    'stale/runbook.yaml': overdue,
    'unowned/runbook.yaml': unowned,
    'bad/runbook.yaml': 'id: [',
    'not-a-runbook/x.txt': '',
  });
  const soon = writeTree({ 'runbook.yaml': minimalWith('id: minimal', 'id: soon').replace('reviewed: 2026-12-03', 'reviewed: 2026-09-10') });
  const run = await trailbook('runbook', 'list', root, soon, '--now', '2026-12-03T12:00:00Z', '--format', 'json');
  assert.equal(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as {
    id: string | null;
    owner: string | null;
    review: string;
    reviewState: string | null;
    reviewDue: string | null;
    status: string;
  }[];
  assert.deepEqual(
    rows.map((r) => [r.id, r.owner, r.review, r.reviewState, r.reviewDue, r.status]),
    [
      [null, null, 'unknown (invalid runbook)', null, null, 'invalid (1 problem)'],
      ['minimal', 'security-engineering', 'ok', 'ok', '2027-03-03', 'ok'],
      ['stale', 'security-engineering', 'overdue by 95 days', 'overdue', '2026-08-30', 'ok'],
      ['unowned', null, 'never reviewed (no `reviewed` date)', 'unknown', null, 'ok'],
      ['soon', 'security-engineering', 'due in 6 days', 'due', '2026-12-09', 'ok'],
    ],
  );
  const text = await trailbook('runbook', 'list', root, '--now', '2026-12-03T12:00:00Z');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /stale\s+1\.0\.0\s+security-engineering\s+2026-06-01\s+overdue by 95 days/);
});

test('runbook list with no folder named lists the bundled runbooks, port-exposure reviewed and owned', async () => {
  const run = await trailbook('runbook', 'list', '--format', 'json', '--now', '2026-12-03T00:00:00Z');
  assert.equal(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as { id: string; owner: string; reviewed: string; reviewInterval: string; review: string; dir: string }[];
  const port = rows.filter((r) => r.id === 'port-exposure');
  assert.equal(port.length, 1, 'the bundled folder and ./runbooks are the same folder here: listed once');
  assert.deepEqual([port[0]!.owner, port[0]!.reviewed, port[0]!.reviewInterval, port[0]!.review], ['security-engineering', '2026-12-03', '90d', 'ok']);
});

test('runbook test fails on a runbook without cases: it has tested nothing', async () => {
  const run = await trailbook('runbook', 'test', EXAMPLE);
  assert.equal(run.code, 8);
  assert.match(run.stdout, /FAIL no test cases under test\/runbook\/fixtures\/example\/tests\//);
});

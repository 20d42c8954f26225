import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { minimalWith, writeTree } from './helpers.js';

/** Runs the real CLI entry (src/cli/main.ts through tsx) as a user would. */
function trailbook(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const EXAMPLE = 'test/runbook/fixtures/example';
const GOLDEN = join(import.meta.dirname, 'golden');

test('runbook plan prints the same plan as the golden file', () => {
  const run = trailbook('runbook', 'plan', EXAMPLE, '--now', '2024-05-08T12:00:00Z');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, readFileSync(join(GOLDEN, 'example-plan.txt'), 'utf8'));
  const json = trailbook('runbook', 'plan', EXAMPLE, '--now', '2024-05-08T12:00:00Z', '--format', 'json');
  assert.equal(json.stdout, readFileSync(join(GOLDEN, 'example-plan.json'), 'utf8'));
});

test('runbook plan: bad parameter values are a usage error (exit 2)', () => {
  const run = trailbook('runbook', 'plan', EXAMPLE, '-p', 'port=99999', '-p', 'from=soon');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /invalid parameters: port: 99999 is above the maximum 65535; from: "soon" is not an ISO-8601 time/);
});

test('runbook lint: problems at file:line:col, exit 7 on errors (golden, paths scrubbed)', () => {
  const dir = writeTree({ 'runbook.yaml': minimalWith('      else: ticket', '      else: tikcet').replace('eventsource AS event_source', 'eventsorce AS event_source') });
  const run = trailbook('runbook', 'lint', dir);
  assert.equal(run.code, 7, run.stderr);
  const scrubbed = run.stdout.replaceAll(dir, '<dir>');
  const path = join(GOLDEN, 'lint-broken.txt');
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, scrubbed);
  assert.equal(scrubbed, readFileSync(path, 'utf8'));
  assert.equal(trailbook('runbook', 'lint', EXAMPLE).code, 0);
});

test('runbook list shows ids, versions and validity', () => {
  const root = writeTree({ 'good/runbook.yaml': minimalWith('', ''), 'bad/runbook.yaml': 'id: [', 'not-a-runbook/x.txt': '' });
  const run = trailbook('runbook', 'list', '--dir', root, '--format', 'json');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    (JSON.parse(run.stdout) as { id: string | null; status: string }[]).map((r) => [r.id, r.status]),
    [
      [null, 'invalid (1 problem)'],
      ['minimal', 'ok'],
    ],
  );
});

test('runbook test fails on a runbook without cases: it has tested nothing', () => {
  const run = trailbook('runbook', 'test', EXAMPLE);
  assert.equal(run.code, 8);
  assert.match(run.stdout, /FAIL no test cases under test\/runbook\/fixtures\/example\/tests\//);
});

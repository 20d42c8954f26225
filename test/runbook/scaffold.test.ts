import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from '../helpers/in-process.js';

/** The real CLI (src/cli/program.ts) in this process, run from a folder outside the repository, as an author would. */
async function trailbook(cwd: string, ...args: string[]) {
  const result = await runInProcess(args, { cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('runbook new: a folder outside the repo that lints clean and passes its tests right away', async () => {
  const work = mkdtempSync(join(tmpdir(), 'trailbook-new-'));
  const created = await trailbook(work, 'runbook', 'new', 'open-to-internet');
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /wrote open-to-internet\/runbook\.yaml/);

  const yaml = readFileSync(join(work, 'open-to-internet', 'runbook.yaml'), 'utf8');
  assert.match(yaml, /^id: open-to-internet$/m, 'the id is the folder name');
  assert.match(yaml, new RegExp(`^reviewed: ${new Date().toISOString().slice(0, 10)}$`, 'm'), 'scaffolding counts as the first review');
  assert.match(yaml, /strpos\(requestparameters, \$cidr\) > 0/, 'the SQL binds its parameters');

  const lint = await trailbook(work, 'runbook', 'lint', 'open-to-internet', '--format', 'json');
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  assert.deepEqual((JSON.parse(lint.stdout) as { problems: unknown[] }[])[0]!.problems, [], 'clean: no error and no warning');

  const tested = await trailbook(work, 'runbook', 'test', 'open-to-internet');
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /ok {3}escalate-root-opened-to-internet/);
  assert.match(tested.stdout, /ok {3}ticket-user-opened-to-internet/);
  assert.match(tested.stdout, /passed: 2/);

  // And it runs: `trailbook run <folder> <logs>` asks the scaffold's own questions.
  const run = await trailbook(
    work,
    'run',
    'open-to-internet',
    join('open-to-internet', 'tests', 'escalate-root-opened-to-internet'),
    '--db',
    'store.duckdb',
    '--format',
    'json',
    '--param',
    'from=2000-01-01',
  );
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    subject: string;
    questions: { label: string }[];
    findings: { decision: { action: string }; signals: Record<string, unknown> }[];
  };
  assert.equal(report.subject, 'ingress open to 0.0.0.0/0');
  assert.equal(report.questions[0]!.label, 'When was a group first opened to 0.0.0.0/0?');
  assert.deepEqual(
    report.findings.map((f) => [f.decision.action, f.signals['byRoot']]),
    [['escalate', true]],
  );

  // The cases test something: a decision tree that no longer tells root from users fails them.
  writeFileSync(join(work, 'open-to-internet', 'runbook.yaml'), yaml.replace('value: Root', 'value: IAMUser'));
  const broken = await trailbook(work, 'runbook', 'test', 'open-to-internet');
  assert.equal(broken.code, 8, broken.stdout);
});

test('runbook new refuses an existing folder and an id that is not one', async () => {
  const work = mkdtempSync(join(tmpdir(), 'trailbook-new-'));
  writeFileSync(join(work, 'notes.txt'), 'mine\n');
  const refused = await trailbook(work, 'runbook', 'new', '.', '--id', 'mine');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /already exists: runbook new only creates a new folder/);
  assert.equal(readFileSync(join(work, 'notes.txt'), 'utf8'), 'mine\n');

  const badId = await trailbook(work, 'runbook', 'new', 'Open_To_Internet');
  assert.equal(badId.code, 2);
  assert.match(badId.stderr, /"Open_To_Internet" cannot be a runbook id/);
  const withId = await trailbook(work, 'runbook', 'new', 'Open_To_Internet', '--id', 'open-to-internet');
  assert.equal(withId.code, 0, withId.stderr);
  assert.match(readFileSync(join(work, 'Open_To_Internet', 'runbook.yaml'), 'utf8'), /^id: open-to-internet$/m);
});

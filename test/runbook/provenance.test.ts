import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { validateReport } from '../../src/report/json-schema.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { gitSourceOf, runbookGitSource } from '../../src/runbook/provenance.js';
import { MINIMAL, writeTree } from './helpers.js';

/** A real repository under the temp dir holding `runbooks/minimal/` and a file outside it. */
function repoWithRunbook(): { repo: string; dir: string; git: (...args: string[]) => string } {
  const repo = writeTree({ 'runbooks/minimal/runbook.yaml': MINIMAL, 'runbooks/minimal/README.md': '# minimal\n', 'notes.txt': 'x\n' });
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
      encoding: 'utf8',
    }).trim();
  git('init', '-q');
  return { repo, dir: join(repo, 'runbooks', 'minimal'), git };
}

test('runbook git source: HEAD commit, and whether the folder itself differs from it', () => {
  const { repo, dir, git } = repoWithRunbook();
  assert.equal(runbookGitSource(dir), undefined, 'a repository without a commit has nothing to cite');
  git('add', '-A');
  git('commit', '-qm', 'runbook');
  const head = git('rev-parse', 'HEAD');
  assert.deepEqual(runbookGitSource(dir), { commit: head, uncommittedChanges: false });

  writeFileSync(join(repo, 'notes.txt'), 'changed outside the folder\n');
  assert.deepEqual(runbookGitSource(dir), { commit: head, uncommittedChanges: false }, 'changes elsewhere in the repository do not count');

  writeFileSync(join(dir, 'tests-draft.yaml'), 'untracked\n');
  assert.deepEqual(runbookGitSource(dir), { commit: head, uncommittedChanges: true }, 'an untracked file in the folder counts');
  rmSync(join(dir, 'tests-draft.yaml'));
  writeFileSync(join(dir, 'README.md'), '# edited\n');
  assert.deepEqual(runbookGitSource(dir), { commit: head, uncommittedChanges: true }, 'an edited file counts');
  assert.equal(git('status', '--porcelain', '--', 'runbooks'), 'M runbooks/minimal/README.md', 'asking changed nothing in the repository');
});

test('runbook git source: absent when runbook.yaml is not tracked (an ignored node_modules, an untracked copy)', () => {
  const { repo, git } = repoWithRunbook();
  writeFileSync(join(repo, '.gitignore'), 'node_modules\n*.log\n');
  git('add', '-A');
  git('commit', '-qm', 'runbook');
  const installed = join(repo, 'node_modules', 'trailbook', 'runbooks', 'minimal');
  const copied = join(repo, 'drafts', 'minimal');
  for (const dir of [installed, copied]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'runbook.yaml'), MINIMAL);
    assert.equal(runbookGitSource(dir), undefined, dir);
  }
  const tracked = join(repo, 'runbooks', 'minimal');
  writeFileSync(join(tracked, 'run.log'), 'an ignored file beside the runbook\n');
  assert.deepEqual(runbookGitSource(tracked), { commit: git('rev-parse', 'HEAD'), uncommittedChanges: false }, 'ignored files are not changes');
});

test('runbook git source: quietly absent outside a repository', () => {
  const outside = mkdtempSync(join(tmpdir(), 'trailbook-no-git-'));
  writeFileSync(join(outside, 'runbook.yaml'), MINIMAL);
  assert.equal(runbookGitSource(outside), undefined);
  assert.equal(runbookGitSource(join(outside, 'does-not-exist')), undefined);
});

test('the report records the runbook commit (one git call per loaded runbook) and stays valid without it', async () => {
  const { dir, git } = repoWithRunbook();
  git('add', '-A');
  git('commit', '-qm', 'runbook');
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const intel = await loadIntel({ feeds: [], trusted: undefined });
    const loaded = await loadRunbook(dir);
    const run = () => investigate(engine, { runbook: loaded, parameters: {}, intel, now: new Date('2026-12-03T00:00:00Z') });
    const report = await run();
    assert.deepEqual(report.runbook.git, { commit: git('rev-parse', 'HEAD'), uncommittedChanges: false });
    assert.match(report.runbook.version, /^1\.0\.0\+[0-9a-f]{12}$/);
    assert.deepEqual(validateReport(report), { ok: true });

    writeFileSync(join(dir, 'README.md'), '# edited after loading\n');
    assert.equal((await run()).runbook.git?.uncommittedChanges, false, 'asked once per load: the second run reuses the first answer');
    assert.equal(gitSourceOf(await loadRunbook(dir))?.uncommittedChanges, true, 'a new load asks again');

    const outside = writeTree({ 'runbook.yaml': MINIMAL });
    const plain = await investigate(engine, { runbook: await loadRunbook(outside), parameters: {}, intel, now: new Date('2026-12-03T00:00:00Z') });
    assert.equal('git' in plain.runbook, false);
    assert.deepEqual(validateReport(plain), { ok: true });
  } finally {
    await engine.close();
  }
});

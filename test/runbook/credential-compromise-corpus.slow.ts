// Slow suite (`npm run test:slow`): the credential runbook over every CloudTrail file of the shared corpus (~5 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Report } from '../../src/report/contract.js';
import { CORPUS_ROOT, corpusFile } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

test('real logs written by others: one principal per credential finding, and isolation only with a foothold or evasion from a suspicious address', async (t) => {
  if (!corpusFile(t, 'cloudtrail/stratus-red-team-detonation-logs')) return;
  const db = join(tempDir(t), 'store.duckdb');
  const run = await runInProcess(['run', 'credential-compromise', join(CORPUS_ROOT, 'cloudtrail'), '--db', db, '--format', 'json', '--no-progress']);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.ok(report.findings.length > 50, `${report.findings.length} findings`);
  // Sample logs reuse placeholder keys ("1", "EXAMPLE") across unrelated callers: never one story.
  const actorsOf = (f: Report['findings'][number]) => new Set(f.evidence.map((e) => e.actor).filter((a) => a !== null));
  assert.deepEqual(
    report.findings.filter((f) => actorsOf(f).size > 1).map((f) => f.title),
    [],
  );
  for (const f of report.findings.filter((x) => x.decision.action === 'isolate')) {
    assert.ok(
      f.sources.some((s) => s.verdict === 'suspicious'),
      `${f.title}: isolated without a suspicious source`,
    );
  }
});

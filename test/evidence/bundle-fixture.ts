import { before, after } from 'node:test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { commitEvidence } from '../../src/evidence/bundle.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { loadRunbook } from '../../src/runbook/load.js';
import type { Report } from '../../src/report/contract.js';
import { REPO_ROOT } from '../helpers/corpus.js';

export const sample = (p: string) => join(REPO_ROOT, 'sample', p);
export let root: string;
export let engine: DuckDBEngine;
export let report: Report;
export let runbookDir: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'trailbook-evidence-'));
  // The runbook's own files, without its test fixtures: a small bundle keeps the property test quick.
  runbookDir = join(root, 'runbook');
  mkdirSync(runbookDir);
  for (const name of ['runbook.yaml', 'README.md']) copyFileSync(join(REPO_ROOT, 'runbooks', 'port-exposure', name), join(runbookDir, name));
  engine = await DuckDBEngine.open({ path: ':memory:' });
  await ingestPaths(engine, [sample('cloudtrail'), sample('vpcflow')]);
  const intel = await loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });
  report = await investigate(engine, {
    runbook: await loadRunbook(runbookDir),
    parameters: { port: 8443, to: '2024-05-15T00:00:00Z' },
    intel,
    now: new Date('2024-05-15T00:00:00Z'),
  });
});
after(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

export let counter = 0;
export async function commit(caseId = 'case-1', repo = join(root, `repo-${++counter}`), findings?: string[]) {
  const result = await commitEvidence(engine, report, {
    repo,
    caseId,
    ...(findings ? { findings } : {}),
    inputs: { intelFiles: [sample('intel/threat-feed.txt')], trustedFile: sample('trusted-networks.yaml'), runbookDir },
    trailbook: { version: 'test', judgementFingerprint: 'test' },
  });
  return { ...result, repo };
}

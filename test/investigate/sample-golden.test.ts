import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { storeInputs } from '../../src/investigate/inputs.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { renderReport, type ReportFormat } from '../../src/report/render/index.js';
import type { Report } from '../../src/report/contract.js';
import { REPO_ROOT } from '../helpers/corpus.js';

/**
 * Golden files of a real run: the port runbook on the bundled sample, ingested and investigated
 * exactly as `npm run demo` does, in every format. Reviewed through `git diff`: a change to the
 * runbook, the engine or a renderer shows here as the lines it moves. Scrubbed of what is not
 * the investigation's (the clock is fixed; the runbook's content hash and git commit, and the
 * machine's paths, are replaced by placeholders).
 * `UPDATE_GOLDEN=1 node --import tsx --test test/investigate/sample-golden.test.ts` rewrites them.
 */
const GOLDEN = join(import.meta.dirname, 'golden');
const sample = (p: string) => join(REPO_ROOT, 'sample', p);
const NOW = new Date('2024-05-15T00:00:00Z');

let cached: Promise<Report> | undefined;
function sampleRun(): Promise<Report> {
  cached ??= (async () => {
    const engine = await DuckDBEngine.open({ path: ':memory:' });
    try {
      await ingestPaths(engine, [sample('cloudtrail'), sample('vpcflow')]);
      const intel = await loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });
      const runbook = await loadRunbook(join(REPO_ROOT, 'runbooks', 'port-exposure'));
      const report = await investigate(engine, {
        runbook,
        parameters: { port: 8443, to: NOW.toISOString() },
        intel,
        now: NOW,
        inputs: await storeInputs(engine),
      });
      return scrub(report);
    } finally {
      await engine.close();
    }
  })();
  return cached;
}

function scrub(report: Report): Report {
  const copy = JSON.parse(JSON.stringify(report)) as Report;
  copy.runbook.version = copy.runbook.version.replace(/\+[0-9a-f]{12}$/, '+<content-hash>');
  delete copy.runbook.git;
  return JSON.parse(JSON.stringify(copy).split(JSON.stringify(REPO_ROOT).slice(1, -1)).join('<repo>')) as Report;
}

async function golden(name: string, format: ReportFormat, schema?: 'v1'): Promise<void> {
  const actual = renderReport(await sampleRun(), format, { color: false, width: 120, ...(schema ? { schema } : {}) });
  const path = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept, then review the git diff)`);
}

test('golden run: the port runbook on the bundled sample as JSON (trailbook.report/v2)', () => golden('sample-run.json', 'json'));
test('golden run: the same as trailbook.report/v1, what investigate prints for its consumers', () => golden('sample-run.v1.json', 'json', 'v1'));
test('golden run: terminal text', () => golden('sample-run.txt', 'text'));
test('golden run: Markdown', () => golden('sample-run.md', 'md'));
test('golden run: HTML', () => golden('sample-run.html', 'html'));
test('golden run: OCSF Detection Findings, JSON Lines (docs/ocsf.md)', () => golden('sample-run.ocsf.jsonl', 'ocsf'));

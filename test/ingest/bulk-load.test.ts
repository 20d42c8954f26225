import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { generateCloudTrailCorpus } from '../../src/bench/generate/cloudtrail.js';
import { CORPUS_ROOT } from '../helpers/corpus.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { ingestBothWays } from './bulk-identity.js';

test('the whole shared corpus: the same store with and without the bulk load', async (t) => {
  if (!existsSync(CORPUS_ROOT)) return t.skip(`shared corpus not found at ${CORPUS_ROOT}: clone with ../shared beside the checkout`);
  const { bulk, compared } = await ingestBothWays(t, [{ paths: [CORPUS_ROOT] }]);
  assert.ok(compared['cloudtrail_events']! > 0);
  assert.ok(compared['ingest_ledger']! > 0);
  t.diagnostic(`bulk-loaded ${bulk.bulk.files} of ${bulk.files.read} files read; rows compared: ${JSON.stringify(compared)}`);
});

test('the synthetic bench corpus (5k events): every file bulk-loaded, the same store as the row path', async (t) => {
  const root = join(tempDir(t), 'corpus');
  const generated = await generateCloudTrailCorpus({ root, events: 5000, accounts: 2, regions: 2, days: 3, seed: 3 });
  const { bulk, compared } = await ingestBothWays(t, [{ paths: [root] }]);
  assert.equal(bulk.bulk.files, generated.files, 'every generated file is clean');
  assert.equal(bulk.events.inserted, generated.events);
  assert.equal(compared['cloudtrail_events'], generated.events);
  assert.ok((compared['cloudtrail_exposure_events'] ?? 0) > 0, 'the exposure copy holds the planted changes');
});

test('the bench corpus re-delivered and filtered: dedupe against the store, --from/--to, --account, --region', async (t) => {
  const root = join(tempDir(t), 'corpus');
  await generateCloudTrailCorpus({ root, events: 3000, accounts: 2, regions: 2, days: 2, seed: 5 });
  // Re-delivered: the same events in other bytes (another gzip level), so not skipped as the same content.
  const copy = join(tempDir(t), 'copy');
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const [i, file] of files.entries()) {
    writeTree(copy, { [`redelivered-${i}.json.gz`]: gzipSync(gunzipSync(readFileSync(join(file.parentPath, file.name))), { level: 1 }) });
  }
  const [account] = readdirSync(join(root, 'AWSLogs'));
  const { bulk, rows } = await ingestBothWays(t, [
    { paths: [root], options: { from: new Date('2024-05-01T12:00:00Z'), to: new Date('2024-05-02T06:00:00Z'), regions: ['us-east-1'] } },
    { paths: [root, copy], options: { accounts: [account!] } },
  ]);
  assert.ok(bulk.bulk.files > 0 && rows.bulk.files === 0);
  assert.ok(bulk.events.filtered > 0, 'the other account is filtered out');
  assert.ok(bulk.events.duplicates > 0, 'the copy re-delivers every event');
});

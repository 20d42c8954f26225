import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { generateCloudTrailCorpus } from '../../src/bench/generate/cloudtrail.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { CORPUS_ROOT } from '../helpers/corpus.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';
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
    // Small batches: repeated keys across batches, and within one.
    { paths: [root, copy], options: { accounts: [account!], batchRows: 700 } },
  ]);
  assert.ok(bulk.bulk.files > 0 && rows.bulk.files === 0);
  assert.ok(bulk.events.filtered > 0, 'the other account is filtered out');
  assert.ok(bulk.events.duplicates > 0, 'the copy re-delivers every event');
});

/** One record per file, written as given: `clean` says whether DuckDB should read it (else the row path does). */
const CASES: { name: string; clean: boolean; text: (e: Record<string, unknown>) => string }[] = [
  {
    name: 'unicode in text and nested values',
    clean: true,
    text: (e) => records({ ...e, userAgent: 'é ☃ 😀 \u2028', requestParameters: { name: 'ü😀', tags: ['\u007f'] } }),
  },
  { name: 'quotes, backslashes, newlines', clean: true, text: (e) => records({ ...e, errorMessage: 'a "b" \\ c\nd\te/f' }) },
  {
    name: 'numbers JSON.stringify and DuckDB write alike',
    clean: true,
    text: (e) => records({ ...e, requestParameters: { a: 1.5, b: 1e-7, c: -0.25, d: 123456789012, e: 1e20 } }),
  },
  {
    name: 'nested empty objects and arrays',
    clean: true,
    text: (e) => records({ ...e, requestParameters: {}, responseElements: { a: {}, b: [] }, additionalEventData: [] }),
  },
  { name: 'missing fields', clean: true, text: () => records({ eventVersion: '1.0', eventTime: '2024-05-01T10:00:00Z', eventID: 'only-id', eventName: 'X' }) },
  {
    name: 'non-text values where text belongs',
    clean: true,
    text: (e) => records({ ...e, eventVersion: 1.08, readOnly: false, errorCode: { code: 1 }, awsRegion: ['a'], sourceIPAddress: null }),
  },
  {
    name: 'null and empty userIdentity, sessionContext',
    clean: true,
    text: (e) => records({ ...e, userIdentity: { sessionContext: { attributes: null } } }, { ...e, eventID: 'e2', userIdentity: null }),
  },
  {
    name: 'resources with missing parts, and empty',
    clean: true,
    text: (e) => records({ ...e, resources: [{ ARN: 'arn:x' }, {}, { type: 7 }] }, { ...e, eventID: 'r2', resources: [] }),
  },
  {
    name: 'keys that differ only in case (flatten.ts reads the exact names)',
    clean: true,
    text: (e) => records({ ...e, EventName: 'Other', eventname: 'other', userIdentity: { type: 'IAMUser', Type: 'Root', ARN: 'arn:upper' } }),
  },
  { name: 'requestParameters as text', clean: true, text: (e) => records({ ...e, requestParameters: '{"not":"parsed"}' }) },
  { name: '1.0 as written', clean: false, text: (e) => records({ ...e, requestParameters: { a: 7 } }).replace('"a":7', '"a":1.0') },
  { name: '1E5 as written', clean: false, text: (e) => records({ ...e, requestParameters: { a: 7 } }).replace('"a":7', '"a":1E5') },
  { name: '-0 as written', clean: false, text: (e) => records({ ...e, requestParameters: { a: 7 } }).replace('"a":7', '"a":-0') },
  { name: '1e21', clean: false, text: (e) => records({ ...e, requestParameters: { a: 1e21 } }) },
  { name: 'an integer past 2^53', clean: false, text: (e) => records({ ...e, requestParameters: { a: 7 } }).replace('"a":7', '"a":12345678901234567890') },
  { name: 'a control character', clean: false, text: (e) => records({ ...e, userAgent: 'a\u001fb' }) },
  { name: 'a \\u escape for a plain letter', clean: false, text: (e) => records({ ...e, userAgent: 'Q' }).replace('"Q"', '"\\u0041"') },
  { name: 'a repeated key', clean: false, text: (e) => records({ ...e, requestParameters: { a: 7 } }).replace('"a":7', '"a":7,"a":8') },
  { name: 'a lone surrogate', clean: false, text: (e) => records({ ...e, userAgent: '\ud800' }) },
  { name: 'spaces (pretty-printed)', clean: false, text: (e) => JSON.stringify({ Records: [e] }, null, 2) },
  { name: 'a byte-order mark', clean: false, text: (e) => `\ufeff${records(e)}` },
  {
    name: 'an Insights event',
    clean: false,
    text: (e) => records({ ...e, eventType: 'AwsCloudTrailInsight', insightDetails: { insightType: 'ApiCallRateInsight' } }),
  },
  { name: 'an EventBridge envelope', clean: false, text: (e) => records({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: e }) },
  { name: 'userIdentity as text', clean: false, text: (e) => records({ ...e, userIdentity: 'root' }) },
  { name: 'resources in lower case', clean: false, text: (e) => records({ ...e, resources: [{ arn: 'arn:y', accountid: '1' }] }) },
  { name: 'resources not an array', clean: false, text: (e) => records({ ...e, resources: { ARN: 'arn:z' } }) },
  { name: 'no eventID (content-hash key)', clean: false, text: (e) => records({ ...e, eventID: undefined }) },
  { name: 'an eventTime in another form', clean: false, text: (e) => records({ ...e, eventTime: '2024-05-01 10:00:00.000' }) },
  { name: 'a record skipped (bad time) beside a good one', clean: false, text: (e) => records(e, { ...e, eventID: 'bad', eventTime: 'yesterday' }) },
  { name: 'two Records arrays', clean: false, text: (e) => records(e).replace(/\}$/, `,"Records":[${JSON.stringify({ ...e, eventID: 'second' })}]}`) },
  { name: 'JSON lines', clean: false, text: (e) => `${JSON.stringify(e)}\n${JSON.stringify({ ...e, eventID: 'l2' })}\n` },
];

test('each tricky rule: clean files read by DuckDB, the others by rows, the same store both ways', async (t) => {
  const dir = tempDir(t);
  const tree: Record<string, string | Buffer> = {};
  for (const [i, c] of CASES.entries()) {
    const text = c.text(ctEvent({ eventID: `case-${i}`, eventTime: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z` }));
    tree[`case-${String(i).padStart(2, '0')}.json${i % 2 ? '.gz' : ''}`] = i % 2 ? gzipSync(text) : text;
  }
  // Duplicates across files: a clean file repeating case 0's record, and a row-path one repeating case 1's.
  tree['dup-clean.json'] = tree['case-00.json']!.toString();
  tree['dup-rows.json'] = JSON.stringify(JSON.parse(gunzipSync(tree['case-01.json.gz'] as Buffer).toString()), null, 1);
  writeTree(dir, tree);
  const { bulk, rows } = await ingestBothWays(t, [{ paths: [dir] }, { paths: [dir, join(dir, 'case-00.json')] }]);
  const expectedClean = CASES.filter((c) => c.clean).length + 1;
  const first = await ingestBothWays(t, [{ paths: [dir] }]);
  assert.equal(first.bulk.bulk.files, expectedClean, 'the clean cases, and the clean duplicate');
  assert.equal(first.rows.bulk.files, 0);
  assert.equal(first.bulk.events.duplicates, 2);
  assert.equal(bulk.files.unchanged, rows.files.unchanged);
});

test('a bulk load DuckDB refuses (out of memory): its files are read as rows, said once, nothing lost or doubled', async (t) => {
  const root = join(tempDir(t), 'corpus');
  const generated = await generateCloudTrailCorpus({ root, events: 4000, accounts: 2, regions: 2, days: 2, seed: 9 });
  const digest = async (engine: DuckDBEngine) =>
    (await engine.all('SELECT count(*) AS n, bit_xor(hash(_key, _file, requestparameters, resources_json, eventtime_raw)) AS h FROM cloudtrail_events'))
      .rows[0];
  // A store in memory keeps the engine's own cap: DuckDB's JSON reader cannot get its 32 MiB buffer under 24 MB.
  const capped = await DuckDBEngine.open({ path: ':memory:', memoryLimit: '24MB' });
  t.after(() => capped.close());
  const summary = await ingestPaths(capped, [root], { batchRows: 1000 });
  assert.equal(summary.events.inserted, generated.events);
  assert.equal(summary.warnings.filter((w) => w.includes('DuckDB refused a bulk load')).length, 1, summary.warnings.join('\n'));
  const rows = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => rows.close());
  await ingestPaths(rows, [root], { bulkLoad: false });
  assert.deepEqual(await digest(capped), await digest(rows));
});

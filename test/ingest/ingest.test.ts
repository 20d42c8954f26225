import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { corpusFile } from '../helpers/corpus.js';
import { ctEvent, gz, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { assertTotalsAddUp } from './totals.js';
import { runInProcess } from '../helpers/in-process.js';

const S3 = 'AWSLogs/111122223333/CloudTrail/us-east-1';

async function count(engine: DuckDBEngine, sql: string): Promise<number> {
  return Number((await engine.all(sql)).rows[0]!['n']);
}

test('a mixed, partly broken folder: every file and event accounted for', async (t) => {
  const dir = tempDir(t);
  const good = records(ctEvent(), ctEvent(), ctEvent());
  const full = gzipSync(records(ctEvent(), ctEvent()));
  writeTree(dir, {
    [`${S3}/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1000Z_aaaa.json.gz`]: gz(good),
    [`${S3}/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_bbbb.json.gz`]: full.subarray(0, full.length - 10),
    ['AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/digest.json.gz']: gz('{"digestStartTime":"x"}'),
    ['exports/lines.json']: `${JSON.stringify(ctEvent())}\nnot json\n${JSON.stringify(ctEvent())}\n`,
    ['exports/broken.json']: '{"Records": [',
    ['exports/empty.json']: '',
    ['exports/insight.json']: records({
      eventVersion: '1.07',
      eventTime: '2024-05-01T10:00:00Z',
      awsRegion: 'us-east-1',
      eventID: 'insight-1',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '111122223333',
      sharedEventID: 's',
      insightDetails: { state: 'Start', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', insightType: 'ApiCallRateInsight' },
      eventCategory: 'Insight',
    }),
  });
  const engine = await DuckDBEngine.open({ path: join(tempDir(t), 'store.duckdb') });
  t.after(() => engine.close());
  const s = await ingestPaths(engine, [dir]);
  assertTotalsAddUp(s);
  assert.equal(s.files.seen, 7);
  assert.equal(s.files.read, 3);
  assert.deepEqual(s.skippedFiles.map((f) => f.code).sort(), ['digest-file', 'empty-file', 'invalid-json', 'truncated-gzip']);
  assert.equal(s.events.inserted, 5);
  assert.equal(s.events.insights, 1);
  assert.equal(s.events.skipped, 1);
  assert.equal(await count(engine, 'SELECT count(*) AS n FROM cloudtrail_logs'), 5);
  assert.equal(await count(engine, 'SELECT count(*) AS n FROM cloudtrail_insights'), 1);
  assert.equal(await count(engine, "SELECT count(*) AS n FROM ingest_ledger WHERE outcome = 'skipped'"), 4);
});

test('re-ingest is incremental and never duplicates an event', async (t) => {
  const dir = tempDir(t);
  const shared = ctEvent();
  writeTree(dir, {
    'a.json': records(shared, ctEvent()),
    'b.json': records(ctEvent()),
  });
  const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
  t.after(() => engine.close());
  const first = await ingestPaths(engine, [join(dir, 'a.json'), join(dir, 'b.json')]);
  assert.equal(first.events.inserted, 3);
  const second = await ingestPaths(engine, [join(dir, 'a.json'), join(dir, 'b.json')]);
  assertTotalsAddUp(second);
  assert.equal(second.files.unchanged, 2);
  assert.equal(second.files.read, 0);
  assert.equal(second.events.inserted, 0);
  // A changed file is read again; its old events are not duplicated, its new one is added.
  writeFileSync(join(dir, 'b.json'), records(shared, ctEvent()));
  utimesSync(join(dir, 'b.json'), new Date(), new Date(Date.now() + 5000));
  const third = await ingestPaths(engine, [join(dir, 'a.json'), join(dir, 'b.json')]);
  assertTotalsAddUp(third);
  assert.equal(third.files.read, 1);
  assert.equal(third.events.inserted, 1);
  assert.equal(third.events.duplicates, 1);
  // The same content under another name is not parsed again: the ledger knows its hash.
  writeFileSync(join(dir, 'copy.json'), readFileSync(join(dir, 'a.json')));
  const copy = await ingestPaths(engine, [join(dir, 'copy.json')]);
  assertTotalsAddUp(copy);
  assert.equal(copy.files.duplicateContent, 1);
  assert.equal(copy.files.read, 0);
  assert.equal(copy.events.found, 0);
  assert.equal(await count(engine, 'SELECT count(*) AS n FROM cloudtrail_events'), 4);
  assert.equal(await count(engine, 'SELECT count(*) - count(DISTINCT eventid) AS n FROM cloudtrail_logs'), 0);
});

test('--from/--to/--account/--region prune folders before reading them and filter events', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, {
    [`${S3}/2024/04/01/x.json`]: records(ctEvent({ eventTime: '2024-04-01T10:00:00Z' })),
    [`${S3}/2024/05/01/y.json`]: records(ctEvent({ eventTime: '2024-05-01T10:00:00Z' }), ctEvent({ eventTime: '2024-05-01T23:00:00Z' })),
    [`${S3}/2024/06/01/z.json`]: records(ctEvent({ eventTime: '2024-06-01T10:00:00Z' })),
    ['AWSLogs/444455556666/CloudTrail/eu-west-1/2024/05/01/w.json']: records(ctEvent({ eventTime: '2024-05-01T10:00:00Z' })),
  });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const s = await ingestPaths(engine, [dir], {
    from: new Date('2024-05-01T00:00:00Z'),
    to: new Date('2024-05-01T12:00:00Z'),
    accounts: ['111122223333'],
  });
  assertTotalsAddUp(s);
  assert.equal(s.files.pruned, 3);
  assert.equal(s.files.read, 1);
  assert.equal(s.events.inserted, 1);
  assert.equal(s.events.filtered, 1);
});

test('every real sample in the shared corpus ingests with no unexplained loss', async (t) => {
  const root = corpusFile(t, 'cloudtrail');
  if (!root) return;
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const s = await ingestPaths(engine, [root]);
  assertTotalsAddUp(s);
  // The only skipped file is Panther's index of its tests, which holds no events.
  assert.deepEqual(
    s.skippedFiles.map((f) => f.path.split('/').pop()),
    ['panther-cloudtrail-test-events.index.json'],
  );
  // The Stratus detonation logs: 310 real events, all stored (some also appear in other samples).
  const alone = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => alone.close());
  const stratus = await ingestPaths(alone, [root + '/stratus-red-team-detonation-logs']);
  assert.equal(stratus.events.inserted, 310);
  // AWS documentation examples include three Insights events, kept in their own table.
  assert.equal(s.events.insights, 3);
  // Every skipped record has a reason code, and the samples say where it was.
  assert.equal(
    Object.values(s.events.skippedByReason).reduce((a, b) => a + b, 0),
    s.events.skipped,
  );
  for (const sample of s.skippedRecordSamples) assert.match(sample.at, /Records\[\d+\]|line \d+|record \d+/);
});

test('CLI: ingest then the classic 8443 query, verbatim; exit codes', async (t) => {
  const dir = tempDir(t);
  const decoyBucket = ctEvent({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', requestParameters: { bucketName: 'logs-184434908391', key: 'a' } });
  const range = ctEvent({
    eventName: 'AuthorizeSecurityGroupIngress',
    requestParameters: {
      groupId: 'sg-0abc',
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8000, toPort: 9000, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
    },
  });
  writeTree(dir, { 'logs/a.json': records(decoyBucket, range), 'logs/bad.json': 'nope' });
  const db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', join(dir, 'logs'), '--db', db]);
  assert.equal(ingest.status, 0, ingest.stderr);
  assert.match(ingest.stdout, /files: 2 seen — 1 read/);
  assert.match(ingest.stdout, /bad.json: not-cloudtrail/);

  const classic = `SELECT eventTime, sourceIPAddress, eventName, eventSource
FROM cloudtrail_logs
WHERE eventSource LIKE '%:8443%' OR requestParameters LIKE '%8443%'
ORDER BY eventTime DESC;`;
  const result = await runInProcess(['sql', classic, '--db', db, '--format', 'json']);
  assert.equal(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
  // Athena's answer: the decoy bucket (its name contains 8443) and not the 8000-9000 range that does open 8443.
  assert.deepEqual(Object.keys(rows[0]!), ['eventtime', 'sourceipaddress', 'eventname', 'eventsource']);
  assert.deepEqual(
    rows.map((r) => r['eventname']),
    ['GetObject'],
  );
  assert.match(result.stderr, /eventSource never contains a port/);
  assert.match(result.stderr, /substring match for 8443/);

  const strict = await runInProcess(['ingest', join(dir, 'logs'), '--db', db, '--strict']);
  assert.equal(strict.status, 5);
  const nothing = await runInProcess(['ingest', join(dir, 'logs', 'bad.json'), '--db', join(dir, 'other.duckdb')]);
  assert.equal(nothing.status, 4);
  assert.match(nothing.stderr, /nothing could be read/);
  const missing = await runInProcess(['ingest', join(dir, 'nope'), '--db', db]);
  assert.equal(missing.status, 3);
});

test('CLI: CSV output defuses formulas planted in log fields', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'a.json': records(ctEvent({ userAgent: '=HYPERLINK("http://evil.example","x")' })) });
  const db = join(dir, 'store.duckdb');
  assert.equal((await runInProcess(['ingest', join(dir, 'a.json'), '--db', db])).status, 0);
  const csv = await runInProcess(['sql', 'SELECT useragent FROM cloudtrail_logs', '--db', db, '--format', 'csv']);
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(csv.stdout, `useragent\r\n"'=HYPERLINK(""http://evil.example"",""x"")"\r\n`);
});

test('one ingest takes CloudTrail and VPC Flow Logs together, by path and by first line', async (t) => {
  const dir = tempDir(t);
  const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  writeTree(dir, {
    [`${S3}/2024/05/01/ct.json.gz`]: gz(records(ctEvent())),
    ['AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/01/fl.log.gz']: gz(
      `${header}\n2 111122223333 eni-1 198.51.100.1 10.0.0.5 40000 8443 6 3 180 1714557600 1714557660 REJECT OK\n2 111122223333 eni-1 - - - - - - - 1714557600 1714557660 - NODATA\n`,
    ),
    ['elsewhere/flows.txt']: `${header}\n2 111122223333 eni-1 10.0.0.5 198.51.100.1 8443 40000 6 3 180 1714557600 1714557660 ACCEPT OK\n2 111122223333 eni-1 only four fields\n`,
    ['elsewhere/cloudwatch.json']: `${JSON.stringify({ message: '2 111122223333 eni-2 198.51.100.2 10.0.0.6 40001 8443 6 3 180 1714557600 1714557660 ACCEPT OK' })}\n`,
  });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const s = await ingestPaths(engine, [dir]);
  assertTotalsAddUp(s);
  assert.equal(s.files.read, 4);
  assert.equal(s.flows.files, 3);
  assert.equal(s.flows.lines, s.flows.records + s.flows.nodata + s.flows.skipdata + s.flows.headers + s.flows.bad);
  assert.equal(s.flows.bad, 1);
  assert.equal(s.flows.badSamples[0]!.at, 'line 3');
  assert.equal(await count(engine, 'SELECT count(*) AS n FROM vpc_flow_logs WHERE dstport = 8443 OR srcport = 8443'), 3);
  const again = await ingestPaths(engine, [dir]);
  assert.equal(again.files.unchanged, 4);
  assert.equal(await count(engine, 'SELECT count(*) AS n FROM vpc_flow_logs'), 4);
});

test('worker threads and batched merges: same rows, first copy wins, duplicates across batches counted', async (t) => {
  const dir = tempDir(t);
  const tree: Record<string, string | Buffer> = {};
  const shared = ctEvent({ eventName: 'SharedAcrossFiles' });
  for (let i = 0; i < 12; i++) {
    const events = Array.from({ length: 30 }, () => ctEvent());
    if (i % 4 === 0) events.push({ ...shared, userAgent: `copy-${i}` });
    tree[`${S3}/2024/05/01/f${String(i).padStart(2, '0')}.json.gz`] = gz(records(...events));
  }
  // A value holding the packing separators takes the JSON path and still round-trips.
  tree[`${S3}/2024/05/02/special.json`] = records(ctEvent({ userAgent: 'a\u001fb\u001ec\u001dd' }));
  writeTree(dir, tree);
  const engine = await DuckDBEngine.open({ path: join(tempDir(t), 'store.duckdb') });
  t.after(() => engine.close());
  const s = await ingestPaths(engine, [dir], { workers: 2, batchRows: 40 });
  assertTotalsAddUp(s);
  assert.equal(s.files.read, 13);
  assert.equal(s.events.inserted, 12 * 30 + 1 + 1);
  assert.equal(s.events.duplicates, 2);
  const kept = await engine.all("SELECT useragent FROM cloudtrail_logs WHERE eventname = 'SharedAcrossFiles'");
  assert.deepEqual(
    kept.rows.map((r) => r['useragent']),
    ['copy-0'],
  );
  const special = await engine.all("SELECT useragent FROM cloudtrail_logs WHERE useragent LIKE 'a%d'");
  assert.deepEqual(
    special.rows.map((r) => r['useragent']),
    ['a\u001fb\u001ec\u001dd'],
  );
  assert.equal(await count(engine, "SELECT count(*) AS n FROM ingest_ledger WHERE outcome = 'read'"), 13);
  // In-process decoding gives the same store.
  const other = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => other.close());
  const again = await ingestPaths(other, [dir], { workers: 0, batchRows: 40 });
  assert.deepEqual({ ...again.events, skippedByReason: {} }, { ...s.events, skippedByReason: {} });
  const digest = "SELECT md5(string_agg(_key || coalesce(useragent, ''), ',' ORDER BY _key)) AS n FROM cloudtrail_events";
  assert.equal((await other.all(digest)).rows[0]!['n'], (await engine.all(digest)).rows[0]!['n']);
});

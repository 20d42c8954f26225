import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import type { TestContext } from 'node:test';
import { startMoto, type Moto } from '../helpers/moto.js';
import { runInProcess } from '../helpers/in-process.js';
import { demoArgs, sample } from '../investigate/demo-args.js';
import { motoClient, motoSource, uploadSample } from './s3-bucket.js';

async function scalar(engine: DuckDBEngine, sql: string): Promise<unknown> {
  return (await engine.all(sql)).rows[0]?.['n'];
}

const KEYS_DIGEST = `SELECT md5(string_agg(_key, ',' ORDER BY _key)) AS n FROM cloudtrail_events`;

const cases: [string, (t: TestContext, server: Moto) => Promise<void>][] = [];

function tempDir(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-s3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

cases.push([
  'S3 (moto) against the local sample: the same rows, each object fetched once, a re-run fetches nothing, and a changed ETag is fetched again',
  async (t, server) => {
    const client = motoClient(server);
    const byDay = await uploadSample(client, 'trail-same');
    const objects = [...byDay.values()].flat().length;

    const local = await DuckDBEngine.open({ path: ':memory:' });
    t.after(() => local.close());
    const localSummary = await ingestPaths(local, [sample('cloudtrail'), sample('vpcflow')]);

    const remote = await DuckDBEngine.open({ path: ':memory:' });
    t.after(() => remote.close());
    const summary = await ingestPaths(remote, ['s3://trail-same/AWSLogs/'], { s3: motoSource(server) });
    assert.equal(summary.s3?.getObject, objects, 'each object fetched once');
    assert.equal(summary.s3?.objectsListed, objects);
    assert.equal(summary.files.read, localSummary.files.read);
    assert.equal(summary.events.inserted, localSummary.events.inserted);
    assert.equal(summary.flows.appended, localSummary.flows.appended);
    assert.equal(await scalar(remote, KEYS_DIGEST), await scalar(local, KEYS_DIGEST), 'the same event keys');
    const flowCount = 'SELECT count(*) AS n FROM vpc_flow_records';
    assert.equal(await scalar(remote, flowCount), await scalar(local, flowCount));
    assert.equal(await scalar(remote, `SELECT count(*) AS n FROM ingest_ledger WHERE path LIKE 's3://trail-same/AWSLogs/%' AND etag IS NOT NULL`), objects);

    const again = motoSource(server);
    const rerun = await ingestPaths(remote, ['s3://trail-same/AWSLogs/'], { s3: again });
    assert.equal(again.stats.getObject, 0, 'nothing new: no GetObject');
    assert.equal(rerun.files.unchanged, objects);

    // Overwrite one object with other content: a new ETag, so it is fetched again (and only it).
    const key = byDay.get('2024/05/15')![0]!;
    const body = await (await client.send(new GetObjectCommand({ Bucket: 'trail-same', Key: key }))).Body!.transformToByteArray();
    const log = JSON.parse(gunzipSync(body).toString('utf8')) as { Records: { eventID: string }[] };
    log.Records[0]!.eventID = '00000000-0000-4000-8000-00000000e7a6';
    await client.send(new PutObjectCommand({ Bucket: 'trail-same', Key: key, Body: gzipSync(JSON.stringify(log)) }));
    const third = motoSource(server);
    const changed = await ingestPaths(remote, ['s3://trail-same/AWSLogs/'], { s3: third });
    assert.equal(third.stats.getObject, 1, 'only the overwritten object');
    assert.equal(changed.files.read, 1);
    assert.equal(changed.events.inserted, 1, 'its one changed event is new; the others are duplicates');
  },
]);

cases.push([
  '--from/--to prune by folder: the other days are never listed, and only the day’s objects are fetched',
  async (t, server) => {
    const client = motoClient(server);
    const byDay = await uploadSample(client, 'trail-prune');
    // Decoys on other days (a copy of a sample file): listing them would show in the prefixes asked for.
    const decoy = byDay.get('2024/05/15')![0]!;
    const decoyBody = await (await client.send(new GetObjectCommand({ Bucket: 'trail-prune', Key: decoy }))).Body!.transformToByteArray();
    for (const day of ['2024/05/01', '2024/06/20', '2023/12/31']) {
      await client.send(new PutObjectCommand({ Bucket: 'trail-prune', Key: decoy.replace('2024/05/15', day), Body: decoyBody }));
    }
    const s3 = motoSource(server);
    const listed: string[] = [];
    s3.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Prefix?: string; Key?: string };
        if (input.Key === undefined) listed.push(input.Prefix ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordListedPrefixes' },
    );
    const engine = await DuckDBEngine.open({ path: ':memory:' });
    t.after(() => engine.close());
    const summary = await ingestPaths(engine, ['s3://trail-prune/AWSLogs/'], {
      s3,
      from: new Date('2024-05-15T00:00:00Z'),
      to: new Date('2024-05-15T23:59:59Z'),
    });
    assert.equal(summary.s3?.getObject, byDay.get('2024/05/15')!.length, 'GetObject only for the objects of 2024-05-15');
    assert.equal(summary.s3?.listObjects, listed.length);
    for (const prefix of listed) assert.doesNotMatch(prefix, /\/(2023|2024\/06|2024\/05\/(01|14))\//, `listed ${prefix}`);
    assert.ok(
      listed.some((p) => p.endsWith('/2024/05/15/')),
      'the day itself is listed',
    );
    assert.deepEqual(summary.s3?.foldersPruned, { 'delivered before the time range': 4, 'delivered after the time range': 1 });
  },
]);

cases.push([
  'a read window prunes without losing: only the day’s objects are fetched, all their events kept, and a run without it fetches the rest',
  async (t, server) => {
    const byDay = await uploadSample(motoClient(server), 'trail-window');
    const local = await DuckDBEngine.open({ path: ':memory:' });
    t.after(() => local.close());
    await ingestPaths(local, [sample('cloudtrail'), sample('vpcflow')]);

    const engine = await DuckDBEngine.open({ path: ':memory:' });
    t.after(() => engine.close());
    const day = motoSource(server);
    const window = { from: new Date('2024-05-15T00:00:00Z'), to: new Date('2024-05-15T23:59:59Z') };
    const first = await ingestPaths(engine, ['s3://trail-window/AWSLogs/'], { s3: day, readWindow: window });
    assert.equal(day.stats.getObject, byDay.get('2024/05/15')!.length, 'GetObject only for the objects delivered on 2024-05-15');
    assert.equal(first.events.filtered, 0, 'a read window keeps every event of the files it reads');
    const ledgered = `SELECT count(*) AS n FROM ingest_ledger WHERE path LIKE '%/2024/05/14/%'`;
    assert.equal(await scalar(engine, ledgered), 0, 'pruned objects are not in the ledger');

    const rest = motoSource(server);
    await ingestPaths(engine, ['s3://trail-window/AWSLogs/'], { s3: rest });
    assert.equal(rest.stats.getObject, byDay.get('2024/05/14')!.length, 'the run without a window fetches what was pruned, and only that');
    assert.equal(await scalar(engine, KEYS_DIGEST), await scalar(local, KEYS_DIGEST), 'the same events as the local folders');
    const flowCount = 'SELECT count(*) AS n FROM vpc_flow_records';
    assert.equal(await scalar(engine, flowCount), await scalar(local, flowCount));
  },
]);

cases.push([
  '`investigate s3://… --to D` leaves the days after D (and its delivery-lag day) unread, reports what the local folders give, and a run without --to reads them',
  async (t, server) => {
    const client = motoClient(server);
    const byDay = await uploadSample(client, 'trail-investigate-window');
    // A later day's object (a copy of a sample file: its events are duplicates, so the report is unchanged by it).
    const copied = byDay.get('2024/05/15')![0]!;
    const decoy = copied.replace('2024/05/15', '2024/06/20');
    const body = await (await client.send(new GetObjectCommand({ Bucket: 'trail-investigate-window', Key: copied }))).Body!.transformToByteArray();
    await client.send(new PutObjectCommand({ Bucket: 'trail-investigate-window', Key: decoy, Body: body }));

    const dir = tempDir(t);
    // Stored first, as a run over S3 is (an answer-first report counts no events: docs/report.md).
    const local = await runInProcess([...demoArgs(join(dir, 'local.duckdb'), 'json'), '--no-answer-first']);
    const db = join(dir, 's3.duckdb');
    const args = demoArgs(db, 'json');
    args.splice(1, 2, 's3://trail-investigate-window/AWSLogs/');
    const remote = await runInProcess(args, { env: server.env });
    assert.equal(remote.status, local.status, remote.stderr);
    const { generatedAt: _l, ...expected } = JSON.parse(local.stdout) as Record<string, unknown>;
    const { generatedAt: _r, ...actual } = JSON.parse(remote.stdout) as Record<string, unknown>;
    assert.deepEqual(actual, expected);

    const ledgeredPaths = async () => {
      const engine = await DuckDBEngine.open({ path: db });
      try {
        return (await engine.all('SELECT DISTINCT path FROM ingest_ledger ORDER BY path')).rows.map((r) => r['path'] as string);
      } finally {
        await engine.close();
      }
    };
    const objects = [...byDay.values()].flat().map((key) => `s3://trail-investigate-window/${key}`);
    assert.deepEqual(await ledgeredPaths(), objects.sort(), 'every sample object fetched (14th, 15th: the lag day), the later day not');

    const wide = args.slice(0, -2); // no --to: the runbook's default end, now
    const again = await runInProcess(wide, { env: server.env });
    assert.equal(again.status === 0 || again.status === 1, true, again.stderr);
    assert.ok((await ledgeredPaths()).includes(`s3://trail-investigate-window/${decoy}`), 'the wider run read the object pruned before');
  },
]);

cases.push([
  'an interrupted S3 ingest, then a re-run: the rest is fetched, nothing is stored twice',
  async (t, server) => {
    const byDay = await uploadSample(motoClient(server), 'trail-resume');
    const objects = [...byDay.values()].flat().length;
    const local = await DuckDBEngine.open({ path: ':memory:' });
    t.after(() => local.close());
    await ingestPaths(local, [sample('cloudtrail'), sample('vpcflow')]);

    const dir = tempDir(t);
    const db = join(dir, 'store.duckdb');
    const stop = new AbortController();
    let engine = await DuckDBEngine.open({ path: db });
    const stopped = await ingestPaths(engine, ['s3://trail-resume/AWSLogs/'], {
      s3: motoSource(server),
      batchRows: 40,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.phase === 'reading' && p.filesDone === 30) stop.abort();
      },
    });
    assert.equal(stopped.interrupted, true);
    await engine.close();

    engine = await DuckDBEngine.open({ path: db });
    t.after(() => engine.close());
    const ledgered = Number(await scalar(engine, `SELECT count(DISTINCT path) AS n FROM ingest_ledger WHERE outcome = 'read'`));
    assert.equal(ledgered, 30, 'the 30 objects read before the stop are committed with their ledger rows');
    const s3 = motoSource(server);
    await ingestPaths(engine, ['s3://trail-resume/AWSLogs/'], { s3 });
    assert.equal(s3.stats.getObject, objects - ledgered, 'the re-run fetches only what the ledger lacks');
    assert.equal(await scalar(engine, 'SELECT count(*) AS n FROM cloudtrail_events'), await scalar(local, 'SELECT count(*) AS n FROM cloudtrail_events'));
    assert.equal(await scalar(engine, KEYS_DIGEST), await scalar(local, KEYS_DIGEST), 'the same events, none twice');
    assert.equal(await scalar(engine, 'SELECT count(*) AS n FROM vpc_flow_records'), await scalar(local, 'SELECT count(*) AS n FROM vpc_flow_records'));
  },
]);

cases.push([
  '`investigate s3://…` (the CLI, moto as AWS_ENDPOINT_URL) reports what the local folders give',
  async (t, server) => {
    await uploadSample(motoClient(server), 'trail-report');
    const dir = tempDir(t);
    const local = await runInProcess([...demoArgs(join(dir, 'local.duckdb'), 'json'), '--no-answer-first']);
    const args = demoArgs(join(dir, 's3.duckdb'), 'json');
    args.splice(1, 2, 's3://trail-report/AWSLogs/');
    const remote = await runInProcess(args, { env: server.env });
    assert.equal(remote.status, local.status, remote.stderr);
    const { generatedAt: _l, ...expected } = JSON.parse(local.stdout) as Record<string, unknown>;
    const { generatedAt: _r, ...actual } = JSON.parse(remote.stdout) as Record<string, unknown>;
    assert.ok((expected['findings'] as unknown[]).length > 0);
    assert.deepEqual(actual, expected);
  },
]);

cases.push([
  'a bucket that does not exist is an INPUT error naming the bucket and the S3 error code',
  async (t, server) => {
    const dir = tempDir(t);
    const result = await runInProcess(['ingest', 's3://no-such-trail-bucket/AWSLogs/', '--db', join(dir, 'x.duckdb')], { env: server.env });
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /ListObjectsV2 on bucket no-such-trail-bucket.*NoSuchBucket/);
    assert.match(result.stderr, /hint: there is no bucket named no-such-trail-bucket/);
    assert.deepEqual(readdirSync(dir), [], 'refused before a store is made');
  },
]);

// One moto_server for the file (a real S3 on 127.0.0.1); each case uses its own bucket.
test('S3 as a source, against moto_server', async (t) => {
  const server = await startMoto(t);
  if (!server) return;
  for (const [name, run] of cases) await t.test(name, (sub) => run(sub, server));
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { startMoto } from '../helpers/moto.js';
import { sample } from '../investigate/demo-args.js';
import { motoClient } from '../sources/s3-bucket.js';
import { SECRET, sampleFilesLateDelivery, startReceiver, watchArgs } from './receiver.js';

/**
 * `watch s3://…` against a real S3 protocol server (moto_server on 127.0.0.1): objects land in a
 * bucket in the order of watch-once.test.ts, and the alerts are the same as from a local folder.
 */
test('watch --once on s3://: an empty prefix waits, objects landing raise one alert per incident and one escalation, a quiet poll none', async (t) => {
  const moto = await startMoto(t);
  if (!moto) return;
  const client = motoClient(moto);
  await client.send(new CreateBucketCommand({ Bucket: 'org-trail' }));
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const receiver = await startReceiver(t);
  const env = { ...moto.env, TRAILBOOK_WEBHOOK_SECRET: SECRET };
  const once = () => runInProcess(watchArgs('s3://org-trail/AWSLogs/', db, receiver.url), { env });
  const land = async (part: string) => {
    const [, source] = sampleFilesLateDelivery().find(([path]) => path.includes(part))!;
    const root = source.includes('/vpcflow/') ? sample('vpcflow') : sample('cloudtrail');
    await client.send(new PutObjectCommand({ Bucket: 'org-trail', Key: relative(root, source).split('\\').join('/'), Body: await readFile(source) }));
  };
  const received = () => receiver.accepted.map((a) => `${a.identity} ${a.change}@${a.action}`);

  let run = await once();
  assert.equal(run.status, 0, `an empty prefix is not an error for a watcher: ${run.stderr}`);
  assert.deepEqual(received(), []);

  await land('CloudTrail_us-east-1_20240514T1015Z');
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(received(), ['port-exposure/exposure:dbe90ba0 new@ticket']);

  await land('CloudTrail_us-east-1_20240514T0915Z');
  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(received(), ['port-exposure/exposure:dbe90ba0 new@ticket', 'port-exposure/exposure:dbe90ba0 escalated@isolate']);

  run = await once();
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'a quiet poll of the bucket says nothing');
  assert.equal(receiver.accepted.length, 2);
  assert.equal(receiver.badSignatures, 0);
});

test('watch s3:// on a bucket that does not exist stops at once, naming it, with no store made', async (t) => {
  const moto = await startMoto(t);
  if (!moto) return;
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const run = await runInProcess(watchArgs('s3://no-such-trail-bucket/AWSLogs/', db, 'http://127.0.0.1:9/'), { env: moto.env });
  assert.equal(run.status, 3, run.stderr);
  assert.match(run.stderr, /no-such-trail-bucket/);
  assert.match(run.stderr, /NoSuchBucket/);
  assert.equal(existsSync(db), false);
});

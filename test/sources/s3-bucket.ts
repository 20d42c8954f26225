import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Source } from '../../src/sources/s3.js';
import { MOTO_CREDENTIALS, type Moto } from '../helpers/moto.js';
import { sample } from '../investigate/demo-args.js';

/** A client of the test's moto_server (path-style, fake keys). */
export function motoClient(moto: Moto): S3Client {
  return new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
}

export function motoSource(moto: Moto): S3Source {
  return new S3Source(motoClient(moto));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * The bundled sample in a bucket, as AWS delivers it: its `AWSLogs/…` paths are the keys
 * (sample/cloudtrail and sample/vpcflow both start at AWSLogs/). Returns the keys by day folder.
 */
export async function uploadSample(client: S3Client, bucket: string): Promise<Map<string, string[]>> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const byDay = new Map<string, string[]>();
  for (const root of [sample('cloudtrail'), sample('vpcflow')]) {
    for (const file of await filesUnder(root)) {
      const key = relative(root, file).split('\\').join('/');
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
      const day = /\/(\d{4}\/\d{2}\/\d{2})\//.exec(key)?.[1] ?? '';
      byDay.set(day, [...(byDay.get(day) ?? []), key]);
    }
  }
  return byDay;
}

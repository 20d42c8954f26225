import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFolder } from '../../src/sources/s3-folders.js';
import { parseS3Url } from '../../src/sources/s3-url.js';
import { TrailbookError } from '../../src/errors.js';

const day = { from: new Date('2024-05-15T00:00:00Z'), to: new Date('2024-05-15T23:59:59Z') };
const ct = 'AWSLogs/111122223333/CloudTrail/us-east-1/';

test('folders above a delivery day are walked by levels, a kept day is listed flat (hours included)', () => {
  for (const folder of ['', 'AWSLogs/', 'AWSLogs/o-abc123/', 'AWSLogs/111122223333/', ct, `${ct}2024/`, `${ct}2024/05/`]) {
    assert.deepEqual(planFolder(folder, day, 1), { walk: 'levels' }, folder);
  }
  assert.deepEqual(planFolder(`${ct}2024/05/15/`, day, 1), { walk: 'flat' });
  assert.deepEqual(planFolder('AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/15/', day, 1), { walk: 'flat' });
});

test('days, months and years outside --from/--to are pruned, with the delivery lag: the next day is kept for --to', () => {
  const before = { walk: 'prune', reason: 'delivered before the time range' };
  const after = { walk: 'prune', reason: 'delivered after the time range' };
  assert.deepEqual(planFolder(`${ct}2024/05/14/`, day, 1), before);
  assert.deepEqual(planFolder(`${ct}2024/04/`, day, 1), before);
  assert.deepEqual(planFolder(`${ct}2023/`, day, 1), before);
  // An event of the 15th can be delivered in the folder of the 16th (minutes of lag across midnight).
  assert.deepEqual(planFolder(`${ct}2024/05/16/`, day, 1), { walk: 'flat' });
  assert.deepEqual(planFolder(`${ct}2024/05/17/`, day, 1), after);
  assert.deepEqual(planFolder(`${ct}2024/06/`, day, 1), after);
  // Month ends: May has 31 days, a day range inside it is kept.
  assert.deepEqual(planFolder(`${ct}2024/05/`, { from: new Date('2024-05-31T23:00:00Z') }, 1), { walk: 'levels' });
});

test('accounts, regions and digests not wanted are never listed; other layouts are listed flat', () => {
  assert.deepEqual(planFolder('AWSLogs/999999999999/', { accounts: ['111122223333'] }, 1), { walk: 'prune', reason: 'account not selected' });
  assert.deepEqual(planFolder('AWSLogs/111122223333/CloudTrail/eu-west-1/', { regions: ['us-east-1'] }, 1), { walk: 'prune', reason: 'region not selected' });
  assert.equal(planFolder('AWSLogs/111122223333/CloudTrail-Digest/', {}, 1).walk, 'prune');
  assert.deepEqual(planFolder('AWSLogs/111122223333/Config/', {}, 1), { walk: 'flat' });
  assert.deepEqual(planFolder('exports/lake/', {}, 2), { walk: 'levels' });
  assert.deepEqual(planFolder('a/b/c/', {}, 3), { walk: 'flat' });
  // A custom trail prefix before AWSLogs/ is followed into the layout.
  assert.deepEqual(planFolder(`my-prefix/${ct}2024/05/14/`, day, 5), { walk: 'prune', reason: 'delivered before the time range' });
});

test('s3:// arguments: bucket and prefix, and a name S3 would refuse is a usage error', () => {
  assert.deepEqual(parseS3Url('s3://my-trail-bucket/AWSLogs/'), { bucket: 'my-trail-bucket', prefix: 'AWSLogs/' });
  assert.deepEqual(parseS3Url('s3://my-trail-bucket'), { bucket: 'my-trail-bucket', prefix: '' });
  assert.throws(
    () => parseS3Url('s3://Bad_Bucket/x'),
    (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE',
  );
  assert.throws(
    () => parseS3Url('s3:///x'),
    (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE',
  );
});

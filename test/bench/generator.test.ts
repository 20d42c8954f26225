import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PLANTED, classicExpectation, generateCloudTrailCorpus, plantedCounts, type CloudTrailCorpusOptions } from '../../src/bench/generate/cloudtrail.js';

type Rec = Record<string, any>;

const EVENTS = 4000;

async function generate(options: Omit<CloudTrailCorpusOptions, 'root'>) {
  const root = await mkdtemp(join(tmpdir(), 'trailbook-gen-'));
  const result = await generateCloudTrailCorpus({ root, ...options });
  const paths = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
  return { root, result, paths };
}

async function hashes(root: string, paths: string[]): Promise<string[]> {
  return Promise.all(
    paths.map(
      async (p) =>
        `${p} ${createHash('sha256')
          .update(await readFile(join(root, p)))
          .digest('hex')}`,
    ),
  );
}

async function records(root: string, paths: string[]): Promise<{ path: string; records: Rec[]; bytes: number }[]> {
  return Promise.all(
    paths.map(async (path) => {
      const text = gunzipSync(await readFile(join(root, path)));
      return { path, records: (JSON.parse(text.toString('utf8')) as { Records: Rec[] }).Records, bytes: text.length };
    }),
  );
}

test('same parameters give byte-identical corpora; another seed gives another corpus', async (t) => {
  const a = await generate({ events: EVENTS, seed: 7 });
  const b = await generate({ events: EVENTS, seed: 7 });
  const c = await generate({ events: EVENTS, seed: 8 });
  t.after(() => Promise.all([a, b, c].map((g) => rm(g.root, { recursive: true, force: true }))));
  assert.deepEqual(b.result, a.result);
  assert.deepEqual(await hashes(b.root, b.paths), await hashes(a.root, a.paths));
  assert.notDeepEqual(c.paths, a.paths);
  const aHashes = new Set((await hashes(a.root, a.paths)).map((h) => h.split(' ')[1]));
  for (const h of await hashes(c.root, c.paths)) assert.ok(!aHashes.has(h.split(' ')[1]));
});

test('S3 layout, file names, 50–500 events per file in time order, totals add up', async (t) => {
  const g = await generate({ events: EVENTS, accounts: 3, regions: 2, days: 2, seed: 1 });
  t.after(() => rm(g.root, { recursive: true, force: true }));
  const name =
    /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_\3\4\5T(\d{2})(\d{2})Z_[A-Za-z0-9]{16}\.json\.gz$/;
  const files = await records(g.root, g.paths);
  const accounts = new Set<string>();
  const regions = new Set<string>();
  let events = 0;
  let compressed = 0;
  let uncompressed = 0;
  for (const { path, records: recs, bytes } of files) {
    const m = name.exec(path);
    assert.ok(m, `bad key: ${path}`);
    const [, account, region, y, mo, d, hh, mm] = m as unknown as string[];
    accounts.add(account as string);
    regions.add(region as string);
    assert.equal(Number(mm) % 5, 0, 'files are delivered on five-minute marks');
    assert.ok(recs.length >= 50 && recs.length <= 500, `${path}: ${recs.length} events`);
    const delivered = Date.parse(`${y}-${mo}-${d}T${hh}:${mm}:00Z`);
    let previous = '';
    for (const r of recs) {
      assert.ok(r['eventTime'] >= previous, `${path}: events out of order`);
      previous = r['eventTime'];
      assert.ok(Date.parse(r['eventTime']) <= delivered, `${path}: event after delivery`);
      assert.equal(r['recipientAccountId'], account);
      assert.equal(r['awsRegion'], region);
    }
    events += recs.length;
    compressed += (await stat(join(g.root, path))).size;
    uncompressed += bytes;
  }
  assert.equal(accounts.size, 3);
  assert.equal(regions.size, 2);
  assert.deepEqual(g.result, { files: g.paths.length, events: EVENTS, bytesCompressed: compressed, bytesUncompressed: uncompressed });
  assert.equal(events, EVENTS);
});

test('every record has the fields CloudTrail always writes, and the identity mix is realistic', async (t) => {
  const g = await generate({ events: EVENTS, seed: 3 });
  t.after(() => rm(g.root, { recursive: true, force: true }));
  const all = (await records(g.root, g.paths)).flatMap((f) => f.records);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const ids = new Set<string>();
  const types = new Map<string, number>();
  for (const r of all) {
    for (const key of [
      'eventVersion',
      'eventTime',
      'eventSource',
      'eventName',
      'awsRegion',
      'sourceIPAddress',
      'userAgent',
      'eventType',
      'recipientAccountId',
      'eventCategory',
    ]) {
      assert.equal(typeof r[key], 'string', `${key} in ${JSON.stringify(r).slice(0, 200)}`);
    }
    assert.ok('requestParameters' in r && 'responseElements' in r);
    assert.equal(typeof r['readOnly'], 'boolean');
    assert.equal(typeof r['managementEvent'], 'boolean');
    assert.match(r['eventTime'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(r['eventSource'], /^[a-z0-9-]+\.amazonaws\.com$/);
    assert.match(r['eventID'], uuid);
    ids.add(r['eventID']);
    const identity = r['userIdentity'] as Rec;
    types.set(identity['type'], (types.get(identity['type']) ?? 0) + 1);
    if (identity['type'] === 'IAMUser' && r['eventType'] === 'AwsApiCall') assert.match(identity['accessKeyId'], /^AKIA[A-Z2-7]{16}$/);
    if (identity['type'] === 'AssumedRole') {
      assert.match(identity['accessKeyId'], /^ASIA[A-Z2-7]{16}$/);
      assert.equal(identity['sessionContext']['sessionIssuer']['type'], 'Role');
    }
    if (identity['type'] === 'AWSService') {
      assert.equal(r['sourceIPAddress'], identity['invokedBy']);
      assert.ok(!('tlsDetails' in r));
    }
  }
  assert.equal(ids.size, all.length, 'eventIDs are unique');
  for (const type of ['IAMUser', 'AssumedRole', 'AWSService']) assert.ok((types.get(type) ?? 0) > all.length * 0.05, `${type}: ${types.get(type)}`);
  assert.ok((types.get('Root') ?? 0) >= 1, 'some root activity');
  const share = (f: (r: Rec) => boolean) => all.filter(f).length / all.length;
  assert.ok(share((r) => r['readOnly'] === true) > 0.7, 'mostly read-only');
  assert.ok(share((r) => /^(Describe|List|Get)/.test(r['eventName'])) > 0.5, 'mostly Describe/List/Get');
  assert.ok(share((r) => r['eventCategory'] === 'Data' && r['requestParameters']?.['bucketName']) > 0.1, 'S3 data events');
  assert.ok(share((r) => r['errorCode'] !== undefined) > 0.01, 'some errors');
  assert.ok(all.some((r) => r['eventName'] === 'ConsoleLogin' && r['eventType'] === 'AwsConsoleSignIn'));
  assert.ok(all.some((r) => r['eventName'] === 'Decrypt' && r['eventSource'] === 'kms.amazonaws.com'));
  assert.ok(all.some((r) => r['eventName'] === 'AssumeRole' && r['userIdentity']['type'] === 'AWSService'));
  assert.ok(
    all.some((r) => /^10\./.test(r['sourceIPAddress'])),
    'private source addresses',
  );
  assert.ok(
    all.some((r) => /^\d+\.\d+\.\d+\.\d+$/.test(r['sourceIPAddress']) && !/^10\./.test(r['sourceIPAddress'])),
    'public source addresses',
  );
  assert.ok(all.some((r) => Array.isArray(r['resources'])));
  assert.ok(all.some((r) => r['tlsDetails']?.['tlsVersion']));
});

test('the planted 8443 events and decoys are there in the exported counts', async (t) => {
  const events = 9001;
  const g = await generate({ events, seed: 11 });
  t.after(() => rm(g.root, { recursive: true, force: true }));
  const all = (await records(g.root, g.paths)).flatMap((f) => f.records);
  const counts = plantedCounts(events);
  assert.deepEqual(Object.keys(counts).sort(), PLANTED.map((p) => p.kind).sort());
  // 9001 events = 4 full periods of 2000 plus 1001: kinds with an offset below 1001 appear 5 times.
  for (const p of PLANTED) assert.equal(counts[p.kind], p.offset < 1001 ? 5 : 4, p.kind);

  const params = (r: Rec) => JSON.stringify(r['requestParameters']);
  const perms = (r: Rec): Rec[] => r['requestParameters']?.['ipPermissions']?.['items'] ?? [];
  const found = {
    'ingress-8443': all.filter((r) => r['eventName'] === 'AuthorizeSecurityGroupIngress' && perms(r).some((p) => p['fromPort'] === 8443)).length,
    'ingress-all-traffic': all.filter((r) => perms(r).some((p) => p['ipProtocol'] === '-1')).length,
    'ingress-range-8000-9000': all.filter((r) => perms(r).some((p) => p['fromPort'] === 8000 && p['toPort'] === 9000)).length,
    'modify-rules-8443': all.filter((r) => r['eventName'] === 'ModifySecurityGroupRules').length,
    'egress-8443': all.filter((r) => r['eventName'] === 'AuthorizeSecurityGroupEgress').length,
    'revoke-ingress-8443': all.filter((r) => r['eventName'] === 'RevokeSecurityGroupIngress').length,
    'decoy-instance-id': all.filter((r) => r['eventName'] === 'StartInstances' && params(r).includes('8443')).length,
    'decoy-bucket-name': all.filter((r) => r['requestParameters']?.['bucketName']?.includes('8443')).length,
    'decoy-port-18443': all.filter((r) => perms(r).some((p) => p['fromPort'] === 18443)).length,
  };
  assert.deepEqual(found, counts);

  // The classic query's substring test, in JS: exactly the expected hits, nothing by chance.
  const classic = all.filter((r) => r['eventSource'].includes(':8443') || params(r).includes('8443')).length;
  const expected = classicExpectation(events);
  assert.equal(classic, expected.matches);
  assert.equal(expected.matches, expected.truePositives + expected.falsePositives);
  assert.deepEqual(expected, { matches: 31, truePositives: 19, falsePositives: 12, falseNegatives: 10 });
});

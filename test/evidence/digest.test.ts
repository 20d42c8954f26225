import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TrailbookError } from '../../src/errors.js';
import { loadPublicKeys, loadSignatureMap, parseDigest, validateLogFiles, type IntegrityReport } from '../../src/evidence/digest/index.js';
import { logKeyAt, makeKeyPair, writeKeysFile, writeLog, writeSidecar, writeTree, type TreeOptions } from './digest-tree.js';

const PAIR = makeKeyPair();

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-digest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tree of three chained hourly digests with the newest one's signature saved beside it. */
function setup(t: { after: (fn: () => void) => void }, options: Partial<TreeOptions> = {}, keys: Parameters<typeof writeKeysFile>[1] = [{ pair: PAIR }]) {
  const dir = scratch(t);
  const tree = writeTree(join(dir, 'bucket'), { pair: PAIR, ...options });
  writeSidecar(tree.digests.at(-1)!);
  const keysPath = writeKeysFile(join(dir, 'keys.json'), keys);
  const run = (extra: { signatures?: string } = {}) =>
    validateLogFiles([tree.root], { publicKeys: loadPublicKeys(keysPath), ...(extra.signatures ? { signatures: loadSignatureMap(extra.signatures) } : {}) });
  return { dir, tree, keysPath, run };
}

const digestOf = (report: IntegrityReport, key: string) => report.digests.find((d) => d.key === key);
const logOf = (report: IntegrityReport, key: string) => report.logFiles.find((l) => l.key === key);
const statuses = (rows: readonly { status: string }[]) => rows.map((r) => r.status);

/** Rewrites a gzipped file's uncompressed contents. */
function editGz(path: string, edit: (text: string) => string): void {
  writeFileSync(path, gzipSync(Buffer.from(edit(gunzipSync(readFileSync(path)).toString('utf8')))));
}

test('an untouched tree: every digest and every log file is valid', async (t) => {
  const { tree, run } = setup(t);
  const report = await run();
  assert.equal(report.ok, true);
  assert.deepEqual(statuses(report.digests), ['valid', 'valid', 'valid']);
  assert.equal(report.logFiles.length, 6);
  assert.ok(report.logFiles.every((l) => l.status === 'valid'));
  // The oldest is the chain's first digest; the older ones are proven by the next digest's
  // previousDigestSignature, the newest by its sidecar.
  assert.equal(digestOf(report, tree.digests[0]!.key)!.chainStart, 'first-digest');
  assert.deepEqual(
    report.digests.map((d) => d.signatureSource),
    ['next-digest', 'next-digest', 'sidecar'],
  );
});

test('one byte changed in a log file: that file is invalid, with a hash mismatch, and nothing else', async (t) => {
  const { tree, run } = setup(t);
  const target = tree.logs[3]!;
  editGz(target.path, (text) => text.replace('DescribeInstances', 'DescribeInstancez'));
  const report = await run();
  assert.equal(report.ok, false);
  const bad = report.logFiles.filter((l) => l.status !== 'valid');
  assert.deepEqual(
    bad.map((l) => l.key),
    [target.key],
  );
  assert.equal(bad[0]!.status, 'invalid');
  assert.match(bad[0]!.reason, /^hash mismatch: /);
  assert.equal(bad[0]!.digest, tree.digests[1]!.key);
  assert.deepEqual(statuses(report.digests), ['valid', 'valid', 'valid']);
});

test('the compressed bytes may change (re-gzipped) as long as the contents do not: still valid', async (t) => {
  const { tree, run } = setup(t);
  const target = tree.logs[0]!;
  writeFileSync(target.path, gzipSync(gunzipSync(readFileSync(target.path)), { level: 1 }));
  assert.equal((await run()).ok, true);
});

test('a tampered digest fails its signature; its log files are no longer proven', async (t) => {
  const { tree, run } = setup(t);
  const middle = tree.digests[1]!;
  editGz(middle.path, (text) => text.replace(tree.logs[2]!.key, tree.logs[2]!.key.replace('h1a', 'h1x')));
  const report = await run();
  const result = digestOf(report, middle.key)!;
  assert.equal(result.status, 'invalid');
  assert.ok(
    result.problems.some((p) => p.code === 'bad-signature'),
    JSON.stringify(result.problems),
  );
  // The next digest recorded the original's hash: the chain says so too.
  assert.ok(result.problems.some((p) => p.code === 'broken-chain'));
  assert.equal(logOf(report, tree.logs[3]!.key)!.status, 'unverified');
  assert.equal(digestOf(report, tree.digests[0]!.key)!.status, 'valid');
  assert.equal(report.ok, false);
});

test('the newest digest tampered: its sidecar signature no longer verifies', async (t) => {
  const { tree, run } = setup(t);
  const newest = tree.digests[2]!;
  editGz(newest.path, (text) => text.replace('"digestEndTime":"2024-05-01T13:00:00Z"', '"digestEndTime":"2024-05-01T13:00:01Z"'));
  const result = digestOf(await run(), newest.key)!;
  assert.equal(result.status, 'invalid');
  assert.deepEqual(
    result.problems.map((p) => p.code),
    ['bad-signature'],
  );
});

test('a middle digest removed: reported missing, the chain gap named, its logs "digest missing"', async (t) => {
  const { tree, run } = setup(t);
  rmSync(tree.digests[1]!.path);
  const report = await run();
  assert.equal(report.ok, false);
  const gap = digestOf(report, tree.digests[1]!.key)!;
  assert.equal(gap.status, 'missing');
  assert.equal(gap.path, null);
  assert.equal(gap.endTime, '2024-05-01T12:00:00Z');
  assert.match(gap.problems[0]!.message, /names it as its previous digest/);
  // The oldest digest's signature lived in the removed one.
  assert.equal(digestOf(report, tree.digests[0]!.key)!.status, 'signature-unavailable');
  assert.equal(digestOf(report, tree.digests[2]!.key)!.status, 'valid');
  for (const log of tree.digests[1]!.logs) {
    const result = logOf(report, log.key)!;
    assert.equal(result.status, 'digest-missing', log.key);
    assert.equal(result.digest, tree.digests[1]!.key);
  }
});

test('previousDigestHashValue wrong in a signed digest: the chain is reported broken at the previous digest', async (t) => {
  const { tree, run } = setup(t, {
    beforeSigning: (doc, i) => {
      if (i === 2) doc.previousDigestHashValue = '0'.repeat(64);
    },
  });
  const report = await run();
  const previous = digestOf(report, tree.digests[1]!.key)!;
  assert.equal(previous.status, 'invalid');
  assert.deepEqual(
    previous.problems.map((p) => p.code),
    ['broken-chain'],
  );
  assert.match(previous.problems[0]!.message, new RegExp(`next digest ${basename(tree.digests[2]!.key).replace(/[.]/g, '\\.')} recorded 0{64}`));
  assert.equal(digestOf(report, tree.digests[2]!.key)!.status, 'valid');
});

test('only the oldest digests given (a range edge): the chain continues before them, not a gap', async (t) => {
  const { tree, keysPath } = setup(t);
  const report = await validateLogFiles([dirname(tree.digests[2]!.path), dirname(tree.logs[0]!.path)], { publicKeys: loadPublicKeys(keysPath) });
  assert.deepEqual(statuses(report.digests), ['valid', 'valid', 'valid']);
  // Now give only the newest digest: its previous one is outside the files given.
  const newestOnly = await validateLogFiles([tree.digests[2]!.path, tree.digests[2]!.path + '.sig', ...tree.digests[2]!.logs.map((l) => l.path)], {
    publicKeys: loadPublicKeys(keysPath),
  });
  assert.deepEqual(
    newestOnly.digests.map((d) => [d.status, d.chainStart]),
    [['valid', 'before-input']],
  );
  assert.equal(newestOnly.ok, true);
});

test('a key that did not sign the digests: bad signature; an unknown fingerprint: unknown key', async (t) => {
  const other = makeKeyPair();
  const wrong = setup(t, {}, [{ pair: other, fingerprint: PAIR.fingerprint }]);
  const report = await wrong.run();
  assert.deepEqual(statuses(report.digests), ['invalid', 'invalid', 'invalid']);
  assert.ok(report.digests.every((d) => d.problems.some((p) => p.code === 'bad-signature')));
  assert.ok(report.logFiles.every((l) => l.status === 'unverified'));

  const unknown = setup(t, {}, [{ pair: other }]);
  const unknownReport = await unknown.run();
  assert.ok(unknownReport.digests.every((d) => d.status === 'invalid' && d.problems[0]!.code === 'unknown-key'));
  assert.match(unknownReport.digests[0]!.problems[0]!.message, new RegExp(PAIR.fingerprint));
});

test('a key whose validity ended before the digest: reported', async (t) => {
  const { run } = setup(t, {}, [{ pair: PAIR, to: '2024-05-01T11:30:00Z' }]);
  const report = await run();
  assert.deepEqual(
    report.digests.map((d) => d.problems.map((p) => p.code).join()),
    ['', 'key-not-valid-then', 'key-not-valid-then'],
  );
});

test('a log file no digest lists: not covered; a listed one deleted: missing; one listed in a folder not given: outside input', async (t) => {
  const elsewhere = logKeyAt('2024-04-30T23:55:00Z', 'edge');
  const { tree, run } = setup(t, {
    beforeSigning: (doc, i) => {
      if (i === 0) (doc.logFiles as object[]).push({ s3Bucket: 'trail-bucket', s3Object: elsewhere, hashValue: 'ab'.repeat(32), hashAlgorithm: 'SHA-256' });
    },
  });
  const stray = writeLog(tree.root, '2024-05-01T15:10:00Z', 'stray');
  rmSync(tree.logs[5]!.path);
  const report = await run();
  assert.equal(logOf(report, stray.key)!.status, 'not-covered');
  assert.equal(logOf(report, tree.logs[5]!.key)!.status, 'missing');
  assert.equal(logOf(report, elsewhere)!.status, 'outside-input');
  assert.equal(report.ok, false);
  rmSync(stray.path);
  writeFileSync(tree.logs[5]!.path, '');
  assert.equal(logOf(await run(), tree.logs[5]!.key)!.status, 'invalid');
});

test('the newest digest without a saved signature is "signature unavailable", never valid; a sidecar or --signatures makes it valid', async (t) => {
  const { dir, tree, run } = setup(t);
  const newest = tree.digests[2]!;
  rmSync(newest.path + '.sig');
  const report = await run();
  assert.equal(digestOf(report, newest.key)!.status, 'signature-unavailable');
  assert.ok(newest.logs.every((l) => logOf(report, l.key)!.status === 'unverified'));
  assert.equal(report.ok, false);

  // The JSON `aws s3api head-object` prints is a sidecar too.
  writeFileSync(
    newest.path + '.sig',
    JSON.stringify({ ContentType: 'application/json', Metadata: { signature: newest.signature, 'signature-algorithm': 'SHA256withRSA' } }),
  );
  assert.equal(digestOf(await run(), newest.key)!.signatureSource, 'sidecar');
  rmSync(newest.path + '.sig');

  const map = join(dir, 'signatures.json');
  writeFileSync(map, JSON.stringify({ [`s3-prefix/${newest.key}`]: newest.signature }));
  const withMap = await run({ signatures: map });
  assert.equal(digestOf(withMap, newest.key)!.status, 'valid');
  assert.equal(digestOf(withMap, newest.key)!.signatureSource, 'signatures-file');
  assert.equal(withMap.ok, true);
});

test('a digest moved from where CloudTrail delivered it: wrong location, though its signature holds', async (t) => {
  const { tree, run } = setup(t);
  const newest = tree.digests[2]!;
  const moved = newest.path.replace('/2024/05/01/', '/2024/05/02/');
  mkdirSync(dirname(moved), { recursive: true });
  renameSync(newest.path, moved);
  renameSync(newest.path + '.sig', moved + '.sig');
  const result = (await run()).digests.find((d) => d.path?.endsWith(moved.slice(tree.root.length + 1)))!;
  assert.deepEqual(
    result.problems.map((p) => p.code),
    ['wrong-location'],
  );
});

test('digest shapes: JSON null or the string "null" for a first digest, bad files are reasons, not crashes', async (t) => {
  const { tree, run } = setup(t);
  const first = parseDigest(readFileSync(tree.digests[0]!.path));
  assert.ok(!('error' in first));
  assert.equal(first.document.previousDigestSignature, null);
  const asString = parseDigest(
    Buffer.from(JSON.stringify({ ...JSON.parse(gunzipSync(readFileSync(tree.digests[0]!.path)).toString()), previousDigestSignature: 'null' })),
  );
  assert.ok(!('error' in asString) && asString.document.previousDigestSignature === null);
  assert.deepEqual(parseDigest(Buffer.from('{"Records":[]}')), {
    error: 'not a CloudTrail digest: no digestStartTime, digestEndTime, digestS3Bucket, digestS3Object, digestPublicKeyFingerprint, digestSignatureAlgorithm',
  });
  assert.match((parseDigest(Buffer.from([0x1f, 0x8b, 1, 2, 3])) as { error: string }).error, /^cannot decompress/);

  writeFileSync(tree.digests[1]!.path, 'not json');
  const report = await run();
  assert.deepEqual(
    digestOf(report, tree.digests[1]!.key)!.problems.map((p) => p.code),
    ['not-a-digest'],
  );
});

test('the public keys file is checked: unreadable, not JSON, no keys, bad key values are input errors', async (t) => {
  const dir = scratch(t);
  const cases: [string, RegExp][] = [
    ['{', /not JSON/],
    ['{"PublicKeyList":[]}', /no PublicKeyList entries/],
    ['{"PublicKeyList":[{"Fingerprint":"ab","Value":"bm90IGEga2V5"}]}', /not a base64 DER RSA public key/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(dir, 'k.json'), text);
    assert.throws(
      () => loadPublicKeys(join(dir, 'k.json')),
      (e: unknown) => e instanceof TrailbookError && e.code === 'INPUT' && message.test(e.message),
    );
  }
  assert.throws(
    () => loadPublicKeys(join(dir, 'absent.json')),
    (e: unknown) => e instanceof TrailbookError && e.code === 'INPUT',
  );
});

test('a folder with no CloudTrail files at all is "nothing read", not a silent success', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  const keysPath = writeKeysFile(join(dir, 'keys.json'), [{ pair: PAIR }]);
  await assert.rejects(
    validateLogFiles([dir], { publicKeys: loadPublicKeys(keysPath) }),
    (e: unknown) => e instanceof TrailbookError && e.code === 'NOTHING_READ',
  );
});

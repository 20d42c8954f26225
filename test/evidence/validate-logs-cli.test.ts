import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';
import { makeKeyPair, writeKeysFile, writeLog, writeSidecar, writeTree } from './digest-tree.js';

// The CLI tests run bin/trailbook.js, which loads dist/: `npm run build` first (npm test does).
const PAIR = makeKeyPair();

function setup(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tree = writeTree(join(dir, 'download'), { pair: PAIR });
  const keys = writeKeysFile(join(dir, 'keys.json'), [{ pair: PAIR }]);
  return { dir, tree, keys };
}

test('validate-logs: an untouched tree exits 0 and says so; --format json lists every file', async (t) => {
  const { tree, keys } = setup(t);
  writeSidecar(tree.digests[2]!);
  const run = await runInProcess(['validate-logs', tree.root, '--public-keys', keys]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^digests: {3}3 valid$/m);
  assert.match(run.stdout, /^log files: 6 valid$/m);
  assert.match(run.stdout, /result: {4}every file given is valid/);
  const json = JSON.parse((await runInProcess(['validate-logs', tree.root, '--public-keys', keys, '--format', 'json'])).stdout);
  assert.equal(json.schema, 'trailbook.log-integrity/v1');
  assert.equal(json.ok, true);
  assert.equal(json.logFiles.length, 6);
});

test('validate-logs: a tampered log file exits 12 and names the file and why', async (t) => {
  const { tree, keys } = setup(t);
  writeSidecar(tree.digests[2]!);
  const target = tree.logs[4]!;
  writeFileSync(target.path, gzipSync(Buffer.from(gunzipSync(readFileSync(target.path)).toString().replace('us-east-1', 'us-east-2'))));
  const run = await runInProcess(['validate-logs', tree.root, '--public-keys', keys]);
  assert.equal(run.status, 12, run.stderr);
  const name = target.key.split('/').at(-1)!;
  assert.match(run.stdout, new RegExp(`^INVALID +log +\\S*${name.replace(/[.]/g, '\\.')}\\n +hash mismatch: `, 'm'));
  assert.match(run.stderr, /trailbook: error: 1 file is not valid/);
});

test('validate-logs: the newest digest needs its signature (exit 12 without, 0 with --signatures)', async (t) => {
  const { dir, tree, keys } = setup(t);
  const run = await runInProcess(['validate-logs', tree.root, '--public-keys', keys]);
  assert.equal(run.status, 12);
  assert.match(run.stdout, /^NO SIGNATURE +digest .*\n +no signature: give .*\.sig or --signatures/m);
  const map = join(dir, 'sigs.json');
  writeFileSync(map, JSON.stringify({ [tree.digests[2]!.key.split('/').at(-1)!]: tree.digests[2]!.signature }));
  assert.equal((await runInProcess(['validate-logs', tree.root, '--public-keys', keys, '--signatures', map])).status, 0);
});

test('validate-logs: usage and input errors have their exit codes; hostile file names are escaped', async (t) => {
  const { dir, tree, keys } = setup(t);
  assert.equal((await runInProcess(['validate-logs', tree.root])).status, 2);
  assert.equal((await runInProcess(['validate-logs', tree.root, '--public-keys', join(dir, 'absent.json')])).status, 3);
  assert.equal((await runInProcess(['validate-logs', tree.root, '--public-keys', keys, '--format', 'csv'])).status, 2);
  writeSidecar(tree.digests[2]!);
  writeLog(tree.root, '2024-05-01T16:00:00Z', 'x\u001b[2Jy\u202e');
  const run = await runInProcess(['validate-logs', tree.root, '--public-keys', keys]);
  assert.equal(run.status, 12);
  assert.ok(!run.stdout.includes('\u001b') && !run.stdout.includes('\u202e'));
  assert.match(run.stdout, /^NOT COVERED +log .*x\\x1b\[2Jy\\u\{202e\}\.json\.gz$/m);
});

/** The shell block under "Checking one digest by hand" in docs/evidence.md, as written. */
function byHandBlock(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'evidence.md'), 'utf8');
  const block = /<!-- verify-by-hand:[^\n]*\n```sh\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/evidence.md has the by-hand block');
  return block[1]!;
}

test('docs/evidence.md: the by-hand openssl check verifies a good digest and rejects a tampered one', (t) => {
  const missing = ['bash', 'gunzip', 'jq', 'xxd', 'openssl', 'sha256sum', 'base64'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  if (missing.length) {
    t.skip(`needs ${missing.join(', ')} on PATH to run the documented commands`);
    return;
  }
  const { dir, tree, keys } = setup(t);
  const script = byHandBlock();
  const run = (digestPath: string) =>
    spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: mkdtempSync(join(dir, 'work-')),
      encoding: 'utf8',
      env: { ...process.env, DIGEST: digestPath, KEYS: keys },
    });
  writeSidecar(tree.digests[0]!); // the first digest of the chain: previousDigestSignature is null
  writeSidecar(tree.digests[2]!);
  for (const digest of [tree.digests[0]!, tree.digests[2]!]) {
    const good = run(digest.path);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /Verified OK/);
  }
  const tampered = tree.digests[2]!;
  writeFileSync(tampered.path, gzipSync(Buffer.from(gunzipSync(readFileSync(tampered.path)).toString().replace('"logFiles":[', '"logFiles":[ '))));
  const bad = run(tampered.path);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout + bad.stderr, /Verification failure/);
});

/**
 * The first mistakes a new user makes (issue 15): a missing folder for a file the user names,
 * a store that is not there. Each ends in its documented exit status with a message and a hint,
 * never "this is a bug" (70), and nothing is created that the user did not ask for. Commands run
 * in-process (test/helpers/in-process.ts) on the bundled sample.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';

const SAMPLE = join(REPO_ROOT, 'sample');
let dir = '';
let db = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-first-hour-'));
  db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', join(SAMPLE, 'cloudtrail'), join(SAMPLE, 'vpcflow'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function assertRefused(r: { status: number; stderr: string }, status: number, message: RegExp): void {
  assert.equal(r.status, status, r.stderr);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /hint: /);
  assert.doesNotMatch(r.stderr, /this is a bug|\n\s+at .*\.(ts|js):\d+/);
}

test('investigate --out into a missing folder: exit 13 naming the path, no stack trace', async () => {
  const out = join(dir, 'no', 'such', 'dir', 'r.txt');
  const r = await runInProcess(['investigate', '--db', db, '--out', out]);
  assertRefused(r, 13, /cannot write --out .*r\.txt: its folder does not exist/);
  assert.equal(existsSync(join(dir, 'no')), false);
});

test('every path the user names for writing is refused with exit 13 when the filesystem says no', async () => {
  // A path through a regular file (ENOTDIR) fails for root too, unlike a permission test.
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const cases: Array<[string, string[], RegExp]> = [
    ['investigate --out', ['investigate', '--db', db, '--out', join(file, 'r.html'), '--format', 'html'], /cannot write --out/],
    ['investigate --out a folder', ['investigate', '--db', db, '--out', dir], /cannot write --out .*: it is a folder/],
    ['ingest --db', ['ingest', join(SAMPLE, 'cloudtrail'), '--db', join(file, 'x', 'store.duckdb'), '--no-progress'], /cannot write the store folder/],
    [
      'investigate PATHS --db',
      ['investigate', join(SAMPLE, 'cloudtrail'), '--db', join(file, 'store.duckdb'), '--no-progress'],
      /cannot write the store folder/,
    ],
    [
      'evidence commit --repo',
      ['evidence', 'commit', '--db', db, '--repo', join(file, 'evidence'), '--to', '2024-05-15T00:00:00Z'],
      /cannot write the evidence repository/,
    ],
  ];
  for (const [label, args, message] of cases) {
    const r = await runInProcess(args);
    assert.equal(r.status, 13, `${label}: ${r.stderr}`);
    assertRefused(r, 13, message);
  }
});

test('no store, no silent empty answer: every reading command exits 3 and creates nothing', async () => {
  const empty = mkdtempSync(join(dir, 'empty-'));
  const missing = join(empty, '.trailbook', 'trailbook.duckdb');
  const commands: Array<[string, string[]]> = [
    ['investigate', ['investigate', '--db', missing]],
    ['investigate --format json', ['investigate', '--db', missing, '--format', 'json']],
    ['sql', ['sql', 'SELECT count(*) FROM cloudtrail_logs', '--db', missing]],
    ['exposures', ['exposures', '--db', missing]],
    ['flows', ['flows', '--db', missing]],
    ['evidence commit', ['evidence', 'commit', '--db', missing, '--repo', join(empty, 'evidence')]],
  ];
  for (const [label, args] of commands) {
    const r = await runInProcess(args, { cwd: empty });
    assert.equal(r.status, 3, `${label}: ${r.stderr}`);
    assertRefused(r, 3, /no store at .*trailbook\.duckdb/);
    assert.match(r.stderr, /hint: give the logs .*or choose an existing store/);
    assert.deepEqual(readdirSync(empty), [], `${label} created ${readdirSync(empty).join(', ')}`);
  }
  // The default store too, relative to where the user stands.
  const r = await runInProcess(['investigate'], { cwd: empty });
  assertRefused(r, 3, /no store at \.trailbook\/trailbook\.duckdb/);
  assert.deepEqual(readdirSync(empty), []);
});

test('a path that does not exist, or a bad parameter, is refused before a store is opened or made', async () => {
  const empty = mkdtempSync(join(dir, 'nothing-made-'));
  const missing = join(empty, 'no-such-logs');
  const cases: Array<[string[], number, RegExp]> = [
    [['ingest', missing], 3, /no such file or folder: .*no-such-logs/],
    [['investigate', missing], 3, /no such file or folder: .*no-such-logs/],
    [['run', 'credential-compromise', missing], 3, /no such file or folder: .*no-such-logs/],
    // An S3 location is read (test/sources/s3.slow.ts); one S3 would refuse is said before any request.
    [['ingest', 's3://Example_Bucket/AWSLogs/'], 2, /not an S3 bucket name: "Example_Bucket"/],
    // With no store at all, the parameter is still the first thing said.
    [['run', 'credential-compromise', '--param', 'nope=1'], 2, /nope: unknown parameter/],
    [['run', 'logging-tampering', '--param', 'restore_within_minutes=soon'], 2, /restore_within_minutes: expected/],
  ];
  for (const [args, status, message] of cases) {
    const r = await runInProcess(args, { cwd: empty });
    assertRefused(r, status, message);
    assert.deepEqual(readdirSync(empty), [], `${args.join(' ')} created ${readdirSync(empty).join(', ')}`);
  }
});

test("the README's second command works right after `npm run demo`: the demo fills the default store", async () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const demo = pkg.scripts['demo']!.split(' ');
  assert.deepEqual(demo.slice(0, 2), ['node', 'bin/trailbook.js']);
  assert.doesNotMatch(pkg.scripts['demo']!, /--db/);
  // A fresh place to stand with the repository's sample in it, as in a clone.
  const clone = mkdtempSync(join(dir, 'clone-'));
  symlinkSync(SAMPLE, join(clone, 'sample'));
  const ran = await runInProcess(demo.slice(2), { cwd: clone });
  assert.equal(ran.status, 0, ran.stderr);
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const second = /^trailbook (investigate --format html --out report\.html)\s+#/m.exec(readme);
  assert.ok(second, 'the README still shows `trailbook investigate --format html --out report.html`');
  const r = await runInProcess(second[1]!.split(' '), { cwd: clone });
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(join(clone, 'report.html'), 'utf8'), /^<!doctype html>/i);
});

test('a bad --port is worded once, exit 2, on every command that takes one; twice is refused', async () => {
  const commands: Array<[string, string[]]> = [
    ['investigate', ['investigate', '--db', db]],
    ['exposures', ['exposures', '--db', db]],
    ['flows', ['flows', '--db', db]],
    ['evidence commit', ['evidence', 'commit', '--db', db, '--repo', join(dir, 'never-evidence')]],
  ];
  for (const [label, args] of commands) {
    for (const bad of ['abc', '0', '70000', '84.43', '-1', '']) {
      const r = await runInProcess([...args, '--port', bad]);
      assert.equal(r.status, 2, `${label} --port ${bad}: ${r.stderr}`);
      assert.equal(r.stderr, `trailbook: error: --port "${bad}" is not a port: a whole number from 1 to 65535\n  hint: e.g. --port 8443\n`, label);
      assert.equal(r.stdout, '');
    }
    const twice = await runInProcess([...args, '--port', '8443', '--port', '443']);
    assert.equal(twice.status, 2, `${label} twice: ${twice.stderr}`);
    assert.match(twice.stderr, /--port is given twice \(8443 and 443\)/);
    assert.doesNotMatch(twice.stderr, /--param/);
  }
  assert.equal(existsSync(join(dir, 'never-evidence')), false);
});

test('the text report ends with a one-line summary, and --quiet prints only that line and keeps the exit status', async () => {
  const question = [
    'investigate',
    '--db',
    db,
    '--intel',
    join(SAMPLE, 'intel', 'threat-feed.txt'),
    '--trusted',
    join(SAMPLE, 'trusted-networks.yaml'),
    '--to',
    '2024-05-15T00:00:00Z',
  ];
  const json = await runInProcess([...question, '--format', 'json']);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { findings: Array<{ decision: { action: string } }>; answers: { firstSeen: string } };
  const counts = ['isolate', 'escalate', 'ticket', 'false-positive']
    .map((action) => [action, report.findings.filter((f) => f.decision.action === action).length] as const)
    .filter(([, n]) => n > 0);
  const [mostSevere] = counts[0]!;
  const expected = `OUTCOME: ${mostSevere.toUpperCase()} — ${report.findings.length} findings: ${counts.map(([action, n]) => `${n} ${action}`).join(', ')} · first seen ${report.answers.firstSeen} · every row: --full, or --format json | html`;

  const text = await runInProcess(question);
  assert.equal(text.status, 0, text.stderr);
  // Piped, the report is 100 columns wide: the summary is the last paragraph, wrapped.
  const last = text.stdout.trimEnd().split('\n\n').at(-1)!;
  assert.equal(last.replace(/\n {2}/g, ' '), expected);
  assert.ok(
    last.split('\n').every((line) => line.length <= 100),
    last,
  );

  const quiet = await runInProcess([...question, '--quiet', '--fail-on', 'escalate']);
  assert.equal(quiet.stdout, `${expected}\n`);
  assert.equal(quiet.status, 1, 'an isolate finding is at least as severe as escalate');
  assert.doesNotMatch(quiet.stderr, /note:|report written/);
});

// Slow suite (`npm run test:slow`): the CLI as another user (a subprocess with uid/gid) and a ~20 MB file merged in parts; the other hostile cases are in hostile.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingestPaths, type IngestSummary } from '../../src/ingest/ingest.js';
import { ctEvent, records, runCli, tempDir, writeTree } from '../helpers/fixtures.js';
import { writeLargeCloudTrailFile } from '../e2e/generate.js';
import { assertTotalsAddUp, openStore } from './totals.js';

/**
 * Issue 12, the ingest half of its hostile-input corpus: every case is generated here (nothing
 * large is committed), has its expected outcome, and runs beside good files that must all be
 * stored, with totals that add up. docs/limits.md lists the limits and reasons these exercise.
 */

const ev = (id: string) => ctEvent({ eventID: id });

const FLOW_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
let sourcePort = 49152;
/** A flow record; each has its own source port, so no two are the same row (the store dedupes those). */
const flowLine = (port: number | string, start: number | string = 1714557600, bytes: number | string = 840) =>
  `2 111122223333 eni-0a1b2c3d 198.51.100.7 10.0.0.5 ${sourcePort++} ${port} 6 10 ${bytes} ${start} ${Number(start) + 60 || 1714557660} ACCEPT OK`;

test('CLI: unreadable files and folders (EACCES) are listed as skipped; exit 3 only when nothing could be read', (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const root = join(dir, 'logs');
  writeTree(root, {
    'a-good.json': records(ev('readable-1'), ev('readable-2')),
    'b-secret.json': records(ev('secret-1')),
    'c-closed/inside.json': records(ev('secret-2')),
    'd-flows/111122223333_vpcflowlogs_us-east-1_fl-0abc_20240501T1000Z_ab12.log': [FLOW_HEADER, flowLine(8443)].join('\n') + '\n',
  });
  chmodSync(join(root, 'b-secret.json'), 0o000);
  chmodSync(join(root, 'd-flows', '111122223333_vpcflowlogs_us-east-1_fl-0abc_20240501T1000Z_ab12.log'), 0o000);
  chmodSync(join(root, 'c-closed'), 0o000);
  mkdirSync(join(dir, 'store'), { mode: 0o777 });
  chmodSync(join(dir, 'store'), 0o777);
  // Root reads everything whatever the mode: run the CLI as nobody then, as a real user would be.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const db = join(dir, 'store', 'store.duckdb');
  const run = runCli(['ingest', root, '--db', db, '--json', '--no-progress'], asUser);
  assert.equal(run.status, 0, run.stderr);
  const s = JSON.parse(run.stdout) as IngestSummary;
  assertTotalsAddUp(s);
  assert.equal(s.events.inserted, 2);
  assert.deepEqual(s.skippedFiles.map((f) => `${f.path.slice(root.length + 1)} ${f.code}: ${f.reason}`).sort(), [
    'b-secret.json unreadable: cannot read: permission denied (EACCES)',
    'c-closed unreadable: cannot read the folder: permission denied (EACCES)',
    'd-flows/111122223333_vpcflowlogs_us-east-1_fl-0abc_20240501T1000Z_ab12.log unreadable: cannot read: permission denied (EACCES)',
  ]);
  const nothing = runCli(['ingest', join(root, 'b-secret.json'), join(root, 'c-closed'), '--db', db, '--no-progress'], asUser);
  assert.equal(nothing.status, 3, nothing.stderr);
  assert.match(nothing.stderr, /every path given is unreadable/);
  assert.doesNotMatch(nothing.stderr, /bug/i);
});

test('a file of many events is merged in parts as it is read; cut short, it says what was stored, and a re-run adds the rest once', async (t) => {
  const dir = tempDir(t);
  const whole = join(dir, 'whole.json');
  writeLargeCloudTrailFile(whole, 30_000); // ~20 MB of JSON: more than one 8 MB part of packed rows
  const gz = gzipSync(readFileSync(whole));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  writeFileSync(join(logs, 'events.json.gz'), gz.subarray(0, Math.floor(gz.length * 0.8)));
  const engine = await openStore(t, dir);
  const cut = await ingestPaths(engine, [logs], { workers: 1 });
  assertTotalsAddUp(cut);
  assert.equal(cut.skippedFiles.length, 1);
  const stored = Number(/the (\d+) events before that point are stored/.exec(cut.skippedFiles[0]!.reason)?.[1]);
  assert.match(cut.skippedFiles[0]!.reason, /^gzip stream ends early/);
  assert.ok(stored > 0 && stored < 30_000, cut.skippedFiles[0]!.reason);
  assert.equal(Number((await engine.all('SELECT count(*) AS n FROM cloudtrail_events')).rows[0]!['n']), stored);
  // The complete file (a re-download): every event once.
  writeFileSync(join(logs, 'events.json.gz'), gz);
  const again = await ingestPaths(engine, [logs], { workers: 1 });
  assertTotalsAddUp(again);
  assert.deepEqual([again.files.read, again.events.found, again.events.inserted, again.events.duplicates], [1, 30_000, 30_000 - stored, stored]);
  assert.equal(Number((await engine.all('SELECT count(DISTINCT eventid) AS n FROM cloudtrail_events')).rows[0]!['n']), 30_000);
});

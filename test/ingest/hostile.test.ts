import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { assertTotalsAddUp, openStore } from './totals.js';

/**
 * Issue 12, the ingest half of its hostile-input corpus: every case is generated here (nothing
 * large is committed), has its expected outcome, and runs beside good files that must all be
 * stored, with totals that add up. docs/limits.md lists the limits and reasons these exercise.
 */

async function storedIds(engine: DuckDBEngine): Promise<string[]> {
  const { rows } = await engine.all('SELECT eventid FROM cloudtrail_logs ORDER BY eventid');
  return rows.map((r) => String(r['eventid']));
}

function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A CloudTrail record whose requestParameters is given as raw JSON text. */
function rawEvent(id: string, requestParameters: string): string {
  return `{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"X","eventID":"${id}","requestParameters":${requestParameters}}`;
}

const ev = (id: string) => ctEvent({ eventID: id });

test('hostile CloudTrail files beside good ones: each bad record or file skipped with its reason, every good event stored', async (t) => {
  const dir = tempDir(t);
  const root = join(dir, 'logs');
  const good = gzipSync(records(ev('good-gz-1'), ev('good-gz-2')));
  const member = gzipSync(records(ev('trail-1'), ev('trail-2')));
  writeTree(root, {
    'good.json': records(ev('good-1'), ev('good-2'), ev('good-3')),
    'good.json.gz': good,
    // ~5,000 levels deep: "Maximum call stack size exceeded" while flattening sank the run (exit 70).
    'deep.json': `{"Records":[${JSON.stringify(ev('deep-neighbour-1'))},${rawEvent('deep', nested(5000))},${JSON.stringify(ev('deep-neighbour-2'))}]}`,
    'deep-lines.json': `${JSON.stringify(ev('line-1'))}\n${rawEvent('deep-line', nested(5000))}\n${JSON.stringify(ev('line-3'))}\n`,
    // One record over --max-record-bytes (1 MiB here): skipped unread, its neighbours kept.
    'big-record.json': `[${JSON.stringify(ev('big-neighbour'))},${rawEvent('big', JSON.stringify({ userData: 'x'.repeat(2 * 1024 * 1024) }))}]`,
    // A gzip bomb: 24 MiB of one JSON string from 24 KB, stopped at --max-file-bytes (8 MiB here).
    'bomb.json.gz': gzipSync(
      Buffer.concat([Buffer.from('{"Records":[{"eventVersion":"1.08","x":"'), Buffer.alloc(24 * 1024 * 1024, 'a'), Buffer.from('"}]}')]),
    ),
    // A good member, then bytes that are not gzip: the member's events are kept, the bytes reported.
    'trailing.json.gz': Buffer.concat([member, Buffer.from('this is not gzip\n')]),
    'truncated.json': `{"Records":[${JSON.stringify(ev('cut-1'))},{"eventVersion":"1.08","eventTime":"2024-05`,
  });
  // A symbolic link to a folder outside the input is followed; links back up are loops, listed.
  writeTree(join(dir, 'elsewhere'), { 'linked.json': records(ev('linked-1')) });
  symlinkSync(join(dir, 'elsewhere'), join(root, 'link-to-elsewhere'));
  symlinkSync(root, join(root, 'loop'));
  symlinkSync(join(dir, 'missing'), join(root, 'broken-link'));
  execFileSync('mkfifo', [join(root, 'pipe')]);

  const engine = await openStore(t, dir);
  const s = await ingestPaths(engine, [root], { limits: { maxRecordBytes: 1024 * 1024, maxFileBytes: 8 * 1024 * 1024 } });
  assertTotalsAddUp(s);
  assert.deepEqual(await storedIds(engine), [
    'big-neighbour',
    'cut-1',
    'deep-neighbour-1',
    'deep-neighbour-2',
    'good-1',
    'good-2',
    'good-3',
    'good-gz-1',
    'good-gz-2',
    'line-1',
    'line-3',
    'linked-1',
    'trail-1',
    'trail-2',
  ]);
  const skippedFiles = Object.fromEntries(s.skippedFiles.map((f) => [f.path.slice(root.length + 1), `${f.code}: ${f.reason}`]));
  assert.match(skippedFiles['bomb.json.gz']!, /^too-large: decompressed size over limit 8 MiB/);
  assert.match(skippedFiles['loop']!, /^symlink-loop: /);
  assert.match(skippedFiles['pipe']!, /^not-a-regular-file: not a regular file \(a FIFO\)/);
  assert.match(skippedFiles['broken-link']!, /^unreadable: a link to nothing readable/);
  assert.equal(s.skippedFiles.length, 4);
  assert.deepEqual(s.events.skippedByReason, { 'too-deep': 2, 'record-too-large': 1, 'trailing-garbage': 1, 'invalid-json': 1 });
  const samples = s.skippedRecordSamples.map((r) => `${r.path.slice(root.length + 1)} ${r.at} ${r.code}`);
  assert.deepEqual(
    samples.sort(),
    [
      'big-record.json record 1 record-too-large',
      'deep-lines.json line 2 too-deep',
      'deep.json Records[1] too-deep',
      `trailing.json.gz byte ${member.length} trailing-garbage`,
      'truncated.json Records[1] invalid-json',
    ].sort(),
  );
});

test('limits are options: a record or file under a raised limit is read', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'deep.json': records(ctEvent({ eventID: 'deepish', requestParameters: JSON.parse(nested(150)) })) });
  const engine = await openStore(t, dir);
  const low = await ingestPaths(engine, [join(dir, 'deep.json')]);
  assert.deepEqual(low.events.skippedByReason, { 'too-deep': 1 });
  assert.match(low.skippedRecordSamples[0]!.reason, /deeper than 128 levels \(--max-depth\)/);
  writeFileSync(join(dir, 'deep2.json'), records(ctEvent({ eventID: 'deepish', requestParameters: JSON.parse(nested(150)) })));
  const high = await ingestPaths(engine, [join(dir, 'deep2.json')], { limits: { maxDepth: 200 } });
  assert.equal(high.events.inserted, 1);
});

test('a FIFO given as the path is listed as skipped, not a crash', async (t) => {
  const dir = tempDir(t);
  execFileSync('mkfifo', [join(dir, 'pipe')]);
  const engine = await openStore(t, dir);
  const s = await ingestPaths(engine, [join(dir, 'pipe')]);
  assertTotalsAddUp(s);
  assert.deepEqual(
    s.skippedFiles.map((f) => f.code),
    ['not-a-regular-file'],
  );
});

const FLOW_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
let sourcePort = 49152;
/** A flow record; each has its own source port, so no two are the same row (the store dedupes those). */
const flowLine = (port: number | string, start: number | string = 1714557600, bytes: number | string = 840) =>
  `2 111122223333 eni-0a1b2c3d 198.51.100.7 10.0.0.5 ${sourcePort++} ${port} 6 10 ${bytes} ${start} ${Number(start) + 60 || 1714557660} ACCEPT OK`;

test('flow-log values the store cannot hold are per-line skips; every other file and line is stored', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, {
    'flows/a-good.log': [FLOW_HEADER, flowLine(8443), flowLine(443)].join('\n') + '\n',
    // start ≥ 9.2e12 overflowed INT64 in the store (exit 70, every file of the run lost).
    'flows/b-time.log': [FLOW_HEADER, flowLine(8443), flowLine(8443, 9300000000000), flowLine(22, 253402300800)].join('\n') + '\n',
    'flows/c-values.log':
      [FLOW_HEADER, flowLine(70000), flowLine(8443, 1714557600, -5), flowLine(8443, 1714557600, '9223372036854775808'), flowLine(80)].join('\n') + '\n',
    'flows/d-good.log.gz': gzipSync([FLOW_HEADER, flowLine(8443)].join('\n') + '\n'),
    'cloudtrail.json': records(ev('beside-flows')),
  });
  const engine = await openStore(t, dir);
  const s = await ingestPaths(engine, [dir]);
  assertTotalsAddUp(s);
  assert.equal(s.files.read, 5);
  assert.equal(s.flows.records, 5);
  assert.equal(s.flows.bad, 5);
  const reasons = s.flows.badSamples.map((b) => `${b.path.split('/').pop()} ${b.at}: ${b.reason}`);
  assert.deepEqual(reasons, [
    'b-time.log line 3: start 9300000000000 is past 9999-12-31T23:59:59Z (Unix seconds expected)',
    'b-time.log line 4: start 253402300800 is past 9999-12-31T23:59:59Z (Unix seconds expected)',
    'c-values.log line 2: dstport 70000 is not a port (0-65535)',
    'c-values.log line 3: non-numeric bytes "-5"',
    'c-values.log line 4: bytes 9223372036854775808 is too large',
  ]);
  assert.equal(Number((await engine.all('SELECT count(*) AS n FROM vpc_flow_logs')).rows[0]!['n']), 5);
  assert.deepEqual(await storedIds(engine), ['beside-flows']);
});

test('a flow log over the limits: a long line is a bad line, a file past --max-file-bytes is skipped', async (t) => {
  const dir = join(tempDir(t), 'logs');
  writeTree(dir, {
    'flows/long.log': [FLOW_HEADER, flowLine(8443), 'x'.repeat(300_000), flowLine(443)].join('\n') + '\n',
    'flows/huge.log.gz': gzipSync(FLOW_HEADER + '\n' + (flowLine(8443) + '\n').repeat(200_000)),
    'flows/small.log': [FLOW_HEADER, flowLine(22)].join('\n') + '\n',
  });
  const engine = await openStore(t, join(dir, '..'));
  const s = await ingestPaths(engine, [dir], { limits: { maxRecordBytes: 64 * 1024, maxFileBytes: 1024 * 1024 } });
  assertTotalsAddUp(s);
  assert.deepEqual(
    s.skippedFiles.map((f) => `${f.path.split('/').pop()} ${f.code}`),
    ['huge.log.gz invalid-flow-log'],
  );
  assert.match(s.skippedFiles[0]!.reason, /decompressed size over limit 1 MiB/);
  assert.deepEqual(
    s.flows.badSamples.map((b) => `${b.at}: ${b.reason}`),
    ['line 3: line of 300000 bytes is over limit 64 KiB (--max-record-bytes)'],
  );
  assert.equal(Number((await engine.all('SELECT count(*) AS n FROM vpc_flow_logs')).rows[0]!['n']), 3);
});

/**
 * Every time flag of every command goes through the one parser of src/time.ts: free text is a
 * usage error naming the flag, a zone-less time is UTC whatever the machine's TZ (said once on
 * stderr, never on stdout), and relative forms count from the run's now. Built CLI (`npm run
 * build` first) on the bundled sample, whose story is one day, 2024-05-14 UTC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';
import { SAMPLE, EXPLICIT, dir, db } from './time-flags-store.js';

/** Every command with a time flag, as [label, args before the flag, flag]. */
const TIME_FLAGS: Array<[string, () => string[], string]> = [
  ['ingest --from', () => ['ingest', join(SAMPLE, 'cloudtrail'), '--db', join(dir, 'other.duckdb'), '--no-progress'], '--from'],
  ['ingest --to', () => ['ingest', join(SAMPLE, 'cloudtrail'), '--db', join(dir, 'other.duckdb'), '--no-progress'], '--to'],
  ['investigate --from', () => ['investigate', '--db', db, '--format', 'json'], '--from'],
  ['investigate --to', () => ['investigate', '--db', db, '--format', 'json'], '--to'],
  ['exposures --from', () => ['exposures', '--db', db, '--format', 'json'], '--from'],
  ['exposures --to', () => ['exposures', '--db', db, '--format', 'json'], '--to'],
  ['flows --from', () => ['flows', '--db', db, '--format', 'json'], '--from'],
  ['flows --to', () => ['flows', '--db', db, '--format', 'json'], '--to'],
  ['intel check --at', () => ['intel', 'check', '198.51.100.23', '--intel', join(SAMPLE, 'intel', 'threat-feed.txt')], '--at'],
  ['runbook plan --now', () => ['runbook', 'plan', join(REPO_ROOT, 'runbooks', 'port-exposure')], '--now'],
  ['runbook test --now', () => ['runbook', 'test', join(REPO_ROOT, 'runbooks', 'port-exposure'), '--case', 'no-such-case'], '--now'],
];

for (const [label, args, flag] of TIME_FLAGS) {
  test(`${label}: free text, a month 13 and "May 14" are usage errors naming the flag, with an example`, async () => {
    for (const bad of ["x' or 1=1", 'May 14', '2024-13-01']) {
      const r = await runInProcess([...args(), flag, bad]);
      assert.equal(r.status, 2, `${label} ${bad}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${flag}: "`), r.stderr);
      assert.match(r.stderr, /2024-05-01T13:00:00Z/, r.stderr);
      assert.doesNotMatch(r.stderr, /this is a bug/);
    }
  });
}

test('a time with an explicit zone says nothing about UTC; both flags zone-less are named in one note', async () => {
  const explicit = await runInProcess(['exposures', '--db', db, '--format', 'json', '--from', EXPLICIT]);
  assert.equal(explicit.status, 0, explicit.stderr);
  assert.doesNotMatch(explicit.stderr, /read as UTC/);
  const both = await runInProcess(['exposures', '--db', db, '--format', 'json', '--from', '2024-05-14', '--to', '2024-05-15']);
  assert.equal(both.status, 0, both.stderr);
  assert.equal(both.stderr.match(/read as UTC/g)?.length, 1, both.stderr);
  assert.match(both.stderr, /--from 2024-05-14, --to 2024-05-15/);
});

test('an offset is honoured: 12:00+02:00 is 10:00Z', async () => {
  const offset = await runInProcess(['exposures', '--db', db, '--format', 'json', '--from', '2024-05-14T12:00:00+02:00']);
  const utc = await runInProcess(['exposures', '--db', db, '--format', 'json', '--from', EXPLICIT]);
  assert.deepEqual(JSON.parse(offset.stdout), JSON.parse(utc.stdout));
});

test("relative forms count from the run's now: runbook plan --now with from=now-2h and from=24h", async () => {
  const plan = async (...params: string[]) => {
    const r = await runInProcess([
      'runbook',
      'plan',
      join(REPO_ROOT, 'runbooks', 'port-exposure'),
      '--now',
      '2024-05-14T12:00:00Z',
      '--format',
      'json',
      ...params.flatMap((p) => ['--param', p]),
    ]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { parameters: Record<string, { value: unknown }> };
  };
  assert.equal((await plan('from=now-2h')).parameters['from']?.value, '2024-05-14T10:00:00Z');
  assert.equal((await plan('from=24h')).parameters['from']?.value, '2024-05-13T12:00:00Z');
});

test('runbook plan: a timestamp --param goes through the same parser (refused by name, UTC named once)', async () => {
  const plan = async (...args: string[]) => await runInProcess(['runbook', 'plan', join(REPO_ROOT, 'runbooks', 'port-exposure'), '--format', 'json', ...args]);
  const bad = await plan('--param', 'from=May 14');
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /from: "May 14" is not an ISO-8601 time/);
  const zoneless = await plan('--now', '2024-05-14', '--param', 'from=2024-05-13 12:00');
  assert.equal(zoneless.status, 0, zoneless.stderr);
  assert.equal((JSON.parse(zoneless.stdout) as { parameters: Record<string, { value: unknown }> }).parameters['from']?.value, '2024-05-13T12:00:00Z');
  assert.equal(zoneless.stderr.match(/read as UTC/g)?.length, 1, zoneless.stderr);
  assert.match(zoneless.stderr, /--now 2024-05-14, --param from 2024-05-13 12:00/);
});

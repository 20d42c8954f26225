/** The one time grammar (src/time.ts) every flag and timestamp parameter goes through. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeFlag, parseTimeText } from '../src/time.js';
import { TrailbookError } from '../src/errors.js';

const NOW = new Date('2024-05-14T12:00:00Z');
const iso = (text: string) => {
  const parsed = parseTimeText(text, NOW);
  assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.message}`);
  return { iso: parsed.iso, assumedUtc: parsed.assumedUtc };
};

test('ISO-8601 with Z or an offset is exact; without a zone it is UTC and says so', () => {
  assert.deepEqual(iso('2024-05-01T13:00:00Z'), { iso: '2024-05-01T13:00:00Z', assumedUtc: false });
  assert.deepEqual(iso('2024-05-01T15:00:00+02:00'), { iso: '2024-05-01T13:00:00Z', assumedUtc: false });
  assert.deepEqual(iso('2024-05-01T08:30-0430'), { iso: '2024-05-01T13:00:00Z', assumedUtc: false });
  assert.deepEqual(iso('2024-05-01t13:00:00.250z'), { iso: '2024-05-01T13:00:00.250Z', assumedUtc: false });
  assert.deepEqual(iso('2024-05-01'), { iso: '2024-05-01T00:00:00Z', assumedUtc: true });
  assert.deepEqual(iso('2024-05-01 13:00'), { iso: '2024-05-01T13:00:00Z', assumedUtc: true });
  assert.deepEqual(iso('2024-02-29T00:00:00Z'), { iso: '2024-02-29T00:00:00Z', assumedUtc: false });
  assert.deepEqual(iso('0050-01-01T00:00:00Z'), { iso: '0050-01-01T00:00:00Z', assumedUtc: false });
});

test('relative forms count back from now: now, now-2h, and the bare 30m, 24h, 7d', () => {
  assert.equal(iso('now').iso, '2024-05-14T12:00:00Z');
  assert.equal(iso('now-2h').iso, '2024-05-14T10:00:00Z');
  assert.equal(iso('now-45s').iso, '2024-05-14T11:59:15Z');
  assert.equal(iso('30m').iso, '2024-05-14T11:30:00Z');
  assert.equal(iso('24h').iso, '2024-05-13T12:00:00Z');
  assert.equal(iso('7d').iso, '2024-05-07T12:00:00Z');
  assert.equal(iso('7d').assumedUtc, false);
});

test('anything else is refused, including what Date.parse would take or roll over', () => {
  for (const bad of [
    "x' or 1=1",
    'May 14',
    '2024-13-01',
    '2024-02-30',
    '2023-02-29',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:60Z',
    '2024-05-01T10:00:00+25:00',
    '2024-5-1',
    '1715688000',
    'now+2h',
    '2h ago',
    '',
    'Tue, 14 May 2024 10:00:00 GMT',
    '2024-05-01Z',
    '-7d',
  ]) {
    assert.equal(parseTimeText(bad, NOW).ok, false, bad);
  }
});

test('a refused flag is a usage error that names the flag and shows an example', () => {
  assert.throws(
    () => parseTimeFlag('May 14', '--from', NOW),
    (error: unknown) => {
      assert.ok(error instanceof TrailbookError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^--from: "May 14"/);
      assert.match(error.hint ?? '', /--from 2024-05-01T13:00:00Z/);
      return true;
    },
  );
  const notes: string[] = [];
  parseTimeFlag('2024-05-01', '--to', NOW, notes);
  parseTimeFlag('2024-05-01T00:00:00Z', '--from', NOW, notes);
  assert.deepEqual(notes, ['--to 2024-05-01']);
});

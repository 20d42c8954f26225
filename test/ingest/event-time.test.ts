import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { duckdb } from '../../src/engines/duckdb/binding.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { parseEventTime } from '../../src/store/event-time.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { STORE_LAYOUT } from '../../src/store/layout.js';
import { corpusFile } from '../helpers/corpus.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';

const ok = (text: string) => {
  const parsed = parseEventTime(text);
  assert.ok(parsed.ok, `${text} should parse: ${parsed.ok ? '' : parsed.reason}`);
  return parsed;
};

test('every accepted shape parses to the same instant and one canonical text', () => {
  const cases: [string, string][] = [
    ['2021-01-24T04:55:45Z', '2021-01-24T04:55:45Z'], // CloudTrail delivery, Athena
    ['2021-01-24 04:55:45.000', '2021-01-24T04:55:45Z'], // CloudTrail Lake, Panther fixtures
    ['2021-10-13 18:35:08', '2021-10-13T18:35:08Z'], // Panther fixtures
    ['2022-03-29 17:16:36.000000000', '2022-03-29T17:16:36Z'], // Panther fixtures (nanoseconds)
    ['2022-03-29 17:16:36.999999999', '2022-03-29T17:16:36Z'], // a fraction stays in _time, never rounds up
    ['2021-01-24T04:55:45.5Z', '2021-01-24T04:55:45Z'],
    ['2021-01-24T04:55:45,250Z', '2021-01-24T04:55:45Z'],
    ['2021-01-24T04:55:45+00:00', '2021-01-24T04:55:45Z'],
    ['2021-01-24T06:55:45+0200', '2021-01-24T04:55:45Z'],
    ['2021-01-23T23:55:45-05:00', '2021-01-24T04:55:45Z'],
    ['2021-01-24T04:55:45.000+00:00', '2021-01-24T04:55:45Z'],
    ['2021-01-24 04:55:45 UTC', '2021-01-24T04:55:45Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
  ];
  for (const [text, canonical] of cases) {
    const parsed = ok(text);
    assert.equal(parsed.canonical, canonical, text);
    assert.equal(Math.floor(parsed.ms / 1000) * 1000, Date.parse(canonical), text);
  }
  assert.equal(ok('2022-03-29 17:16:36.999999999').ms, Date.parse('2022-03-29T17:16:36.999Z'));
  assert.equal(ok('2021-01-24T04:55:45,25Z').ms, Date.parse('2021-01-24T04:55:45.250Z'));
});

test('canonical times order as text exactly as the instants order', () => {
  const texts = ['2021-01-24 04:55:45.900', '2021-01-24T04:55:45Z', '2021-01-24T04:55:44.999+00:00', '2021-01-24T05:55:46+01:00', '2021-01-24 04:55:47'];
  const parsed = texts.map(ok);
  const byText = [...parsed].sort((a, b) => (a.canonical < b.canonical ? -1 : a.canonical > b.canonical ? 1 : 0));
  for (let i = 1; i < byText.length; i++) assert.ok(Math.floor(byText[i - 1]!.ms / 1000) <= Math.floor(byText[i]!.ms / 1000));
});

test('times that are not a real date and time are refused with a reason, never guessed', () => {
  for (const text of [
    'redacted',
    '...',
    '',
    'Jan 24 2021 04:55:45',
    '2021-01-24',
    '1611464145',
    '2021-04-31T00:00:00Z',
    '2023-02-29 00:00:00',
    '2021-01-24T24:00:00Z',
    '2021-01-24T04:60:00Z',
    '2021-01-24T04:55:45+25:00',
    '2021-01-24T04:55:45 Europe/Paris',
    '0021-01-24T04:55:45Z',
  ]) {
    const parsed = parseEventTime(text);
    assert.equal(parsed.ok, false, text);
    if (!parsed.ok) assert.match(parsed.reason, /eventTime/);
  }
  assert.equal(parseEventTime(1611464145000).ok, false);
  assert.equal(parseEventTime(null).ok, false);
});

/** Every eventTime value written in the corpus's JSON files. */
function corpusTimes(root: string): Set<string> {
  const times = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) for (const m of readFileSync(path, 'utf8').matchAll(/"eventTime": *"([^"]*)"/g)) times.add(m[1]!);
    }
  };
  walk(root);
  return times;
}

test('every time written in the corpus parses, except the placeholders it writes as words', (t) => {
  const root = corpusFile(t, '');
  if (!root) return;
  const times = corpusTimes(root);
  const refused = [...times].filter((text) => !parseEventTime(text).ok).sort();
  // Placeholders in documentation examples: not times, skipped with their reason.
  assert.deepEqual(refused, ['...', 'redacted']);
  const shapes = new Set([...times].filter((text) => parseEventTime(text).ok).map((text) => text.replace(/\d/g, '9')));
  // The shapes this test is about: if the corpus loses one, the cases above still cover it.
  for (const shape of ['9999-99-99T99:99:99Z', '9999-99-99 99:99:99', '9999-99-99 99:99:99.999', '9999-99-99 99:99:99.999999999']) {
    assert.ok(shapes.has(shape), `the corpus writes ${shape}`);
  }
});

const lakeEvents = () => [
  ctEvent({ eventID: 'lake-1', eventTime: '2021-01-24 04:55:45.000', eventName: 'AuthorizeSecurityGroupIngress' }),
  ctEvent({ eventID: 'lake-2', eventTime: '2021-01-24 04:55:46', eventName: 'DescribeInstances' }),
  ctEvent({ eventID: 'iso-3', eventTime: '2021-01-24T04:55:45.500+00:00', eventName: 'DescribeInstances' }),
  ctEvent({ eventID: 'bad-4', eventTime: 'Jan 24 2021', eventName: 'DescribeInstances' }),
];

test('ingest stores the canonical time, the text as written and the instant; a time it cannot read is skipped and counted', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'lake.json': records(...lakeEvents()) });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const summary = await ingestPaths(engine, [dir]);
  assert.equal(summary.events.inserted, 3);
  assert.deepEqual(summary.events.skippedByReason, { 'invalid-event-time': 1 });
  const { rows } = await engine.all(
    `SELECT eventid, eventtime, eventtime_raw, strftime(_time, '%Y-%m-%d %H:%M:%S.%g') AS t,
            CAST(from_iso8601_timestamp(eventtime) AS VARCHAR) AS athena
     FROM cloudtrail_events ORDER BY eventtime, eventid`,
  );
  assert.deepEqual(
    rows.map((r) => [r['eventid'], r['eventtime'], r['eventtime_raw'], r['t']]),
    [
      ['iso-3', '2021-01-24T04:55:45Z', '2021-01-24T04:55:45.500+00:00', '2021-01-24 04:55:45.500'],
      ['lake-1', '2021-01-24T04:55:45Z', '2021-01-24 04:55:45.000', '2021-01-24 04:55:45.000'],
      ['lake-2', '2021-01-24T04:55:46Z', '2021-01-24 04:55:46', '2021-01-24 04:55:46.000'],
    ],
  );
  assert.match(String(rows[0]!['athena']), /^2021-01-24 04:55:45/);
  // The Athena view gives the canonical text and keeps Athena's columns.
  const view = await engine.all(`SELECT eventid FROM cloudtrail_logs WHERE eventtime > '2021-01-24T04:55:45Z'`);
  assert.deepEqual(
    view.rows.map((r) => r['eventid']),
    ['lake-2'],
  );
});

/** Turns a current store into one as ingest wrote it before canonical times: raw text in `eventtime`, no `eventtime_raw`. */
async function makeOldStore(db: string): Promise<void> {
  const instance = await duckdb.DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    for (const table of ['cloudtrail_events', 'cloudtrail_exposure_events']) {
      await connection.run(`UPDATE ${table} SET eventtime = eventtime_raw`);
      await connection.run(`ALTER TABLE ${table} DROP COLUMN eventtime_raw`);
    }
    await connection.run(`UPDATE trailbook_meta SET value = 'older' WHERE key = 'layout'`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test('a store written before canonical times is upgraded by a writable open: raw text kept, times canonical, exposure copy rebuilt', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'lake.json': records(...lakeEvents()) });
  const db = join(tempDir(t), 'store.duckdb');
  const first = await DuckDBEngine.open({ path: db });
  await ingestPaths(first, [dir]);
  await first.close();
  await makeOldStore(db);

  const engine = await DuckDBEngine.open({ path: db });
  t.after(() => engine.close());
  const events = await engine.all(`SELECT eventid, eventtime, eventtime_raw FROM cloudtrail_events ORDER BY eventtime, eventid`);
  assert.deepEqual(
    events.rows.map((r) => [r['eventid'], r['eventtime'], r['eventtime_raw']]),
    [
      ['iso-3', '2021-01-24T04:55:45Z', '2021-01-24T04:55:45.500+00:00'],
      ['lake-1', '2021-01-24T04:55:45Z', '2021-01-24 04:55:45.000'],
      ['lake-2', '2021-01-24T04:55:46Z', '2021-01-24 04:55:46'],
    ],
  );
  const copy = await engine.all(`SELECT eventid, eventtime, eventtime_raw FROM cloudtrail_exposure_events`);
  assert.deepEqual(
    copy.rows.map((r) => [r['eventid'], r['eventtime'], r['eventtime_raw']]),
    [['lake-1', '2021-01-24T04:55:45Z', '2021-01-24 04:55:45.000']],
  );
  assert.equal((await engine.all(`SELECT value FROM trailbook_meta WHERE key = 'layout'`)).rows[0]!['value'], STORE_LAYOUT);
  // Re-ingesting the same file after the upgrade duplicates nothing: keys still use the text as written.
  const redelivered = tempDir(t);
  writeTree(redelivered, { 'lake-again.json': records(...lakeEvents(), ctEvent({ eventID: 'new-5', eventTime: '2021-01-24 05:00:00.000' })) });
  const again = await ingestPaths(engine, [redelivered]);
  assert.deepEqual([again.events.inserted, again.events.duplicates], [1, 3]);
  assert.equal(Number((await engine.all('SELECT count(*) AS n FROM cloudtrail_events')).rows[0]!['n']), 4);
});

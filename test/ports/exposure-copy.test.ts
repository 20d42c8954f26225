import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { findExposures } from '../../src/ports/index.js';
import { EXPOSURE_EVENT_NAMES } from '../../src/ports/normalize/index.js';
import { EXPOSURE_COPY_TABLE, EXPOSURE_COPY_VIEW, exposureSource } from '../../src/store/exposure-copy.js';
import { tempDir } from '../helpers/fixtures.js';
import { event } from './records.js';

const at = (day: number, minute: number) => `2024-08-0${day}T12:${String(minute).padStart(2, '0')}:00Z`;
const open8443 = (id: string, time: string, group = 'sg-0a') => ({
  ...event('AuthorizeSecurityGroupIngress', {
    groupId: group,
    ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
  }),
  eventID: id,
  eventTime: time,
});
const noise = (id: string, time: string) => ({ ...event('DescribeInstances', {}), eventID: id, eventTime: time });

function day(n: number): Record<string, any>[] {
  const records: Record<string, any>[] = [];
  for (let i = 0; i < 40; i++) records.push(i % 10 === 3 ? open8443(`open-${n}-${i}`, at(n, i), `sg-0${n}${i}`) : noise(`noise-${n}-${i}`, at(n, i)));
  return records;
}

const NAMES = EXPOSURE_EVENT_NAMES.map((n) => `'${n}'`).join(', ');
const wideRows = (engine: DuckDBEngine, from: string) => engine.all(`SELECT * FROM ${from} WHERE eventname IN (${NAMES}) ORDER BY eventid`).then((r) => r.rows);
const ids = (result: Awaited<ReturnType<typeof findExposures>>) => result.changes.map((c) => c.eventId).sort();

test('the exposure copy holds exactly the candidate events, follows every ingest, and findExposures reads it only when it is current', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  writeFileSync(join(dir, 'day1.json'), JSON.stringify({ Records: day(1) }));

  let engine = await DuckDBEngine.open({ path: db });
  await ingestPaths(engine, [join(dir, 'day1.json')]);
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), EXPOSURE_COPY_VIEW);
  assert.deepEqual(await wideRows(engine, EXPOSURE_COPY_VIEW), await wideRows(engine, 'cloudtrail_logs'), 'same rows, every column, as the Athena-shaped view');
  assert.equal((await wideRows(engine, EXPOSURE_COPY_VIEW)).length, 4);

  // An incremental ingest adds the new file's candidates and nothing twice.
  writeFileSync(join(dir, 'day2.json'), JSON.stringify({ Records: day(2) }));
  await ingestPaths(engine, [dir]);
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), EXPOSURE_COPY_VIEW);
  assert.deepEqual(await wideRows(engine, EXPOSURE_COPY_VIEW), await wideRows(engine, 'cloudtrail_logs'));
  assert.equal((await wideRows(engine, EXPOSURE_COPY_VIEW)).length, 8);
  const fromCopy = await findExposures(engine, { port: 8443 });
  assert.equal(fromCopy.changes.length, 8);

  // A row written past the copy (not through ingest): the copy is behind, so it is not used.
  await engine.run(`INSERT INTO cloudtrail_events SELECT * REPLACE ('late|x|y' AS _key, 'late' AS eventid) FROM cloudtrail_events WHERE eventid = 'open-2-3'`);
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), 'cloudtrail_logs');
  const behind = await findExposures(engine, { port: 8443 });
  assert.deepEqual(ids(behind), [...ids(fromCopy), 'late'].sort(), 'the late row is found by the full scan');
  await engine.close();

  // Read-only, the stale copy stays stale and is not used; a writable open catches it up.
  engine = await DuckDBEngine.open({ path: db, readOnly: true });
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), 'cloudtrail_logs');
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), EXPOSURE_COPY_VIEW);
  assert.deepEqual(ids(await findExposures(engine, { port: 8443 })), ids(behind));

  // A copy made for another list of event names is rebuilt, not trusted.
  await engine.run(`UPDATE trailbook_meta SET value = '{"names":"SomethingElse","rows":81}' WHERE key = 'exposure-copy'`);
  await engine.run(`DELETE FROM ${EXPOSURE_COPY_TABLE} WHERE eventid LIKE 'open-1-%'`);
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), 'cloudtrail_logs');
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), EXPOSURE_COPY_VIEW);
  assert.deepEqual(await wideRows(engine, EXPOSURE_COPY_VIEW), await wideRows(engine, 'cloudtrail_logs'));
  await engine.close();
});

test('a store written before the copy existed gets it on its first writable open', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'old.duckdb');
  writeFileSync(join(dir, 'day1.json'), JSON.stringify({ Records: day(1) }));
  let engine = await DuckDBEngine.open({ path: db });
  await ingestPaths(engine, [dir]);
  // As an older trailbook left it: no copy, no meta.
  await engine.run(`DROP VIEW ${EXPOSURE_COPY_VIEW}`);
  await engine.run(`DROP TABLE ${EXPOSURE_COPY_TABLE}`);
  await engine.run('DROP TABLE trailbook_meta');
  await engine.close();

  engine = await DuckDBEngine.open({ path: db, readOnly: true });
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), 'cloudtrail_logs');
  assert.equal((await findExposures(engine, { port: 8443 })).changes.length, 4, 'read-only: answered by the full scan');
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  assert.equal(await exposureSource(engine, EXPOSURE_EVENT_NAMES), EXPOSURE_COPY_VIEW);
  assert.equal((await findExposures(engine, { port: 8443 })).changes.length, 4);
  await engine.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { generateCloudTrailCorpus } from '../../src/bench/generate/cloudtrail.js';
import { findExposures, type ExposureQuery } from '../../src/ports/index.js';
import { LATEST } from '../../src/ports/candidates.js';
import { judgementFingerprint } from '../../src/ports/fingerprint.js';
import { EXPOSURE_CHANGES_TABLE, keptExposureEvents } from '../../src/ports/exposure-changes.js';
import { EXPOSURE_COPY_TABLE } from '../../src/store/exposure-copy.js';
import { formatIngestSummary } from '../../src/report/ingest-summary.js';
import { tempDir } from '../helpers/fixtures.js';
import { event } from './records.js';
import { ingestInTurns } from './ingest-in-turns.js';
import { mixedRecords } from './mixed-records.js';

const QUERIES: ExposureQuery[] = [
  { port: 8443 },
  { port: 8443, carry: ['useragent', 'sessioncredentialfromconsole', 'additionaleventdata'] },
  { port: 22, carry: ['errormessage'] },
  {},
  { port: 8443, from: '2024-08-01T12:03:00Z', to: '2024-08-01T12:07:30Z' },
  { port: 8443, to: '2024-05-03T00:00:00Z' },
];

async function answers(engine: DuckDBEngine) {
  return Promise.all(QUERIES.map((q) => findExposures(engine, q)));
}

test('the kept changes answer findExposures exactly as judging the rows does, on hand-made, sample and generated trails', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'mixed.json'), JSON.stringify({ Records: mixedRecords() }));
  await generateCloudTrailCorpus({ root: join(dir, 'generated'), events: 3000, accounts: 2, regions: 2, days: 3, seed: 7 });
  const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
  t.after(() => void engine.close());
  await ingestPaths(engine, [dir, join(REPO_ROOT, 'sample', 'cloudtrail')]);

  const kept = await keptExposureEvents(engine, LATEST, []);
  assert.ok(kept !== null, 'ingest leaves the kept changes current');
  assert.ok(
    kept.some((e) => e.row.eventid === 'modify-egress' && e.changes.some((c) => c.direction === 'egress')),
    'the modify learned its direction from its create',
  );
  const fromKept = await answers(engine);
  assert.ok(fromKept[3]!.changes.length > 20, `a trail with something to judge (${fromKept[3]!.changes.length} changes)`);

  // Without proof that they are current, the rows are judged again: the same answers, to the letter.
  await engine.run(`DELETE FROM trailbook_meta WHERE key = 'exposure-changes'`);
  assert.equal(await keptExposureEvents(engine, LATEST, []), null);
  const judged = await answers(engine);
  QUERIES.forEach((query, i) => assert.deepStrictEqual(fromKept[i], judged[i], `same result for ${JSON.stringify(query)}`));
});

test('kept changes are trusted only when computed from this copy by this code, and are recomputed when not', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const records = mixedRecords();
  writeFileSync(join(dir, 'day1.json'), JSON.stringify({ Records: records.slice(0, 6) }));
  let engine = await DuckDBEngine.open({ path: db });
  await ingestPaths(engine, [dir]);
  const ids = async () => (await keptExposureEvents(engine, LATEST, []))?.map((e) => e.row.eventid) ?? null;
  assert.deepEqual(await ids(), ['create-egress', 'modify-egress', 'open-all', 'open-nacl', 'open-listener', 'attempt']);

  // A later ingest adds its candidates (noise alone changes nothing kept).
  writeFileSync(join(dir, 'day2.json'), JSON.stringify({ Records: records.slice(6) }));
  await ingestPaths(engine, [dir]);
  assert.deepEqual(await ids(), [
    'create-egress',
    'modify-egress',
    'open-all',
    'open-nacl',
    'open-listener',
    'attempt',
    'attach',
    'close-all',
    'close-listener',
    'decoy',
  ]);

  // Computed by other code (an older trailbook): not trusted; a writable open recomputes.
  const meta = async () => JSON.parse(String((await engine.all(`SELECT value FROM trailbook_meta WHERE key = 'exposure-changes'`)).rows[0]?.['value']));
  await engine.run(`UPDATE trailbook_meta SET value = $v WHERE key = 'exposure-changes'`, { v: JSON.stringify({ ...(await meta()), code: 'older' }) });
  await engine.run(`UPDATE ${EXPOSURE_CHANGES_TABLE} SET entries = replace(entries, '"internetExposed":true', '"internetExposed":false')`);
  assert.equal(await ids(), null);
  assert.ok(
    (await findExposures(engine, { port: 8443 })).changes.some((c) => c.internetExposed),
    'judged from the rows meanwhile',
  );
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  assert.equal((await meta()).code, judgementFingerprint());
  assert.ok(
    (await keptExposureEvents(engine, LATEST, []))!.some((e) => e.changes.some((c) => c.internetExposed)),
    'recomputed, not the tampered text',
  );

  // The copy changed under them (a row removed by hand): the digest no longer matches; put back, it does.
  await engine.run(`CREATE TEMP TABLE removed AS SELECT * FROM ${EXPOSURE_COPY_TABLE} WHERE eventid = 'decoy'`);
  await engine.run(`DELETE FROM ${EXPOSURE_COPY_TABLE} WHERE eventid = 'decoy'`);
  assert.equal(await ids(), null);
  await engine.run(`INSERT INTO ${EXPOSURE_COPY_TABLE} SELECT * FROM removed`);
  assert.equal((await ids())?.length, 10);
  // Rows read through another definition of the Athena-shaped view (an older trailbook's): not trusted.
  await engine.run(`UPDATE trailbook_meta SET value = $v WHERE key = 'exposure-changes'`, { v: JSON.stringify({ ...(await meta()), view: 'another view' }) });
  assert.equal(await ids(), null);
  await engine.close();

  // Read-only, a store from before the kept changes is answered from the rows.
  engine = await DuckDBEngine.open({ path: db });
  await engine.run(`DROP TABLE ${EXPOSURE_CHANGES_TABLE}`);
  await engine.run(`DELETE FROM trailbook_meta WHERE key = 'exposure-changes'`);
  await engine.close();
  engine = await DuckDBEngine.open({ path: db, readOnly: true });
  assert.equal(await ids(), null);
  assert.equal((await findExposures(engine, { port: 8443 })).changes.filter((c) => c.eventId === 'open-all').length, 1);
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  assert.equal((await ids())?.length, 10, 'a writable open creates them');
  await engine.close();
});

test('when the kept changes cannot be recomputed, ingest still stores everything and says so; reads judge the rows meanwhile', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const records = mixedRecords();
  writeFileSync(join(dir, 'day1.json'), JSON.stringify({ Records: records.slice(0, 4) }));
  let engine = await DuckDBEngine.open({ path: db });
  await ingestPaths(engine, [dir]);
  // Something in the way of the table (here: a view of that name), as a full disk or a memory cap could be.
  await engine.run(`DROP TABLE ${EXPOSURE_CHANGES_TABLE}`);
  await engine.run(`CREATE VIEW ${EXPOSURE_CHANGES_TABLE} AS SELECT 1 AS chunk`);
  writeFileSync(join(dir, 'day2.json'), JSON.stringify({ Records: records.slice(4) }));
  const summary = await ingestPaths(engine, [dir]);
  assert.equal(summary.events.inserted, records.length - 4);
  assert.equal(summary.warnings.length, 1);
  assert.match(summary.warnings[0]!, /exposure caches could not be brought up to date .*queries read cloudtrail_logs directly/);
  assert.match(formatIngestSummary(summary, db), /^warning: the exposure caches/m);
  assert.equal(await keptExposureEvents(engine, LATEST, []), null);
  const judged = await findExposures(engine, {});
  assert.equal(new Set(judged.changes.map((c) => c.eventId)).size, 10, 'every candidate judged from the rows');
  await engine.run(`DROP VIEW ${EXPOSURE_CHANGES_TABLE}`);
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  t.after(() => void engine.close());
  assert.equal((await keptExposureEvents(engine, LATEST, []))?.length, 10);
  assert.deepStrictEqual(await findExposures(engine, {}), judged);
});

test('a later ingest that would change what was judged before makes the kept changes be judged again whole', async (t) => {
  const mixed = mixedRecords();
  const create = mixed[0]!;
  const modify = mixed[1]!;
  const rest = mixed.slice(2);
  // Events older than the last kept one: they would go between kept chunks.
  const late = await ingestInTurns(t, { recent: rest, older: [create, modify] });
  assert.deepEqual(late.updates, ['appended', 'recomputed']);
  // The rule a kept ModifySecurityGroupRules asked for in vain is created by a later event (here
  // delivered with a later time): the modify's direction changes, so everything is judged again.
  const createdLater = { ...create, eventID: 'create-later', eventTime: '2024-08-01T12:30:00Z' };
  const unresolved = await ingestInTurns(t, { first: [modify, ...rest], then: [createdLater] });
  assert.deepEqual(unresolved.updates, ['appended', 'recomputed']);
  const judged = (await keptExposureEvents(unresolved.engine, LATEST, []))!.find((e) => e.row.eventid === 'modify-egress')!;
  assert.equal(judged.changes[0]!.direction, 'egress');
  // The same rule id created again with the other direction: the earlier modify would read another direction.
  const recreated = {
    ...create,
    eventID: 'recreate',
    eventTime: '2024-08-01T12:31:00Z',
    responseElements: { _return: true, securityGroupRuleSet: { items: [{ ...create['responseElements'].securityGroupRuleSet.items[0], isEgress: false }] } },
  };
  const conflict = await ingestInTurns(t, { first: mixed, then: [recreated] });
  assert.deepEqual(conflict.updates, ['appended', 'recomputed']);
  // Noise alone adds no candidate: nothing to do.
  const noise = await ingestInTurns(t, { first: mixed, then: [{ ...event('DescribeInstances', {}), eventID: 'noise-2', eventTime: '2024-08-01T13:00:00Z' }] });
  assert.deepEqual(noise.updates, ['appended', 'current']);
});

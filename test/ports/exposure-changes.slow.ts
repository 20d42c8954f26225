// Slow suite (`npm run test:slow`): 4,500 candidates judged at seven cuts (~9 s); the other kept-changes tests are in exposure-changes.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { findExposures } from '../../src/ports/index.js';
import { EXPOSURE_CHANGES_TABLE } from '../../src/ports/exposure-changes.js';
import { LATEST } from '../../src/ports/candidates.js';
import { keptExposureEvents } from '../../src/ports/exposure-changes.js';
import { ingestInTurns } from './ingest-in-turns.js';
import { mixedRecords } from './mixed-records.js';
import { tempDir } from '../helpers/fixtures.js';
import { event } from './records.js';

const perm = (from: number, to: number, cidr: string) => ({ ipProtocol: 'tcp', fromPort: from, toPort: to, ipRanges: { items: [{ cidrIp: cidr }] } });

test('kept in several chunks, the events come back in order and are cut at any `to`, as judging the rows cuts them', async (t) => {
  const dir = tempDir(t);
  // 4,500 candidates (three chunks), several per second, opening and closing 8443 on a few groups.
  const base = Date.UTC(2024, 7, 1);
  const records = Array.from({ length: 4500 }, (_, i) => ({
    ...event(i % 3 === 2 ? 'RevokeSecurityGroupIngress' : 'AuthorizeSecurityGroupIngress', {
      groupId: `sg-0${i % 7}`,
      ipPermissions: { items: [perm(8443, 8443, `198.51.${i % 5}.0/24`)] },
    }),
    eventID: `e-${String(i).padStart(5, '0')}`,
    eventTime: new Date(base + Math.floor(i / 3) * 1000).toISOString().replace('.000Z', 'Z'),
  }));
  writeFileSync(join(dir, 'many.json'), JSON.stringify({ Records: records }));
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void engine.close());
  await ingestPaths(engine, [dir]);
  const { rows } = await engine.all(`SELECT count(*) AS chunks FROM ${EXPOSURE_CHANGES_TABLE}`);
  assert.ok(Number(rows[0]?.['chunks']) >= 3, `${rows[0]?.['chunks']} chunks`);
  const at = (i: number) => records[i]!.eventTime as string;
  const cuts = ['2024-07-31T00:00:00Z', at(0), at(1999), at(2000), at(2001), at(3998), at(4499)];
  const kept = await Promise.all(cuts.map((to) => findExposures(engine, { port: 8443, to })));
  assert.equal(kept.at(-1)!.candidates, 4500);
  await engine.run(`DELETE FROM trailbook_meta WHERE key = 'exposure-changes'`);
  const judged = await Promise.all(cuts.map((to) => findExposures(engine, { port: 8443, to })));
  cuts.forEach((to, i) => assert.deepStrictEqual(kept[i], judged[i], `same result up to ${to}`));
});

test('a later ingest judges only its own events and appends them; the kept changes end as a recomputation leaves them', async (t) => {
  // 4,500 candidates in three runs: every run after the first appends, across chunk boundaries.
  const base = Date.UTC(2024, 7, 1);
  const records = Array.from({ length: 4500 }, (_, i) => ({
    ...event(i % 3 === 2 ? 'RevokeSecurityGroupIngress' : 'AuthorizeSecurityGroupIngress', {
      groupId: `sg-0${i % 7}`,
      ipPermissions: { items: [perm(8443, 8443, `198.51.${i % 5}.0/24`)] },
    }),
    eventID: `e-${String(i).padStart(5, '0')}`,
    eventTime: new Date(base + i * 1000).toISOString().replace('.000Z', 'Z'),
  }));
  const { engine, updates } = await ingestInTurns(t, { a: records.slice(0, 1700), b: records.slice(1700, 3300), c: records.slice(3300) });
  // (A new store's open keeps an empty judgement, so even the first run appends.)
  assert.deepEqual(updates, ['appended', 'appended', 'appended']);
  assert.equal((await keptExposureEvents(engine, LATEST, []))?.length, 4500);

  // The mixed trail in time order: the modify learns its direction from the create in the run before.
  const mixed = mixedRecords();
  const inOrder = await ingestInTurns(t, { day1: mixed.slice(0, 1), day2: mixed.slice(1, 6), day3: mixed.slice(6) });
  assert.deepEqual(inOrder.updates, ['appended', 'appended', 'appended']);
  const modify = (await keptExposureEvents(inOrder.engine, LATEST, []))!.find((e) => e.row.eventid === 'modify-egress')!;
  assert.equal(modify.changes[0]!.direction, 'egress');
});

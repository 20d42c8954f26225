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

const at = (minute: number) => `2024-08-01T12:${String(minute).padStart(2, '0')}:00Z`;
const perm = (from: number, to: number, cidr: string) => ({ ipProtocol: 'tcp', fromPort: from, toPort: to, ipRanges: { items: [{ cidrIp: cidr }] } });

/**
 * Every kind of change the judgement knows, including the one that needs another event: a
 * ModifySecurityGroupRules whose rule's direction is known only from the Authorize that created it.
 */
function mixedRecords(): Record<string, any>[] {
  return [
    {
      ...event('AuthorizeSecurityGroupEgress', { groupId: 'sg-0eg', ipPermissions: { items: [perm(8443, 8443, '0.0.0.0/0')] } }),
      eventID: 'create-egress', eventTime: at(1),
      responseElements: { _return: true, securityGroupRuleSet: { items: [{ groupId: 'sg-0eg', securityGroupRuleId: 'sgr-0eg', isEgress: true, ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, cidrIpv4: '0.0.0.0/0' }] } },
    },
    { ...event('ModifySecurityGroupRules', { ModifySecurityGroupRulesRequest: { GroupId: 'sg-0eg', SecurityGroupRule: { SecurityGroupRuleId: 'sgr-0eg', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8400, ToPort: 8500, CidrIpv4: '0.0.0.0/0' } } } }), eventID: 'modify-egress', eventTime: at(2) },
    { ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0all', ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }), eventID: 'open-all', eventTime: at(3), userAgent: '=HYPERLINK("x")' },
    { ...event('CreateNetworkAclEntry', { networkAclId: 'acl-1', ruleNumber: 90, egress: false, aclProtocol: '6', portRange: { from: 1024, to: 65535 }, ruleAction: 'allow', cidrBlock: '0.0.0.0/0' }), eventID: 'open-nacl', eventTime: at(4) },
    { ...event('CreateListener', { loadBalancerArn: 'arn:lb', protocol: 'HTTPS', port: 8443 }), eventSource: 'elasticloadbalancing.amazonaws.com', eventID: 'open-listener', eventTime: at(5), responseElements: { listeners: [{ listenerArn: 'arn:listener/1', port: 8443, protocol: 'HTTPS' }] } },
    { ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0all', ipPermissions: { items: [perm(8443, 8443, '203.0.113.0/24')] } }), eventID: 'attempt', eventTime: at(6), errorCode: 'Client.UnauthorizedOperation', errorMessage: 'not "you"\n', responseElements: null },
    { ...event('ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-1', groupSet: { items: [{ groupId: 'sg-0all' }] } }), eventID: 'attach', eventTime: at(7) },
    { ...event('RevokeSecurityGroupIngress', { groupId: 'sg-0all', ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }), eventID: 'close-all', eventTime: at(8) },
    { ...event('DeleteListener', { listenerArn: 'arn:listener/1' }), eventSource: 'elasticloadbalancing.amazonaws.com', eventID: 'close-listener', eventTime: at(9) },
    { ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0dec', ipPermissions: { items: [perm(18443, 18443, '0.0.0.0/0')] } }), eventID: 'decoy', eventTime: at(10) },
    { ...event('DescribeInstances', {}), eventID: 'noise', eventTime: at(11) },
  ];
}

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
  assert.ok(kept.some((e) => e.row.eventid === 'modify-egress' && e.changes.some((c) => c.direction === 'egress')), 'the modify learned its direction from its create');
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
  assert.deepEqual(await ids(), ['create-egress', 'modify-egress', 'open-all', 'open-nacl', 'open-listener', 'attempt', 'attach', 'close-all', 'close-listener', 'decoy']);

  // Computed by other code (an older trailbook): not trusted; a writable open recomputes.
  const meta = async () => JSON.parse(String((await engine.all(`SELECT value FROM trailbook_meta WHERE key = 'exposure-changes'`)).rows[0]?.['value']));
  await engine.run(`UPDATE trailbook_meta SET value = $v WHERE key = 'exposure-changes'`, { v: JSON.stringify({ ...(await meta()), code: 'older' }) });
  await engine.run(`UPDATE ${EXPOSURE_CHANGES_TABLE} SET entries = replace(entries, '"internetExposed":true', '"internetExposed":false')`);
  assert.equal(await ids(), null);
  assert.ok((await findExposures(engine, { port: 8443 })).changes.some((c) => c.internetExposed), 'judged from the rows meanwhile');
  await engine.close();
  engine = await DuckDBEngine.open({ path: db });
  assert.equal((await meta()).code, judgementFingerprint());
  assert.ok((await keptExposureEvents(engine, LATEST, []))!.some((e) => e.changes.some((c) => c.internetExposed)), 'recomputed, not the tampered text');

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

/** Everything the kept changes consist of: the table and both metadata rows. */
async function keptTable(engine: DuckDBEngine) {
  const chunks = (await engine.all(`SELECT chunk, first_time, last_time, events, entries FROM ${EXPOSURE_CHANGES_TABLE} ORDER BY chunk`)).rows;
  const meta = (await engine.all(`SELECT key, value FROM trailbook_meta WHERE key LIKE 'exposure-changes%' ORDER BY key`)).rows;
  return { chunks, meta };
}

/** Ingests the files one run each, then all of them into a fresh store: the kept changes must end alike. */
async function ingestInTurns(t: { after: (fn: () => void) => void }, files: Record<string, Record<string, any>[]>) {
  const dir = tempDir(t);
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void engine.close());
  const updates: (string | undefined)[] = [];
  for (const [name, records] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ Records: records }));
    updates.push((await ingestPaths(engine, [join(dir, `${name}.json`)])).exposureChanges);
  }
  const whole = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void whole.close());
  await ingestPaths(whole, Object.keys(files).map((name) => join(dir, `${name}.json`)));
  assert.deepStrictEqual(await keptTable(engine), await keptTable(whole), 'as one recomputation of all the events leaves them');
  return { engine, updates };
}

test('a later ingest judges only its own events and appends them; the kept changes end as a recomputation leaves them', async (t) => {
  // 4,500 candidates in three runs: every run after the first appends, across chunk boundaries.
  const base = Date.UTC(2024, 7, 1);
  const records = Array.from({ length: 4500 }, (_, i) => ({
    ...event(i % 3 === 2 ? 'RevokeSecurityGroupIngress' : 'AuthorizeSecurityGroupIngress', { groupId: `sg-0${i % 7}`, ipPermissions: { items: [perm(8443, 8443, `198.51.${i % 5}.0/24`)] } }),
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
    ...create, eventID: 'recreate', eventTime: '2024-08-01T12:31:00Z',
    responseElements: { _return: true, securityGroupRuleSet: { items: [{ ...create['responseElements'].securityGroupRuleSet.items[0], isEgress: false }] } },
  };
  const conflict = await ingestInTurns(t, { first: mixed, then: [recreated] });
  assert.deepEqual(conflict.updates, ['appended', 'recomputed']);
  // Noise alone adds no candidate: nothing to do.
  const noise = await ingestInTurns(t, { first: mixed, then: [{ ...event('DescribeInstances', {}), eventID: 'noise-2', eventTime: '2024-08-01T13:00:00Z' }] });
  assert.deepEqual(noise.updates, ['appended', 'current']);
});

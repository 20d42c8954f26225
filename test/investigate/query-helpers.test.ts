import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import type { Engine, Params, QueryResult } from '../../src/engines/engine.js';
import { findConnections, inferredFromCounts, interfaceAddressesSql, portRecordsSql } from '../../src/flows/find.js';
import { cachedInterfaceAddressesSql, FLOW_ADDRESSES_TABLE, flowCaches, syncFlowCaches } from '../../src/flows/flow-caches.js';
import { inferInterfaceAddresses } from '../../src/flows/connections.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { ingestFlowLogFile } from '../../src/ingest/vpcflow/index.js';
import type { CallerIdentity } from '../../src/investigate/identities.js';
import { eventsByIdSql, identityOf, lookupIdentities } from '../../src/investigate/identities.js';
import { translateSql } from '../../src/engines/dialects.js';
import { tempDir } from '../helpers/fixtures.js';

/** An engine that records the SQL it was asked to run. */
function recording(engine: Engine): { engine: Engine; sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    engine: {
      name: engine.name,
      dialect: engine.dialect,
      query: (s: string, p?: Params) => engine.query(s, p),
      all: (s: string, p?: Params): Promise<QueryResult> => {
        sql.push(s);
        return engine.all(s, p);
      },
      close: () => engine.close(),
    },
  };
}

const record = (id: string, minute: number, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  eventID: id,
  eventTime: `2024-08-01T12:${String(minute).padStart(2, '0')}:00Z`,
  eventSource: 'ec2.amazonaws.com',
  eventName: 'DescribeInstances',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/${id}`, accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE' },
  recipientAccountId: '111122223333',
  requestParameters: {},
  responseElements: null,
  userAgent: 'aws-cli/2',
  ...extra,
});

test('lookupIdentities: known identities are taken as they are, the rest read by one semi-join on bound ids', async (t) => {
  const dir = tempDir(t, 'trailbook-identities-');
  const records = [
    record('a', 1),
    record('b', 2, { userAgent: 'signin.amazonaws.com', additionalEventData: { MFAUsed: 'Yes' } }),
    record('c', 3, {
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/r/i-0123456789abcdef0',
        principalId: 'AROA:i-0123456789abcdef0',
        accessKeyId: 'ASIAEXAMPLE',
        sessionContext: { attributes: { mfaAuthenticated: 'false' }, sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/r' } },
      },
    }),
    record("d'; DROP TABLE cloudtrail_events; --", 4),
  ];
  writeFileSync(join(dir, 'events.json'), JSON.stringify({ Records: records }));
  const store = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void store.close());
  await ingestPaths(store, [dir]);
  const { engine, sql } = recording(store);

  // One bound parameter per id: the same text translates to Trino (no DuckDB list type).
  assert.match(eventsByIdSql(3), /eventid IN \(\$id0, \$id1, \$id2\)/);
  assert.doesNotMatch(eventsByIdSql(3), /VARCHAR\[\]|list_contains/);
  assert.match(translateSql(eventsByIdSql(2), { id0: 'a', id1: "b'c" }, 'trino').sql, /eventid IN \(\?, \?\)/);
  assert.deepEqual(translateSql(eventsByIdSql(2), { id0: 'a', id1: "b'c" }, 'trino').positional, ["'a'", "'b''c'"]);

  const all = await lookupIdentities(engine, ['a', 'b', 'c', "d'; DROP TABLE cloudtrail_events; --", 'missing']);
  assert.deepEqual([...all.keys()].sort(), ['a', 'b', 'c', "d'; DROP TABLE cloudtrail_events; --"]);
  assert.equal(sql.length, 1);
  assert.equal(all.get('b')?.via, 'console');
  assert.equal(all.get('b')?.mfa, true);
  assert.equal(all.get('c')?.instanceCredentials, true);
  assert.equal(all.get('c')?.issuer, 'arn:aws:iam::111122223333:role/r');
  assert.equal(all.get('c')?.mfa, false);

  // Known identities are not read again; only the missing ids are.
  const { rows } = await store.all(
    `SELECT eventid, useridentity, useragent, sourceipaddress, sessioncredentialfromconsole, additionaleventdata FROM cloudtrail_logs WHERE eventid = 'a'`,
  );
  const knownA: CallerIdentity = identityOf(rows[0] as never);
  sql.length = 0;
  const some = await lookupIdentities(engine, ['a', 'c'], new Map([['a', knownA]]));
  assert.deepEqual(some.get('a'), all.get('a'));
  assert.deepEqual(some.get('c'), all.get('c'));
  assert.equal(sql.length, 1);
  sql.length = 0;
  const none = await lookupIdentities(engine, ['a'], new Map([['a', knownA]]));
  assert.equal(none.size, 1);
  assert.equal(sql.length, 0, 'nothing left to read: no query');
  assert.equal((await lookupIdentities(engine, [])).size, 0);
});

/** A small deterministic PRNG. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test('flow queries: the split port query returns what `srcport = P OR dstport = P` does; addresses in every record as inferInterfaceAddresses finds them', async (t) => {
  const dir = tempDir(t, 'trailbook-flow-queries-');
  const r = rng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const enis = ['eni-a', 'eni-b', 'eni-c', 'eni-d'];
  const own: Record<string, string> = { 'eni-a': '10.0.0.5', 'eni-b': '10.0.0.6', 'eni-c': '10.0.0.7', 'eni-d': '10.0.0.8' };
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const eni = pick(enis);
    const start = 1714572000 + i * 10;
    if (r() < 0.05) {
      lines.push(`2 123456789012 ${eni} - - - - - - - ${start} ${start + 60} - NODATA`);
      continue;
    }
    // eni-d talks to one peer only (two addresses everywhere: ambiguous); the others mostly to many.
    const peer = eni === 'eni-d' ? '203.0.113.1' : pick(['198.51.100.7', '203.0.113.9', '192.0.2.66', '10.0.1.1']);
    const local = eni === 'eni-c' && r() < 0.1 ? '10.0.0.99' : own[eni]!; // eni-c: no address in every record
    const [sport, dport] = pick([
      [50000, 8443],
      [8443, 50000],
      [8443, 8443],
      [40000, 22],
      [443, 40001],
      [0, 0],
    ] as const);
    const [src, dst] = r() < 0.5 ? [peer, local] : [local, peer];
    lines.push(`2 123456789012 ${eni} ${src} ${dst} ${sport} ${dport} ${dport === 0 ? 1 : 6} 2 100 ${start} ${start + 60} ${pick(['ACCEPT', 'REJECT'])} OK`);
  }
  const file = join(dir, 'flows.log');
  writeFileSync(file, lines.join('\n') + '\n');
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void engine.close());
  await ingestFlowLogFile(engine, file);

  const order = (rows: Record<string, unknown>[]) => rows.map((row) => JSON.stringify(row)).sort();
  for (const [timeSql, params] of [
    ['', {}],
    [' AND "end" >= $from AND start <= $to', { from: 1714572500, to: 1714574000 }],
  ] as const) {
    const split = await engine.all(portRecordsSql(timeSql), { port: 8443, ...params });
    const plain = await engine.all(
      `SELECT ${split.columns.join(', ').replace('end', '"end"')} FROM vpc_flow_logs WHERE (srcport = $port OR dstport = $port)${timeSql}`,
      { port: 8443, ...params },
    );
    assert.ok(split.rows.length > 50);
    assert.deepEqual(order(split.rows), order(plain.rows));
    assert.deepEqual(
      split.rows.map((row) => row['start']),
      [...split.rows.map((row) => row['start'])].sort(),
      'ordered by start',
    );

    const list = enis.map((_, j) => `$eni${j}`).join(', ');
    const eniParams = Object.fromEntries(enis.map((eni, j) => [`eni${j}`, eni]));
    const counted = await engine.all(interfaceAddressesSql(list, timeSql), { ...eniParams, ...params });
    const got = inferredFromCounts(counted.rows.map((row) => ({ interface_id: String(row['interface_id']), address: String(row['address']) })));
    const pairs = await engine.all(
      `SELECT interface_id, srcaddr, dstaddr FROM vpc_flow_logs WHERE interface_id IN (${list}) AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL${timeSql}`,
      { ...eniParams, ...params },
    );
    const want = inferInterfaceAddresses(pairs.rows as never);
    assert.deepEqual([...got].sort(), [...want].sort());
    assert.equal(got.get('eni-a'), '10.0.0.5');
    assert.equal(got.has('eni-c'), false);
    assert.equal(got.has('eni-d'), false);
  }

  // The flow cache: each interface's addresses in every record, as the records give them, kept up to date batch by batch.
  assert.equal(await flowCaches(engine), null, 'no cache before a sync');
  const options = { port: 8443, from: '2024-05-01T00:00:00Z', to: '2024-05-31T00:00:00Z' };
  const fromTable = await findConnections(engine, options);
  const narrowFromTable = await findConnections(engine, { ...options, from: '2024-05-01T14:10:00Z' });
  const list = enis.map((_, j) => `$eni${j}`).join(', ');
  const eniParams = Object.fromEntries(enis.map((eni, j) => [`eni${j}`, eni]));
  const addresses = async (sql: string) => (await engine.all(sql, eniParams)).rows.map((row) => `${row['interface_id']} ${row['address']}`);
  await syncFlowCaches(engine);
  const caches = await flowCaches(engine);
  assert.ok(caches);
  assert.deepEqual(await addresses(cachedInterfaceAddressesSql(list)), await addresses(interfaceAddressesSql(list, '')));
  assert.deepEqual(
    (await engine.all(`SELECT interface_id FROM ${FLOW_ADDRESSES_TABLE} WHERE address IS NULL ORDER BY 1`)).rows.map((row) => row['interface_id']),
    ['eni-c'],
    'an interface with no address in every record is remembered as such',
  );
  // It answers only for bounds every record passes.
  assert.equal(caches.addressesCover(undefined, undefined), true);
  assert.equal(caches.addressesCover(0, 4_000_000_000), true);
  assert.equal(caches.addressesCover(1714572500, undefined), false);
  assert.equal(caches.addressesCover(undefined, 1714574000), false);
  assert.ok(fromTable.length > 10 && narrowFromTable.length > 0 && narrowFromTable.length < fromTable.length);
  assert.deepEqual(await findConnections(engine, options), fromTable, 'the same connections with the cache');
  assert.deepEqual(await findConnections(engine, { ...options, from: '2024-05-01T14:10:00Z' }), narrowFromTable, 'and for a range it does not cover');

  // Rows appended make it stale; a sync merges the new rows alone, and gives what counting them all gives.
  const more = join(dir, 'more.log');
  writeFileSync(
    more,
    [
      '2 123456789012 eni-a 10.0.0.5 198.51.100.99 8443 50001 6 2 100 1714580000 1714580060 ACCEPT OK',
      '2 123456789012 eni-b 10.0.0.77 198.51.100.99 8443 50002 6 2 100 1714580000 1714580060 ACCEPT OK',
      '2 123456789012 eni-e 10.0.0.9 198.51.100.99 8443 50003 6 2 100 1714580000 1714580060 ACCEPT OK',
    ].join('\n') + '\n',
  );
  await ingestFlowLogFile(engine, more);
  assert.equal(await flowCaches(engine), null, 'stale after rows more');
  await syncFlowCaches(engine);
  assert.ok(await flowCaches(engine), 'current again after a sync');
  const everyEni = [...enis, 'eni-e'];
  const allList = everyEni.map((_, j) => `$eni${j}`).join(', ');
  const allParams = Object.fromEntries(everyEni.map((eni, j) => [`eni${j}`, eni]));
  const all = async (sql: string) => (await engine.all(sql, allParams)).rows.map((row) => `${row['interface_id']} ${row['address']}`);
  assert.deepEqual(await all(cachedInterfaceAddressesSql(allList)), await all(interfaceAddressesSql(allList, '')));
  assert.ok((await all(cachedInterfaceAddressesSql(allList))).includes('eni-e 10.0.0.9'), 'a new interface gets its own');
  assert.ok(!(await all(cachedInterfaceAddressesSql(allList))).some((line) => line.startsWith('eni-b ')), 'eni-b lost its address: a record without it');
});

test('inferredFromCounts keeps an interface only when exactly one address is in every record', () => {
  const got = inferredFromCounts([
    { interface_id: 'eni-1', address: '10.0.0.5' },
    { interface_id: 'eni-2', address: '10.0.0.6' },
    { interface_id: 'eni-2', address: '203.0.113.1' },
  ]);
  assert.deepEqual([...got], [['eni-1', '10.0.0.5']]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { CARRY_COLUMNS, candidateSqlWith, EARLIEST, LATEST, normalizeCandidates, type NormalizedEvent } from '../../src/ports/candidates.js';
import { EXPOSURE_CHANGES_TABLE } from '../../src/ports/exposure-changes.js';
import { decodeChunk, encodeChunk } from '../../src/ports/exposure-entries.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';

/** The sample's candidates, and events that give several changes, none, a failure and an attach. */
async function sampleEvents(t: { after: (fn: () => void) => void }): Promise<{ engine: DuckDBEngine; events: NormalizedEvent[] }> {
  const dir = tempDir(t);
  const range = (cidrIp: string) => ({ cidrIp });
  writeTree(dir, {
    'extra.json': records(
      ctEvent({
        eventID: 'two-ranges',
        eventTime: '2024-05-14T10:00:00Z',
        eventName: 'AuthorizeSecurityGroupIngress',
        requestParameters: {
          groupId: 'sg-1',
          ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [range('0.0.0.0/0'), range('203.0.113.0/24')] } }] },
        },
      }),
      ctEvent({ eventID: 'says-nothing', eventTime: '2024-05-14T10:01:00Z', eventName: 'AuthorizeSecurityGroupIngress', requestParameters: {} }),
      ctEvent({
        eventID: 'denied',
        eventTime: '2024-05-14T10:02:00Z',
        eventName: 'AuthorizeSecurityGroupIngress',
        errorCode: 'Client.UnauthorizedOperation',
        errorMessage: '=cmd|"/c calc"!A1',
        requestParameters: { groupId: 'sg-1', ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [range('0.0.0.0/0')] } }] } },
      }),
      ctEvent({
        eventID: 'attach',
        eventTime: '2024-05-14T10:03:00Z',
        eventName: 'ModifyNetworkInterfaceAttribute',
        requestParameters: { networkInterfaceId: 'eni-1', groupSet: { items: [{ groupId: 'sg-1' }] } },
      }),
    ),
  });
  const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
  t.after(() => engine.close());
  await ingestPaths(engine, [join(REPO_ROOT, 'sample', 'cloudtrail'), join(dir, 'extra.json')]);
  const { rows } = await engine.all(candidateSqlWith(CARRY_COLUMNS), { from: EARLIEST, to: LATEST });
  return { engine, events: normalizeCandidates(rows) };
}

test('a chunk is written compactly and reads back identical, key order included', async (t) => {
  const { events } = await sampleEvents(t);
  assert.ok(events.length > 15 && events.some((e) => e.changes.length > 1) && events.some((e) => e.changes.length === 0));
  assert.ok(events.some((e) => e.changes.some((c) => c.action === 'attempt')) && events.some((e) => e.changes.some((c) => c.groupIds !== null)));
  const plain = JSON.stringify(events);
  const text = encodeChunk(events);
  assert.ok(text.startsWith('{'), 'the compact form, not the plain array');
  assert.ok(text.length < plain.length * 0.65, `${text.length} of ${plain.length} characters`);
  assert.equal(JSON.stringify(decodeChunk(text)), plain);
  // Any slice is a chunk too (the store cuts every 2,000 events).
  for (const [start, end] of [
    [0, 1],
    [3, 9],
    [events.length - 2, events.length],
  ] as const) {
    const part = events.slice(start, end);
    assert.equal(JSON.stringify(decodeChunk(encodeChunk(part))), JSON.stringify(part));
  }
  assert.equal(encodeChunk([]), '[]');
  assert.deepEqual(decodeChunk('[]'), []);
});

test('events that do not fit one shape are kept as the plain JSON array, which reads back too', async (t) => {
  const { events } = await sampleEvents(t);
  const [first, second, third] = events as [NormalizedEvent, NormalizedEvent, NormalizedEvent];
  const odd: NormalizedEvent[][] = [
    [first, { ...second, row: { ...second.row, useridentity: 'not a struct' as never } }],
    [first, { ...second, row: { extra: 1, ...second.row } as never }],
    [first, { ...third, row: { ...third.row, useragent: undefined as never } }],
  ];
  for (const chunk of odd) {
    const text = encodeChunk(chunk);
    assert.ok(text.startsWith('['), 'plain');
    assert.deepEqual(decodeChunk(text), JSON.parse(JSON.stringify(chunk)));
  }
  // A change whose event columns differ from its row's keeps them: nothing is taken from the row wrongly.
  const withChange = events.find((e) => e.changes.length > 0)!;
  const edited = { ...withChange, changes: [{ ...withChange.changes[0]!, actor: 'someone else', eventId: null }] };
  const text = encodeChunk([edited]);
  assert.ok(text.startsWith('{'));
  assert.equal(JSON.stringify(decodeChunk(text)), JSON.stringify([edited]));
});

test('the store keeps its exposure changes in the compact form', async (t) => {
  const { engine, events } = await sampleEvents(t);
  const { rows } = await engine.all(`SELECT entries FROM ${EXPOSURE_CHANGES_TABLE} ORDER BY chunk`);
  assert.ok(rows.length > 0);
  for (const row of rows) assert.ok(String(row['entries']).startsWith('{'));
  assert.equal(JSON.stringify(rows.flatMap((r) => decodeChunk(String(r['entries'])))), JSON.stringify(events));
});

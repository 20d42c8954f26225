import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import {
  buildWindows,
  CARRY_COLUMNS,
  candidateSql,
  candidateSqlWith,
  findExposures,
  openWindowsIndex,
  ruleIdentity,
  sortChanges,
  windowsOpenAt,
  type CarryColumn,
  type ExposureChange,
  type ExposureWindow,
} from '../../src/ports/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { event } from './records.js';

/** The window replay as it was before the indexes (a scan of every open window per change): the reference. */
function referenceWindows(changes: readonly ExposureChange[]): ExposureWindow[] {
  const windows: ExposureWindow[] = [];
  const open: ExposureWindow[] = [];
  const end = (window: ExposureWindow, by: ExposureChange, how: NonNullable<ExposureWindow['closedHow']>) => {
    window.closed = by;
    window.closedHow = how;
    open.splice(open.indexOf(window), 1);
  };
  for (const change of sortChanges(changes)) {
    if (change.action === 'open') {
      if (change.ruleKey !== null && change.ruleKey !== '*') {
        for (const window of [...open]) {
          if (
            window.resource === change.resource &&
            window.direction === change.direction &&
            window.ruleKey === change.ruleKey &&
            window.opened.eventId !== change.eventId
          )
            end(window, change, 'replaced');
        }
      }
      const identity = ruleIdentity(change);
      if (open.some((w) => ruleIdentity(w) === identity)) continue;
      const window: ExposureWindow = {
        resource: change.resource,
        resourceType: change.resourceType,
        direction: change.direction,
        protocol: change.protocol,
        fromPort: change.fromPort,
        toPort: change.toPort,
        peer: change.peer,
        internetExposed: change.internetExposed,
        ruleKey: change.ruleKey,
        opened: change,
        closed: null,
        closedHow: null,
      };
      windows.push(window);
      open.push(window);
    } else if (change.action === 'close') {
      for (const window of [...open]) {
        if (window.resource !== change.resource) continue;
        if (change.ruleKey === '*') end(window, change, 'whole-resource');
        else if (change.ruleKey !== null && window.ruleKey === change.ruleKey && window.direction === change.direction) end(window, change, 'same-slot');
        else if (change.protocol !== null && ruleIdentity(window) === ruleIdentity(change)) end(window, change, 'same-rule');
      }
    }
  }
  return windows;
}

/** A small deterministic PRNG, so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomChanges(seed: number, n: number): ExposureChange[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: ExposureChange[] = [];
  for (let i = 0; i < n; i++) {
    const protocol = pick(['tcp', 'udp', 'all', null] as const);
    const from = pick([null, 22, 443, 8000, 8443]);
    const action = pick(['open', 'open', 'close', 'close', 'attempt', 'attach'] as const);
    out.push({
      eventId: `e${Math.floor(r() * n)}`, // repeats on purpose: an open never replaces its own event's windows
      eventTime: `2024-08-01T12:${String(Math.floor(r() * 60)).padStart(2, '0')}:00Z`,
      action,
      resource: pick(['sg-1', 'sg-2', 'sg-3', 'acl-1', null]),
      resourceType: 'security-group',
      direction: pick(['ingress', 'egress'] as const),
      protocol,
      fromPort: from,
      toPort: from === null ? null : from + pick([0, 0, 1000]),
      peer: pick([
        { kind: 'cidr', value: '0.0.0.0/0' },
        { kind: 'cidr', value: '10.1.2.3/0' },
        { kind: 'cidr', value: '10.0.0.0/8' },
        { kind: 'any', value: '*' },
      ] as const),
      internetExposed: r() < 0.5,
      ruleKey: pick([null, null, '*', 'sgr-1', 'sgr-2', 'ingress#100']),
      groupIds: action === 'attach' ? [pick(['sg-1', 'sg-2', 'sg-3'])] : null,
      actor: null,
      accessKeyId: null,
      sourceIp: null,
      eventSource: null,
      eventName: null,
      region: null,
      accountId: null,
      errorCode: null,
      why: `change ${i}`,
    });
  }
  return out;
}

/** Windows with their opening and closing changes as positions in the input, comparable across runs. */
function shape(windows: readonly ExposureWindow[], changes: readonly ExposureChange[]) {
  return windows.map((w) => ({
    opened: changes.indexOf(w.opened),
    closed: w.closed ? changes.indexOf(w.closed) : null,
    how: w.closedHow,
    resource: w.resource,
  }));
}

test('buildWindows (indexed) replays exactly like the scan over every open window', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const changes = randomChanges(seed, 5 + (seed % 80));
    const got = buildWindows(changes);
    const want = referenceWindows(changes);
    assert.deepEqual(shape(got, changes), shape(want, changes), `seed ${seed}`);
  }
});

test('openWindowsIndex answers like windowsOpenAt: same windows, same order, repeated resources once', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const windows = buildWindows(randomChanges(seed, 60));
    const openAt = openWindowsIndex(windows);
    for (const resources of [['sg-1'], ['sg-2', 'sg-1'], ['sg-3', 'sg-3'], [], ['sg-9']]) {
      for (const minute of [0, 15, 30, 45, 59]) {
        const time = `2024-08-01T12:${String(minute).padStart(2, '0')}:00Z`;
        assert.deepEqual(openAt(resources, time), windowsOpenAt(windows, resources, time), `seed ${seed} ${resources.join(',')} ${time}`);
      }
    }
  }
});

test('candidateSqlWith: the base query plus carried columns, only from the allowed list, times still bound', () => {
  assert.equal(candidateSqlWith([]), candidateSql);
  const sql = candidateSqlWith(['useragent', 'additionaleventdata', 'useragent']);
  assert.match(sql, /recipientaccountid, useragent, additionaleventdata\nFROM cloudtrail_logs\nWHERE eventname IN/);
  assert.match(sql, /eventtime >= \$from AND eventtime <= \$to/);
  assert.throws(() => candidateSqlWith(['eventid; DROP TABLE x' as CarryColumn]), /not a column/);
  assert.ok(CARRY_COLUMNS.every((c) => /^[a-z]+$/.test(c)));
});

test('findExposures carries the asked columns on its candidate rows, and the same changes either way', async (t) => {
  const dir = tempDir(t, 'trailbook-ports-carry-');
  const records = [
    {
      ...event('AuthorizeSecurityGroupIngress', {
        groupId: 'sg-0a',
        ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
      }),
      eventID: 'open-1',
      eventTime: '2024-08-01T12:01:00Z',
      userAgent: 'aws-cli/2',
    },
    {
      ...event('RevokeSecurityGroupIngress', {
        groupId: 'sg-0a',
        ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
      }),
      eventID: 'close-1',
      eventTime: '2024-08-01T12:02:00Z',
      userAgent: 'console.amazonaws.com',
    },
    { ...event('DescribeInstances', {}), eventID: 'other', eventTime: '2024-08-01T12:03:00Z' },
  ];
  writeFileSync(join(dir, 'events.json'), JSON.stringify({ Records: records }));
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void engine.close());
  await ingestPaths(engine, [dir]);
  const plain = await findExposures(engine, { port: 8443 });
  const carried = await findExposures(engine, { port: 8443, carry: ['useragent'] });
  assert.deepEqual(carried.changes, plain.changes);
  assert.deepEqual(carried.windows, plain.windows);
  assert.deepEqual(
    carried.rows.map((r) => [r.eventid, r.useragent, r.useridentity?.arn]),
    [
      ['open-1', 'aws-cli/2', 'arn:aws:iam::111122223333:user/alice'],
      ['close-1', 'console.amazonaws.com', 'arn:aws:iam::111122223333:user/alice'],
    ],
  );
  assert.equal(plain.rows[0]?.useragent, undefined, 'not read unless carried');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { candidateSql, findExposures, materializeExposures } from '../../src/ports/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { event } from './records.js';

const CLASSIC_QUERY = `SELECT eventTime, sourceIPAddress, eventName, eventSource
FROM cloudtrail_logs
WHERE eventSource LIKE '%:8443%' OR requestParameters LIKE '%8443%'
ORDER BY eventTime DESC`;

const at = (minute: number) => `2024-08-01T12:${String(minute).padStart(2, '0')}:00Z`;
const perm = (ipProtocol: string, fromPort: number | undefined, toPort: number | undefined, cidrIp: string) => ({
  ipProtocol,
  fromPort,
  toPort,
  ipRanges: { items: [{ cidrIp }] },
  ipv6Ranges: {},
  prefixListIds: {},
  groups: {},
});

/** A mixed corpus: real paths to 8443 written every way AWS allows, plus decoys. */
function corpus(): Record<string, any>[] {
  return [
    {
      ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0range', ipPermissions: { items: [perm('tcp', 8000, 9000, '0.0.0.0/0')] } }),
      eventID: 'open-range',
      eventTime: at(1),
    },
    {
      ...event('AuthorizeSecurityGroupIngress', {
        groupId: 'sg-0all',
        ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
      }),
      eventID: 'open-all',
      eventTime: at(2),
    },
    {
      ...event('ModifySecurityGroupRules', {
        ModifySecurityGroupRulesRequest: {
          GroupId: 'sg-0mod',
          SecurityGroupRule: { SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8400, ToPort: 8500, CidrIpv4: '0.0.0.0/0' } },
        },
      }),
      eventID: 'open-modify',
      eventTime: at(3),
    },
    {
      ...event('CreateNetworkAclEntry', {
        networkAclId: 'acl-1',
        ruleNumber: 90,
        egress: false,
        aclProtocol: '6',
        portRange: { from: 1024, to: 65535 },
        ruleAction: 'allow',
        cidrBlock: '0.0.0.0/0',
      }),
      eventID: 'open-nacl',
      eventTime: at(4),
    },
    {
      ...event('CreateListener', { loadBalancerArn: 'arn:lb', protocol: 'HTTPS', port: 8443 }),
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventID: 'open-listener',
      eventTime: at(5),
      responseElements: { listeners: [{ listenerArn: 'arn:listener/1', port: 8443, protocol: 'HTTPS' }] },
    },
    {
      ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0range', ipPermissions: { items: [perm('tcp', 8443, 8443, '0.0.0.0/0')] } }),
      eventID: 'attempt',
      eventTime: at(6),
      errorCode: 'Client.UnauthorizedOperation',
      responseElements: null,
    },
    {
      ...event('ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-1', groupSet: { items: [{ groupId: 'sg-0all' }] } }),
      eventID: 'attach',
      eventTime: at(7),
    },
    {
      ...event('RevokeSecurityGroupIngress', { groupId: 'sg-0range', ipPermissions: { items: [perm('tcp', 8000, 9000, '0.0.0.0/0')] } }),
      eventID: 'close-range',
      eventTime: at(8),
    },
    {
      ...event('DeleteListener', { listenerArn: 'arn:listener/1' }),
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventID: 'close-listener',
      eventTime: at(9),
    },
    // Decoys: every one contains "8443" somewhere, none opens port 8443.
    {
      ...event('AuthorizeSecurityGroupIngress', {
        groupId: 'sg-08443',
        ipPermissions: { items: [{ ...perm('tcp', 443, 443, '0.0.0.0/0'), ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'was 8443' }] } }] },
      }),
      eventID: 'decoy-443',
      eventTime: at(10),
    },
    {
      ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0aaa', ipPermissions: { items: [perm('tcp', 18443, 18443, '0.0.0.0/0')] } }),
      eventID: 'decoy-18443',
      eventTime: at(11),
    },
    {
      ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0aaa', ipPermissions: { items: [perm('tcp', 8444, 9000, '0.0.0.0/0')] } }),
      eventID: 'decoy-8444',
      eventTime: at(12),
    },
    { ...event('CreateBucket', { bucketName: 'logs-8443' }), eventSource: 's3.amazonaws.com', eventID: 'decoy-bucket', eventTime: at(13) },
  ];
}

async function storeWith(t: { after: (fn: () => void) => void }, records: Record<string, any>[]): Promise<DuckDBEngine> {
  const dir = tempDir(t, 'trailbook-ports-');
  writeFileSync(join(dir, 'events.json'), JSON.stringify({ Records: records }));
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void engine.close());
  const summary = await ingestPaths(engine, [dir]);
  assert.equal(summary.events.inserted, records.length);
  return engine;
}

test('findExposures on a mixed corpus: every path to 8443, nothing else', async (t) => {
  const engine = await storeWith(t, corpus());
  const result = await findExposures(engine, { port: 8443 });
  const ids = result.changes.map((c) => c.eventId).sort();
  assert.deepEqual(ids, ['attach', 'attempt', 'close-listener', 'close-range', 'open-all', 'open-listener', 'open-modify', 'open-nacl', 'open-range'].sort());
  assert.ok(!ids.some((id) => id?.startsWith('decoy')));
  const attempt = result.changes.find((c) => c.eventId === 'attempt')!;
  assert.equal(attempt.action, 'attempt');
  assert.equal(attempt.internetExposed, false);
  const attach = result.changes.find((c) => c.eventId === 'attach')!;
  assert.equal(attach.action, 'attach');
  assert.equal(attach.internetExposed, true, 'sg-0all admitted all traffic from 0.0.0.0/0 when it was attached');
  assert.match(attach.why, /sg-0all admitted all/);
});

test('windows: an open joined to the close that ends it, or still open', async (t) => {
  const engine = await storeWith(t, corpus());
  const { windows } = await findExposures(engine, { port: 8443 });
  const range = windows.find((w) => w.opened.eventId === 'open-range')!;
  assert.equal(range.closed?.eventId, 'close-range');
  assert.equal(range.closedHow, 'same-rule');
  const listener = windows.filter((w) => w.opened.eventId === 'open-listener');
  assert.ok(listener.length > 0 && listener.every((w) => w.closed?.eventId === 'close-listener' && w.closedHow === 'whole-resource'));
  const all = windows.find((w) => w.opened.eventId === 'open-all')!;
  assert.equal(all.closed, null);
  assert.ok(!windows.some((w) => w.opened.eventId === 'attempt'), 'a failed call opens no window');
});

test('time bounds: changes inside the range; windows opened before it and still open are kept', async (t) => {
  const engine = await storeWith(t, corpus());
  const { changes, windows } = await findExposures(engine, { port: 8443, from: at(8), to: at(9) });
  assert.deepEqual(changes.map((c) => c.eventId).sort(), ['close-listener', 'close-range']);
  assert.ok(
    windows.some((w) => w.opened.eventId === 'open-all' && w.closed === null),
    'open-all was opened before --from and still open',
  );
});

test('the classic LIKE query misses ranges, all-traffic and ModifySecurityGroupRules, and flags decoys', async (t) => {
  const engine = await storeWith(t, corpus());
  const { rows } = await engine.all(CLASSIC_QUERY);
  const classicNames = rows.length;
  const { rows: ids } = await engine.all(`SELECT eventid FROM cloudtrail_logs WHERE eventSource LIKE '%:8443%' OR requestParameters LIKE '%8443%'`);
  const classic = new Set(ids.map((r) => r['eventid']));
  assert.equal(classic.size, classicNames);
  for (const missed of ['open-range', 'open-all', 'open-modify', 'open-nacl']) assert.ok(!classic.has(missed), `LIKE misses ${missed}`);
  for (const decoy of ['decoy-443', 'decoy-18443', 'decoy-bucket']) assert.ok(classic.has(decoy), `LIKE flags ${decoy}`);
  const ours = new Set((await findExposures(engine, { port: 8443 })).changes.map((c) => c.eventId));
  for (const caught of ['open-range', 'open-all', 'open-modify', 'open-nacl']) assert.ok(ours.has(caught));
  for (const decoy of ['decoy-443', 'decoy-18443', 'decoy-8444', 'decoy-bucket']) assert.ok(!ours.has(decoy));
});

test('candidateSql narrows by event name and time only, with bound parameters', async (t) => {
  assert.doesNotMatch(candidateSql, /requestparameters\s+LIKE/i);
  assert.match(candidateSql, /\$from/);
  assert.match(candidateSql, /\$to/);
  const engine = await storeWith(t, corpus());
  const { rows } = await engine.all(candidateSql, { from: at(0), to: at(9) });
  assert.equal(rows.length, 9, 'the nine port-bearing events up to minute 9');
  const injected = await engine.all(candidateSql, { from: "9999' OR '1'='1", to: at(9) });
  assert.equal(injected.rows.length, 0, 'a bound value is a value, not SQL');
});

test('materializeExposures writes port_exposures and port_exposure_windows', async (t) => {
  const engine = await storeWith(t, corpus());
  const result = await materializeExposures(engine, { port: 8443 });
  const { rows } = await engine.all('SELECT event_id, action, internet_exposed, from_port, to_port, why FROM port_exposures ORDER BY event_time, event_id');
  assert.equal(rows.length, result.changes.length);
  const modify = rows.find((r) => r['event_id'] === 'open-modify')!;
  assert.equal(modify['internet_exposed'], true);
  assert.equal(modify['from_port'], 8400);
  assert.equal(modify['to_port'], 8500);
  const { rows: windows } = await engine.all('SELECT state, count(*) AS n FROM port_exposure_windows GROUP BY state ORDER BY state');
  assert.ok(windows.length > 0);
  // Re-running replaces, never appends.
  await materializeExposures(engine, { port: 8443 });
  const again = await engine.all('SELECT count(*) AS n FROM port_exposures');
  assert.equal(Number(again.rows[0]!['n']), result.changes.length);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { EXPOSURE_EVENT_NAMES, findUnmodelledChanges, UNMODELLED_EVENT_NAMES } from '../../src/ports/index.js';
import { records, tempDir, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { event } from './records.js';

const calls = () => [
  event('CreateRoute', { routeTableId: 'rtb-0a', destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0a' }),
  event('AssociateAddress', { allocationId: 'eipalloc-0a', instanceId: 'i-0a' }, { errorCode: 'Client.UnauthorizedOperation' }),
  event('ModifyDBInstance', { dBInstanceIdentifier: 'db1', publiclyAccessible: true }, { eventSource: 'rds.amazonaws.com' }),
  event('ModifyDBInstance', { dBInstanceIdentifier: 'db1', allocatedStorage: 100 }, { eventSource: 'rds.amazonaws.com' }), // not a network change
  event('AuthorizeClusterSecurityGroupIngress', { clusterSecurityGroupName: 'dw', cIDRIP: '0.0.0.0/0' }, { eventSource: 'redshift.amazonaws.com' }),
  event('CreateRoute', { routeTableId: 'rtb-0a' }, { eventSource: 'not-ec2.example.com' }), // same name, another service
  event('AuthorizeSecurityGroupIngress', {
    groupId: 'sg-0a',
    ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
  }), // modelled
];

test('a network path changed by an API the port semantics do not model is listed with what it changes, never silently absent', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'ct.json': records(...calls()) });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  await ingestPaths(engine, [dir]);
  const listed = await findUnmodelledChanges(engine);
  assert.deepEqual(
    listed.map((c) => c.eventName),
    ['CreateRoute', 'AssociateAddress', 'ModifyDBInstance', 'AuthorizeClusterSecurityGroupIngress'],
  );
  for (const c of listed) assert.match(c.why, /^changed a network path trailbook does not model: /);
  assert.match(listed[1]!.why, /failed with Client\.UnauthorizedOperation/);
  assert.match(listed[2]!.why, /publiclyAccessible/);
});

test('an event name is either modelled or listed as unmodelled, never both', () => {
  assert.deepEqual(
    UNMODELLED_EVENT_NAMES.filter((name) => EXPOSURE_EVENT_NAMES.includes(name)),
    [],
  );
});

test('cli: exposures --unmodelled lists them; investigate points at them on stderr', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'ct.json': records(...calls()) });
  const db = join(dir, 'store.duckdb');
  assert.equal((await runInProcess(['ingest', dir, '--db', db])).status, 0);
  const r = await runInProcess(['exposures', '--unmodelled', '--db', db, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { event_name: string; why: string }[];
  assert.equal(rows.length, 4);
  assert.equal(rows[0]!.event_name, 'CreateRoute');
  const investigate = await runInProcess(['investigate', '--db', db, '--format', 'json']);
  assert.ok(investigate.status === 0, investigate.stderr);
  assert.match(investigate.stderr, /note: 4 calls changed a network path trailbook does not model .*trailbook exposures --unmodelled/);
  JSON.parse(investigate.stdout); // the report on stdout stays whole
});

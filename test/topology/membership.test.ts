import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { buildMembership, findMembership, type TopologyEventRow } from '../../src/topology/index.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { join } from 'node:path';

// Interface ↔ security-group membership and placement from CloudTrail (src/topology/membership.ts).
const row = (eventtime: string, eventname: string, request: unknown, response: unknown, extra: Partial<TopologyEventRow> = {}): TopologyEventRow => ({
  eventid: `${eventname}-${eventtime}`,
  eventtime,
  eventname,
  awsregion: 'eu-west-1',
  recipientaccountid: '111122223333',
  errorcode: null,
  requestparameters: request === null ? null : JSON.stringify(request),
  responseelements: response === null ? null : JSON.stringify(response),
  ...extra,
});
const groupSet = (...ids: string[]) => ({ items: ids.map((groupId) => ({ groupId })) });

const RUN = row(
  '2024-05-01T08:00:00Z',
  'RunInstances',
  {},
  {
    instancesSet: {
      items: [
        {
          instanceId: 'i-1',
          vpcId: 'vpc-1',
          subnetId: 'subnet-1',
          groupSet: groupSet('sg-web'),
          networkInterfaceSet: { items: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', subnetId: 'subnet-1', groupSet: groupSet('sg-web') }] },
        },
      ],
    },
  },
);

test('RunInstances: the interface carries the groups from launch, in its account, region and VPC; before launch nothing is known', () => {
  const m = buildMembership([RUN]);
  assert.deepEqual(m.groupsAt('eni-1', null, '2024-05-01T09:00:00Z')?.groups, ['sg-web']);
  assert.equal(m.groupsAt('eni-1', null, '2024-05-01T07:59:59Z'), null);
  assert.deepEqual(m.interfaceFacts('eni-1'), {
    interfaceId: 'eni-1',
    instanceId: 'i-1',
    subnetId: 'subnet-1',
    vpcId: 'vpc-1',
    accountId: '111122223333',
    region: 'eu-west-1',
  });
  assert.deepEqual(m.groupPlacement('sg-web'), { accountId: '111122223333', region: 'eu-west-1', vpcId: 'vpc-1' });
  assert.equal(m.groupsAt('eni-unknown', null, '2024-05-01T09:00:00Z'), null);
});

test('ModifyNetworkInterfaceAttribute and ModifyInstanceAttribute replace the set from their time on; a failed call changes nothing', () => {
  const m = buildMembership([
    RUN,
    row('2024-05-01T10:00:00Z', 'ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-1', groupSet: groupSet('sg-a', 'sg-b') }, null),
    row('2024-05-01T11:00:00Z', 'ModifyInstanceAttribute', { instanceId: 'i-1', groupSet: groupSet('sg-c') }, null),
    row('2024-05-01T12:00:00Z', 'ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-1', groupSet: groupSet('sg-evil') }, null, {
      errorcode: 'Client.UnauthorizedOperation',
    }),
    // ModifyInstanceAttribute without a groupSet (user data, instance type…) says nothing about groups.
    row('2024-05-01T13:00:00Z', 'ModifyInstanceAttribute', { instanceId: 'i-1', instanceType: { value: 't3.large' } }, null),
  ]);
  const at = (time: string) => m.groupsAt('eni-1', null, `2024-05-01T${time}Z`);
  assert.deepEqual(at('09:59:59')?.groups, ['sg-web']);
  assert.deepEqual([at('10:30:00')?.groups, at('10:30:00')?.eventName], [['sg-a', 'sg-b'], 'ModifyNetworkInterfaceAttribute']);
  assert.deepEqual([at('12:30:00')?.groups, at('12:30:00')?.eventName], [['sg-c'], 'ModifyInstanceAttribute']);
  assert.deepEqual(at('13:30:00')?.groups, ['sg-c']);
});

test('CreateNetworkInterface, AttachNetworkInterface, CreateSecurityGroup and CreateNetworkAcl: an interface made apart, then attached; a group and an ACL placed in their VPC', () => {
  const m = buildMembership([
    row('2024-05-01T08:00:00Z', 'CreateSecurityGroup', { groupName: 'db', vpcId: 'vpc-2' }, { _return: true, groupId: 'sg-db' }),
    row(
      '2024-05-01T08:05:00Z',
      'CreateNetworkInterface',
      { subnetId: 'subnet-2' },
      {
        networkInterface: { networkInterfaceId: 'eni-2', subnetId: 'subnet-2', vpcId: 'vpc-2', groupSet: groupSet('sg-db') },
      },
    ),
    row('2024-05-01T08:06:00Z', 'CreateNetworkAcl', { vpcId: 'vpc-2' }, { networkAcl: { networkAclId: 'acl-2', vpcId: 'vpc-2', entrySet: {} } }),
    row('2024-05-01T08:10:00Z', 'AttachNetworkInterface', { networkInterfaceId: 'eni-2', instanceId: 'i-2', deviceIndex: 1 }, { attachmentId: 'eni-attach-1' }),
  ]);
  assert.deepEqual(m.groupPlacement('sg-db')?.vpcId, 'vpc-2');
  assert.deepEqual(m.groupPlacement('acl-2'), { accountId: '111122223333', region: 'eu-west-1', vpcId: 'vpc-2' });
  assert.deepEqual(m.groupsAt('eni-2', null, '2024-05-01T09:00:00Z')?.groups, ['sg-db']);
  assert.deepEqual(m.interfaceFacts('eni-2'), {
    interfaceId: 'eni-2',
    instanceId: 'i-2',
    subnetId: 'subnet-2',
    vpcId: 'vpc-2',
    accountId: '111122223333',
    region: 'eu-west-1',
  });
});

test('an instance-level setting applies to the interface a flow record names with that instance, and times compare as instants', () => {
  const m = buildMembership([row('2024-05-01T10:00:00.500Z', 'ModifyInstanceAttribute', { instanceId: 'i-9', groupSet: groupSet('sg-x') }, null)]);
  assert.deepEqual(m.groupsAt('eni-9', 'i-9', '2024-05-01T10:00:01Z')?.groups, ['sg-x']);
  assert.equal(m.groupsAt('eni-9', 'i-9', '2024-05-01T10:00:00Z'), null, 'half a second before the change');
  assert.equal(m.groupsAt('eni-9', null, '2024-05-01T11:00:00Z'), null, 'nothing links eni-9 to i-9 without the flow record');
});

test('findMembership reads the events from a store (its narrow copy) and ignores every other event', async (t) => {
  const dir = tempDir(t);
  const event = (eventName: string, eventTime: string, requestParameters: unknown, responseElements: unknown) =>
    ctEvent({ eventName, eventTime, eventID: `${eventName}-${eventTime}`, requestParameters, responseElements });
  writeTree(dir, {
    'trail.json': records(
      event('RunInstances', '2024-05-01T08:00:00Z', {}, JSON.parse(RUN.responseelements!)),
      event(
        'DescribeInstances',
        '2024-05-01T08:30:00Z',
        {},
        { reservationSet: { items: [{ instancesSet: { items: [{ instanceId: 'i-1', groupSet: groupSet('sg-decoy') }] } }] } },
      ),
    ),
  });
  const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
  try {
    await ingestPaths(engine, [join(dir, 'trail.json')]);
    const m = await findMembership(engine);
    assert.deepEqual(m.groupsAt('eni-1', null, '2024-05-01T09:00:00Z')?.groups, ['sg-web']);
    assert.equal(m.interfaceFacts('eni-1')?.vpcId, 'vpc-1');
  } finally {
    await engine.close();
  }
});

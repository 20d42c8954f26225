import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConnections, overlayConnections, type ExposureWindowLike, type FlowRow, type OverlayWindow } from '../../src/flows/index.js';
import { attributeConnections } from '../../src/investigate/steps.js';
import { buildMembership, type TopologyEventRow } from '../../src/topology/index.js';

// Topology before attribution (flows/overlay.ts; docs/vpc-flow-logs.md, "Attribution").
const T = (hhmm: string) => Date.parse(`2024-05-01T${hhmm}:00Z`) / 1000;
interface Nic {
  eni: string;
  ip: string;
  account?: string;
  vpc?: string;
  region?: string;
  instance?: string;
}
const WEB: Nic = { eni: 'eni-web', ip: '10.0.0.5', account: '111111111111', vpc: 'vpc-a', instance: 'i-web' };
const DB: Nic = { eni: 'eni-db', ip: '10.0.0.6', account: '111111111111', vpc: 'vpc-a', instance: 'i-db' };

/** A request record (and its reply when accepted) of a client connecting to the nic on 8443. */
function inbound(nic: Nic, client: string, at: string, action: 'ACCEPT' | 'REJECT' = 'ACCEPT'): FlowRow[] {
  const base = {
    interface_id: nic.eni,
    instance_id: nic.instance ?? null,
    account_id: nic.account ?? null,
    vpc_id: nic.vpc ?? null,
    region: nic.region ?? null,
    protocol: 6,
    packets: 2,
    bytes: 100,
    start: T(at),
    end: T(at) + 50,
    action,
    flow_direction: null,
  };
  const rows: FlowRow[] = [{ ...base, srcaddr: client, dstaddr: nic.ip, srcport: 50000, dstport: 8443, flow_direction: 'ingress' }];
  if (action === 'ACCEPT') rows.push({ ...base, srcaddr: nic.ip, dstaddr: client, srcport: 8443, dstport: 50000, flow_direction: 'egress' });
  return rows;
}
function outbound(nic: Nic, server: string, at: string, port = 41000): FlowRow[] {
  const base = {
    interface_id: nic.eni,
    instance_id: nic.instance ?? null,
    account_id: nic.account ?? null,
    vpc_id: nic.vpc ?? null,
    protocol: 6,
    packets: 2,
    bytes: 100,
    start: T(at),
    end: T(at) + 50,
    action: 'ACCEPT',
  };
  return [
    { ...base, srcaddr: nic.ip, dstaddr: server, srcport: port, dstport: 8443, flow_direction: 'egress' },
    { ...base, srcaddr: server, dstaddr: nic.ip, srcport: 8443, dstport: port, flow_direction: 'ingress' },
  ];
}
const connections = (...rows: FlowRow[][]) => buildConnections(rows.flat(), { port: 8443 });

const WINDOW: ExposureWindowLike = {
  resource: 'sg-web',
  direction: 'inbound',
  openedAt: '2024-05-01T14:00:00Z',
  closedAt: null,
  eventId: 'open-1',
  fromPort: 8443,
  toPort: 8443,
  protocol: '6',
  accountId: '111111111111',
  region: 'us-east-1',
  resourceType: 'security-group',
  peerCidr: '0.0.0.0/0',
};
const covered = (overlay: ReturnType<typeof overlayConnections>) => overlay.windows[0]!.connections.map((c) => `${c.interfaceId} ${c.remoteAddress}`);
const membershipRow = (eventname: string, request: unknown, response: unknown, account = '111111111111'): TopologyEventRow => ({
  eventid: eventname,
  eventtime: '2024-05-01T08:00:00Z',
  eventname,
  awsregion: 'us-east-1',
  recipientaccountid: account,
  errorcode: null,
  requestparameters: JSON.stringify(request),
  responseelements: JSON.stringify(response),
});
const launched = (nic: Nic, ...groups: string[]) =>
  membershipRow(
    'RunInstances',
    {},
    {
      instancesSet: {
        items: [
          {
            instanceId: nic.instance,
            vpcId: nic.vpc,
            networkInterfaceSet: { items: [{ networkInterfaceId: nic.eni, vpcId: nic.vpc, groupSet: { items: groups.map((groupId) => ({ groupId })) } }] },
          },
        ],
      },
    },
  );

test('placement: another account, region or VPC is never covered; an unknown side is not compared', () => {
  const other = (patch: Partial<Nic>) => ({ ...WEB, eni: `eni-${Object.keys(patch)[0]}`, ...patch });
  const cs = connections(
    inbound(other({ account: '222222222222' }), '198.51.100.1', '14:10'),
    inbound(other({ region: 'eu-west-1' }), '198.51.100.2', '14:10'),
    inbound(other({ vpc: 'vpc-b' }), '198.51.100.3', '14:10'),
    inbound({ eni: 'eni-bare', ip: '10.0.0.9' }, '198.51.100.4', '14:10'),
  );
  // The group's VPC is known from its launch: vpc-a.
  const membership = buildMembership([launched({ ...WEB, eni: 'eni-other', instance: 'i-other' }, 'sg-web')]);
  assert.deepEqual(covered(overlayConnections(cs, [WINDOW], membership)), ['eni-bare 198.51.100.4']);
  // A network ACL created in vpc-a is placed the same way.
  const acl = buildMembership([membershipRow('CreateNetworkAcl', { vpcId: 'vpc-a' }, { networkAcl: { networkAclId: 'acl-a', vpcId: 'vpc-a' } })]);
  assert.deepEqual(covered(overlayConnections(cs, [{ ...WINDOW, resource: 'acl-a', resourceType: 'network-acl' }], acl)), ['eni-bare 198.51.100.4']);
  // Without the group's VPC, the VPC is not compared.
  assert.deepEqual(covered(overlayConnections(cs, [WINDOW])).sort(), ['eni-bare 198.51.100.4', 'eni-vpc 198.51.100.3']);
});

test('membership: a member interface is covered (a REJECT on it blames an ACL); a known non-member never is', () => {
  const cs = connections(inbound(WEB, '198.51.100.1', '14:10'), inbound(WEB, '198.51.100.2', '14:20', 'REJECT'), inbound(DB, '198.51.100.3', '14:10'));
  const membership = buildMembership([launched(WEB, 'sg-web'), launched(DB, 'sg-db')]);
  const overlay = overlayConnections(cs, [WINDOW], membership);
  assert.deepEqual(covered(overlay), ['eni-web 198.51.100.1', 'eni-web 198.51.100.2']);
  const reasons = overlay.windows[0]!.connections.map((c) => overlay.windows[0]!.attribution.get(c));
  assert.deepEqual(
    reasons.map((r) => r?.basis),
    ['membership', 'membership'],
  );
  assert.equal(reasons[0]!.reason, 'eni-web carries sg-web since RunInstances at 2024-05-01T08:00:00Z');
  assert.match(reasons[1]!.reason, /rejected although the group admits it: a network ACL or another path blocked it/);
  assert.deepEqual(overlay.windows[0]!.excluded, []);
  assert.deepEqual(
    overlay.unexposed.map((u) => [u.connection.interfaceId, u.reason]),
    [['eni-db', 'accepted-without-exposure']],
  );
});

test('inference: an interface of unknown membership is credited only when it accepted a matching connection, with the reason', () => {
  const cs = connections(inbound(WEB, '192.0.2.9', '13:50', 'REJECT'), inbound(WEB, '198.51.100.1', '14:04'), inbound(DB, '10.1.2.3', '14:30', 'REJECT'));
  const narrow = { ...WINDOW, peerCidr: '203.0.113.0/24' }; // 10.1.2.3 is not a peer it admits: no contradiction
  const overlay = overlayConnections(cs, [narrow]);
  assert.deepEqual(covered(overlay), ['eni-web 198.51.100.1'], 'the probe before the window is outside it; db accepted nothing');
  assert.deepEqual(overlay.windows[0]!.attribution.get(overlay.windows[0]!.connections[0]!), {
    basis: 'inference',
    reason: 'first accepted inbound 8443 on eni-web 4 min after the rule opened; membership of sg-web unknown',
  });
  const acl = overlayConnections(cs, [{ ...narrow, resource: 'acl-1', resourceType: 'network-acl' }]);
  assert.match(acl.windows[0]!.attribution.get(acl.windows[0]!.connections[0]!)!.reason, /which interfaces acl-1 fronts is not in CloudTrail$/);
});

test('contradiction: a REJECT, after the rule opened, of a peer it admits excludes the interface — not before, not outside its CIDR, not for a listener', () => {
  const after = connections(inbound(WEB, '198.51.100.1', '14:10'), inbound(WEB, '192.0.2.9', '14:20', 'REJECT'));
  const overlay = overlayConnections(after, [WINDOW]);
  assert.deepEqual(covered(overlay), []);
  assert.deepEqual(overlay.windows[0]!.excluded, [
    {
      interfaceId: 'eni-web',
      reason:
        'a REJECT of 192.0.2.9 on 8443 at 2024-05-01T14:20:00Z although sg-web admits 0.0.0.0/0 (event open-1): the rule does not front eni-web, or a network ACL blocks it',
    },
  ]);
  assert.deepEqual(
    overlay.unexposed.map((u) => u.reason),
    ['contradicted-exposure', 'contradicted-exposure'],
  );

  const before = connections(inbound(WEB, '192.0.2.9', '13:59'), inbound(WEB, '198.51.100.1', '14:10'));
  before[0]!.action = 'REJECT';
  assert.deepEqual(covered(overlayConnections(before, [WINDOW])), ['eni-web 198.51.100.1'], 'a REJECT that began before the change is no contradiction');
  assert.deepEqual(
    covered(overlayConnections(after, [{ ...WINDOW, peerCidr: '198.51.100.0/24' }])),
    ['eni-web 198.51.100.1', 'eni-web 192.0.2.9'],
    'the rule never admitted 192.0.2.9',
  );
  const listener = { ...WINDOW, resource: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/x/1/2', resourceType: 'elbv2-listener' };
  assert.equal(
    overlayConnections(after, [listener]).windows[0]!.connections.length,
    2,
    "a listener's backends see the load balancer, not the client: no contradiction",
  );
});

test('a load-balancer target window covers the instance it names only', () => {
  const cs = connections(inbound(WEB, '10.0.9.9', '14:10'), inbound(DB, '10.0.9.9', '14:10'));
  const target = {
    ...WINDOW,
    resource: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/t/1',
    resourceType: 'elbv2-target-group',
    instanceIds: ['i-db'],
  };
  const overlay = overlayConnections(cs, [target]);
  assert.deepEqual(covered(overlay), ['eni-db 10.0.9.9']);
  assert.equal(overlay.windows[0]!.attribution.get(overlay.windows[0]!.connections[0]!)!.basis, 'resource');
});

const asOverlayWindow = (w: ExposureWindowLike) => w as OverlayWindow;

test('followOutbound: outbound connections after an external peer was accepted through an exposure fold into it; before, from a private peer, or with the option off, they do not', () => {
  const cs = connections(
    outbound(WEB, '198.51.100.77', '14:05'), // before the host was reached
    inbound(WEB, '198.51.100.23', '14:10'),
    outbound(WEB, '198.51.100.77', '14:20', 41001),
    inbound(DB, '10.0.0.99', '14:10'), // reached from inside the VPC only
    outbound(DB, '198.51.100.77', '14:20'),
  );
  const byRemoteAndTime = (rows: Record<string, unknown>[]) =>
    rows.map((r) => `${r['interface_id']} ${r['direction']} ${r['ts']} ${r['exposed_by'] ?? '-'} ${r['attribution'] ?? '-'}`);
  const folded = attributeConnections(cs, [asOverlayWindow(WINDOW)], { followOutbound: true }).rows;
  assert.deepEqual(byRemoteAndTime(folded), [
    'eni-web outbound 2024-05-01T14:05:00Z - -',
    'eni-db inbound 2024-05-01T14:10:00Z sg-web inference',
    'eni-web inbound 2024-05-01T14:10:00Z sg-web inference',
    'eni-db outbound 2024-05-01T14:20:00Z - -',
    'eni-web outbound 2024-05-01T14:20:00Z sg-web reached-then-outbound',
  ]);
  const plain = attributeConnections(cs, [asOverlayWindow(WINDOW)]).rows;
  assert.ok(plain.every((r) => r['direction'] !== 'outbound' || r['exposed_by'] === null));
});

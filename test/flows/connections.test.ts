import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConnections, handshakeOf, inferInterfaceAddresses, type FlowRow } from '../../src/flows/index.js';
import { inCidrs, parseCidr } from '../../src/flows/cidr.js';
import { readFlowLogFile } from '../../src/ingest/vpcflow/index.js';
import { corpusFile } from '../helpers/corpus.js';

const ENI = 'eni-0aaa';
const LOCAL = '10.0.0.5';
const REMOTE = '198.51.100.7';

function row(over: Partial<FlowRow>): FlowRow {
  return {
    interface_id: ENI,
    instance_id: 'i-0123',
    srcaddr: REMOTE,
    dstaddr: LOCAL,
    srcport: 50000,
    dstport: 8443,
    protocol: 6,
    packets: 3,
    bytes: 180,
    start: 1700000000,
    end: 1700000060,
    action: 'ACCEPT',
    log_status: 'OK',
    tcp_flags: null,
    flow_direction: null,
    ...over,
  };
}

// An inbound connection seen at the server's interface: request in, reply out.
const inboundRequest = row({});
const inboundReply = row({ srcaddr: LOCAL, dstaddr: REMOTE, srcport: 8443, dstport: 50000, packets: 2, bytes: 120 });
// An outbound connection from the same interface to a remote 8443: request out, reply in.
const outboundRequest = row({ srcaddr: LOCAL, dstaddr: '203.0.113.9', srcport: 40000, dstport: 8443, start: 1700000100, end: 1700000160 });
const outboundReply = row({ srcaddr: '203.0.113.9', dstaddr: LOCAL, srcport: 8443, dstport: 40000, start: 1700000100, end: 1700000160 });

test('inbound with flow-direction: the reply leaving the interface on srcport 8443 is part of it, not an outbound connection', () => {
  const cs = buildConnections([row({ flow_direction: 'ingress' }), { ...inboundReply, flow_direction: 'egress' }], { port: 8443 });
  assert.equal(cs.length, 1);
  const c = cs[0]!;
  assert.equal(c.direction, 'inbound');
  assert.equal(c.directionBasis, 'flow-direction');
  assert.deepEqual([c.remoteAddress, c.remotePort, c.localAddress, c.localPort], [REMOTE, 50000, LOCAL, 8443]);
  assert.deepEqual([c.requestRecords, c.replyRecords, c.requestBytes, c.replyBytes, c.bytes, c.packets], [1, 1, 180, 120, 300, 5]);
  assert.equal(c.action, 'ACCEPT');
  assert.equal(c.firstSeen, '2023-11-14T22:13:20Z');
  assert.equal(c.lastSeen, '2023-11-14T22:14:20Z');
  assert.equal(c.interfaceId, ENI);
  assert.equal(c.instanceId, 'i-0123');
});

test('outbound with flow-direction: local → remote 8443, the reply arriving is part of it', () => {
  const cs = buildConnections(
    [
      { ...outboundRequest, flow_direction: 'egress' },
      { ...outboundReply, flow_direction: 'ingress' },
    ],
    { port: 8443 },
  );
  assert.equal(cs.length, 1);
  assert.equal(cs[0]!.direction, 'outbound');
  assert.deepEqual([cs[0]!.remoteAddress, cs[0]!.remotePort, cs[0]!.localAddress, cs[0]!.localPort], ['203.0.113.9', 8443, LOCAL, 40000]);
});

test('without flow-direction: the VPC CIDRs decide; both directions on one interface are told apart', () => {
  const cs = buildConnections([inboundRequest, inboundReply, outboundRequest, outboundReply], { port: 8443, vpcCidrs: ['10.0.0.0/16'] });
  assert.equal(cs.length, 2);
  const [inbound, outbound] = cs;
  assert.equal(inbound!.direction, 'inbound');
  assert.equal(inbound!.directionBasis, 'vpc-cidr');
  assert.equal(inbound!.remoteAddress, REMOTE);
  assert.equal(outbound!.direction, 'outbound');
  assert.equal(outbound!.remoteAddress, '203.0.113.9');
});

test('without flow-direction or CIDRs: the interface address present in every record decides', () => {
  const rows = [inboundRequest, inboundReply, outboundRequest, outboundReply];
  const inferred = inferInterfaceAddresses(rows);
  assert.equal(inferred.get(ENI), LOCAL);
  const cs = buildConnections(rows, { port: 8443, inferredAddresses: inferred });
  assert.deepEqual(
    cs.map((c) => [c.direction, c.directionBasis]),
    [
      ['inbound', 'inferred-interface-address'],
      ['outbound', 'inferred-interface-address'],
    ],
  );
});

test('with one peer only and no other hint, the private side is the interface (default v2 records); two private peers stay unknown, client and server still told by the port', () => {
  const rows = [inboundRequest, inboundReply];
  assert.equal(inferInterfaceAddresses(rows).size, 0, 'two addresses in every record: ambiguous');
  const [c] = buildConnections(rows, { port: 8443, inferredAddresses: inferInterfaceAddresses(rows) });
  assert.equal(c!.direction, 'inbound');
  assert.equal(c!.directionBasis, 'private-address');
  assert.deepEqual([c!.remoteAddress, c!.localAddress], [REMOTE, LOCAL]);
  // Outbound: the private host called a public server on the port.
  const out = buildConnections([row({ srcaddr: LOCAL, dstaddr: REMOTE, srcport: 41000, dstport: 8443 })], { port: 8443 });
  assert.deepEqual([out[0]!.direction, out[0]!.directionBasis, out[0]!.remoteAddress], ['outbound', 'private-address', REMOTE]);

  const internal = [row({ srcaddr: '10.0.1.9', dstaddr: LOCAL }), row({ srcaddr: LOCAL, dstaddr: '10.0.1.9', srcport: 8443, dstport: 50000 })];
  const [u] = buildConnections(internal, { port: 8443, inferredAddresses: inferInterfaceAddresses(internal) });
  assert.equal(u!.direction, 'unknown');
  assert.equal(u!.directionBasis, 'none');
  assert.deepEqual([u!.client, u!.clientPort, u!.server, u!.serverPort], ['10.0.1.9', 50000, LOCAL, 8443]);
  assert.equal(u!.remoteAddress, null);
});

test('configured interface addresses beat the CIDRs (traffic inside the VPC)', () => {
  const internalReq = row({ srcaddr: '10.0.1.9', dstaddr: LOCAL });
  const internalRep = row({ srcaddr: LOCAL, dstaddr: '10.0.1.9', srcport: 8443, dstport: 50000 });
  const noHint = buildConnections([internalReq, internalRep], { port: 8443, vpcCidrs: ['10.0.0.0/16'] });
  assert.equal(noHint[0]!.direction, 'unknown', 'both ends inside the VPC: the CIDRs cannot say');
  const [c] = buildConnections([internalReq, internalRep], { port: 8443, vpcCidrs: ['10.0.0.0/16'], interfaceAddresses: { [ENI]: [LOCAL] } });
  assert.equal(c!.direction, 'inbound');
  assert.equal(c!.directionBasis, 'interface-address');
});

test('reply traffic alone (only the srcport-8443 records leaving) is still an inbound connection', () => {
  const [c] = buildConnections([inboundReply], { port: 8443, vpcCidrs: ['10.0.0.0/8'] });
  assert.equal(c!.direction, 'inbound');
  assert.equal(c!.requestRecords, 0);
  assert.equal(c!.replyRecords, 1);
  assert.equal(c!.action, 'ACCEPT', 'the reply action stands in when no request was seen');
});

test('probe vs handshake from tcp-flags (OR-ed per interval)', () => {
  assert.equal(handshakeOf(6, 2, 18), 'handshake');
  assert.equal(handshakeOf(6, 3, 19), 'handshake', 'SYN+FIN / SYN-ACK+FIN in one interval');
  assert.equal(handshakeOf(6, 2, null), 'syn-only');
  assert.equal(handshakeOf(6, 2, 4), 'reset');
  assert.equal(handshakeOf(6, 1, null), 'no-syn');
  assert.equal(handshakeOf(6, null, null), 'unknown');
  assert.equal(handshakeOf(17, 2, 18), 'not-tcp');

  const probe = buildConnections([row({ tcp_flags: 2, action: 'REJECT', packets: 1, bytes: 44, flow_direction: 'ingress' })], { port: 8443 });
  assert.equal(probe[0]!.handshake, 'syn-only');
  assert.equal(probe[0]!.action, 'REJECT');
  const full = buildConnections(
    [
      row({ tcp_flags: 2, flow_direction: 'ingress' }),
      row({ tcp_flags: 1, flow_direction: 'ingress', start: 1700000060, end: 1700000120 }),
      { ...inboundReply, tcp_flags: 18, flow_direction: 'egress' },
    ],
    { port: 8443 },
  );
  assert.equal(full.length, 1);
  assert.equal(full[0]!.handshake, 'handshake');
  assert.equal(full[0]!.requestFlags, 3);
  assert.equal(full[0]!.lastSeen, '2023-11-14T22:15:20Z');
});

test('accepted and rejected records of one connection make MIXED; NODATA/SKIPDATA and other ports are ignored', () => {
  const cs = buildConnections(
    [
      row({ action: 'ACCEPT' }),
      row({ action: 'REJECT', start: 1700000060, end: 1700000120 }),
      row({ dstport: 22 }),
      row({ log_status: 'NODATA', srcaddr: null, dstaddr: null, srcport: null, dstport: null }),
    ],
    { port: 8443 },
  );
  assert.equal(cs.length, 1);
  assert.equal(cs[0]!.action, 'MIXED');
  assert.equal(cs[0]!.records, 2);
});

test('NAT / load balancer: the remote original address comes from pkt-srcaddr', () => {
  const [c] = buildConnections([row({ srcaddr: '10.0.0.220', pkt_srcaddr: '203.0.113.5', pkt_dstaddr: LOCAL, flow_direction: 'ingress' })], { port: 8443 });
  assert.equal(c!.remoteAddress, '10.0.0.220');
  assert.equal(c!.remotePacketAddress, '203.0.113.5');
});

test('CIDR helper: IPv4 and IPv6, bad input matches nothing', () => {
  const cidrs = ['10.0.0.0/16', '2001:db8:1234:a100::/56'].map((c) => parseCidr(c)!);
  assert.ok(inCidrs('10.0.255.1', cidrs));
  assert.ok(!inCidrs('10.1.0.1', cidrs));
  assert.ok(inCidrs('2001:db8:1234:a100:8d6e:3477:df66:f105', cidrs));
  assert.ok(!inCidrs('2001:db8:1234:b100::1', cidrs));
  assert.ok(!inCidrs('not-an-ip', cidrs));
  assert.ok(!inCidrs(null, cidrs));
  assert.equal(parseCidr('10.0.0.0/33'), null);
  assert.equal(parseCidr('1.2.3'), null);
  assert.ok(inCidrs('::ffff:10.0.0.1', [parseCidr('::ffff:10.0.0.0/120')!]));
});

test('corpus: the AWS tcp-flags example gives three inbound handshakes to port 5001 (flows in both directions, no flow-direction field)', async (t) => {
  const path = corpusFile(t, 'vpcflow/awsdocs/custom-v3-tcp-flags.log');
  if (!path) return;
  const rows: FlowRow[] = [];
  for await (const batch of readFlowLogFile(path)) for (const r of batch) rows.push(r.values as unknown as FlowRow);
  const cs = buildConnections(rows, { port: 5001, vpcCidrs: ['10.0.0.0/16'] });
  assert.equal(cs.length, 3);
  assert.ok(cs.every((c) => c.direction === 'inbound' && c.remoteAddress === '52.213.180.42' && c.localPort === 5001));
  assert.ok(cs.every((c) => c.handshake === 'handshake'));
  const big = cs.find((c) => c.clientPort === 43418)!;
  assert.equal(big.records, 4);
  assert.equal(big.requestBytes, 100701 + 23294588);
  assert.equal(big.replyBytes, 632 + 63388);
  // One peer only: both addresses are in every record, so without the CIDRs no address is inferred;
  // the private side (10.0.0.62) is still the interface's.
  assert.equal(inferInterfaceAddresses(rows).size, 0);
  assert.ok(
    buildConnections(rows, { port: 5001 }).every((c) => c.direction === 'inbound' && c.directionBasis === 'private-address' && c.server === '10.0.0.62'),
  );
});

test('corpus: the v5 S3 example (flow-direction present) is an outbound connection to remote port 80, not an inbound one', async (t) => {
  const path = corpusFile(t, 'vpcflow/awsdocs/custom-v5-traffic-path.log');
  if (!path) return;
  const rows: FlowRow[] = [];
  for await (const batch of readFlowLogFile(path)) for (const r of batch) rows.push(r.values as unknown as FlowRow);
  const cs = buildConnections(rows, { port: 80 });
  assert.equal(cs.length, 1);
  assert.equal(cs[0]!.direction, 'outbound');
  assert.equal(cs[0]!.directionBasis, 'flow-direction');
  assert.equal(cs[0]!.remoteAddress, '52.95.128.179');
  assert.equal(cs[0]!.handshake, 'handshake');
  assert.deepEqual([cs[0]!.requestBytes, cs[0]!.replyBytes], [471, 15044]);
});

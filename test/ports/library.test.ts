import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  carriesPorts,
  cidrContains,
  cidrReach,
  formatAddress,
  formatCidr,
  isInternetCidr,
  meaningMatchesPort,
  parseCidr,
  parseIPv4,
  parseIPv6,
  parsePort,
  parseProtocol,
  portsMeaning,
  judgePeer,
  changeMatchesPort,
} from '../../src/ports/index.js';

test('protocols: names, numbers, -1/all, unknown', () => {
  assert.equal(parseProtocol('-1'), 'all');
  assert.equal(parseProtocol(-1), 'all');
  assert.equal(parseProtocol('all'), 'all');
  assert.equal(parseProtocol('ALL'), 'all');
  assert.equal(parseProtocol('6'), 'tcp');
  assert.equal(parseProtocol(17), 'udp');
  assert.equal(parseProtocol('TCP'), 'tcp');
  assert.equal(parseProtocol('1'), 'icmp');
  assert.equal(parseProtocol('58'), 'icmpv6');
  assert.equal(parseProtocol('47'), 'gre');
  assert.equal(parseProtocol('4'), '4');
  assert.equal(parseProtocol('256'), undefined);
  assert.equal(parseProtocol('http'), undefined);
  assert.equal(parseProtocol(null), undefined);
  assert.equal(carriesPorts('gre'), false);
  assert.equal(carriesPorts('icmp'), false);
  assert.equal(carriesPorts('udp'), true);
});

test('ports: numbers or strings, 0..65535 only', () => {
  assert.equal(parsePort(8443), 8443);
  assert.equal(parsePort('8443'), 8443);
  assert.equal(parsePort(' 22 '), 22);
  assert.equal(parsePort(65536), undefined);
  assert.equal(parsePort(-1), undefined);
  assert.equal(parsePort('84.43'), undefined);
  assert.equal(parsePort('...'), undefined);
  assert.equal(parsePort(8443.5), undefined);
});

test('ports meaning: inclusive ranges, all-traffic, ICMP type/code are not ports', () => {
  const m = (protocol: string, from: unknown, to: unknown) => portsMeaning(parseProtocol(protocol)!, from, to);
  assert.deepEqual(m('tcp', 8000, 9000), { kind: 'range', range: { from: 8000, to: 9000 } });
  assert.ok(meaningMatchesPort(m('tcp', 8000, 9000), 8443));
  assert.ok(meaningMatchesPort(m('tcp', 8443, 8443), 8443));
  assert.ok(!meaningMatchesPort(m('tcp', 8444, 9000), 8443));
  assert.ok(!meaningMatchesPort(m('tcp', 18443, 18443), 8443));
  assert.ok(meaningMatchesPort(m('tcp', '8443', '8443'), 8443), 'ports as strings');
  assert.deepEqual(m('-1', 22, 22), { kind: 'all' }, 'AWS ignores ports on all-traffic rules');
  assert.deepEqual(m('tcp', -1, -1), { kind: 'all' });
  assert.deepEqual(m('tcp', undefined, undefined), { kind: 'all' });
  assert.equal(m('icmp', 8, -1).kind, 'none', 'icmp fromPort 8 is echo request, not port 8');
  assert.ok(!meaningMatchesPort(m('icmp', 8, -1), 8));
  assert.ok(!meaningMatchesPort(m('58', 128, 0), 128));
  assert.ok(!meaningMatchesPort(m('47', 22, 22), 22), 'GRE has no ports');
  assert.deepEqual(m('sctp', 22, 22), { kind: 'all' }, 'AWS enforces ranges for tcp/udp only');
});

test('property: a tcp range matches exactly the ports between its ends (any order, numbers or strings)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      fc.boolean(),
      (a, b, port, asText) => {
        const meaning = portsMeaning('tcp', asText ? String(a) : a, asText ? String(b) : b);
        const expected = Math.min(a, b) <= port && port <= Math.max(a, b);
        return meaningMatchesPort(meaning, port) === expected;
      },
    ),
  );
});

test('property: all-traffic matches every port whatever from/to say; icmp matches none', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -1, max: 65535 }),
      fc.integer({ min: -1, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      (from, to, port) =>
        meaningMatchesPort(portsMeaning('all', from, to), port) &&
        !meaningMatchesPort(portsMeaning('icmp', from, to), port) &&
        !meaningMatchesPort(portsMeaning('icmpv6', from, to), port),
    ),
  );
});

test('property: changeMatchesPort agrees with the meaning it was built from', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('tcp', 'udp', 'all', 'icmp', 'gre', 'sctp'),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      (protocol, a, b, port) => {
        const meaning = portsMeaning(protocol, a, b);
        const range = meaning.kind === 'range' ? meaning.range : null;
        return changeMatchesPort({ protocol, fromPort: range?.from ?? null, toPort: range?.to ?? null }, port) === meaningMatchesPort(meaning, port);
      },
    ),
  );
});

test('IPv4 parsing: strict dotted quads', () => {
  assert.equal(parseIPv4('0.0.0.0'), 0n);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffffn);
  assert.equal(parseIPv4('256.0.0.1'), undefined);
  assert.equal(parseIPv4('01.2.3.4'), undefined, 'leading zeros are ambiguous (octal)');
  assert.equal(parseIPv4('1.2.3'), undefined);
  assert.equal(parseIPv4('...'), undefined);
});

test('IPv6 parsing: compression, embedded IPv4, invalid forms', () => {
  assert.equal(parseIPv6('::'), 0n);
  assert.equal(parseIPv6('::1'), 1n);
  assert.equal(parseIPv6('2001:db8::1'), 0x20010db8000000000000000000000001n);
  assert.equal(parseIPv6('::ffff:1.2.3.4'), 0xffff01020304n);
  assert.equal(parseIPv6('1::2::3'), undefined);
  assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(parseIPv6('12345::'), undefined);
  assert.equal(parseIPv6('fe80::1%eth0'), undefined);
});

test('property: IPv4 and IPv6 addresses round-trip through format/parse', () => {
  fc.assert(fc.property(fc.ipV4(), (ip) => formatAddress(4, parseIPv4(ip)!) === ip));
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const value = parseIPv6(ip);
      return value !== undefined && parseIPv6(formatAddress(6, value)) === value;
    }),
  );
});

test('CIDRs: host bits are masked like AWS does, not rejected', () => {
  const c = parseCidr('208.236.235.254/0')!;
  assert.equal(formatCidr(c), '0.0.0.0/0');
  assert.equal(c.hostBitsSet, true);
  assert.equal(cidrReach(c), 'anywhere');
  assert.equal(formatCidr(parseCidr('10.1.2.3/8')!), '10.0.0.0/8');
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('::/129'), undefined);
  assert.equal(parseCidr('0.0.0.0/16')!.prefix, 16);
  assert.equal(formatCidr(parseCidr('1.2.3.4')!), '1.2.3.4/32');
});

test('CIDR reach and the internet-exposure threshold', () => {
  const reach = (t: string) => cidrReach(parseCidr(t)!);
  assert.equal(reach('0.0.0.0/0'), 'anywhere');
  assert.equal(reach('::/0'), 'anywhere');
  assert.equal(reach('0.0.0.0/1'), 'broad-public');
  assert.equal(reach('128.0.0.0/1'), 'broad-public');
  assert.equal(reach('3.0.0.0/8'), 'broad-public');
  assert.equal(reach('3.0.0.0/9'), 'public');
  assert.equal(reach('2000::/3'), 'broad-public');
  assert.equal(reach('2600:1f00::/24'), 'public');
  assert.equal(reach('84.28.12.2/32'), 'public');
  assert.equal(reach('10.0.0.0/8'), 'private');
  assert.equal(reach('172.16.0.0/12'), 'private');
  assert.equal(reach('0.0.0.0/16'), 'private', '0.0.0.0/8 is "this network", not the internet');
  assert.equal(reach('fc00::/7'), 'private');
  assert.equal(reach('203.0.113.0/24'), 'private', 'documentation range');
  assert.equal(isInternetCidr(parseCidr('72.21.196.64/29')!), false);
});

test('property: a CIDR contains every narrower CIDR built from its own network', () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), (ip, p1, p2) => {
      const [wide, narrow] = [Math.min(p1, p2), Math.max(p1, p2)];
      return cidrContains(parseCidr(`${ip}/${wide}`)!, parseCidr(`${ip}/${narrow}`)!);
    }),
  );
});

test('property: internet exposure is monotonic — widening a CIDR never makes it less exposed', () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
      const narrow = parseCidr(`${ip}/${prefix}`)!;
      if (!isInternetCidr(narrow)) return true;
      return Array.from({ length: prefix + 1 }, (_, p) => isInternetCidr(parseCidr(`${ip}/${p}`)!)).every(Boolean);
    }),
  );
});

test('non-CIDR peers are never called internet-exposed, and say why', () => {
  const pl = judgePeer({ kind: 'prefix-list', value: 'pl-12345678' });
  assert.equal(pl.internetExposed, false);
  assert.match(pl.reason, /prefix list pl-12345678/);
  const sg = judgePeer({ kind: 'security-group', value: 'sg-0123' });
  assert.equal(sg.internetExposed, false);
  assert.match(sg.reason, /security group sg-0123/);
  assert.equal(judgePeer({ kind: 'any', value: '*' }).internetExposed, false);
  assert.equal(judgePeer({ kind: 'any', value: '*' }, true).internetExposed, true);
  assert.equal(judgePeer({ kind: 'cidr', value: 'not-a-cidr' }).internetExposed, false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EC2_RULE_OPTIONS,
  PACKET_OPTIONS,
  addressInPrefixes,
  bigIntToWords,
  formatAddress,
  formatPrefix,
  parseAddress,
  parsePrefix,
  prefixCovers,
  wordsToBigInt,
} from '../../src/net/address.js';
import { isNonGlobal } from '../../src/net/special.js';

const prefix = (text: string, options = {}) => {
  const r = parsePrefix(text, options);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.reason}`);
  return r;
};

test('host bits: note (feeds), mask (EC2), reject (trusted networks)', () => {
  const noted = prefix('10.1.2.3/8');
  assert.equal(formatPrefix(noted.value), '10.0.0.0/8');
  assert.equal(noted.note, 'host bits set in 10.1.2.3/8, masked');
  assert.equal(noted.hostBitsSet, true);
  const masked = prefix('208.236.235.254/0', { hostBits: 'mask' });
  assert.equal(formatPrefix(masked.value), '0.0.0.0/0');
  assert.equal(masked.note, undefined);
  assert.equal(masked.hostBitsSet, true);
  const rejected = parsePrefix('10.1.2.3/8', { hostBits: 'reject' });
  assert.deepEqual(rejected, { ok: false, reason: 'host bits set; did you mean 10.0.0.0/8?' });
  assert.equal(prefix('10.0.0.0/8').hostBitsSet, false);
});

test('IPv4-mapped: judged as IPv4 by default, kept IPv6 for rules and packets', () => {
  assert.equal(formatPrefix(prefix('::ffff:10.0.0.0/104').value), '10.0.0.0/8');
  const kept = prefix('::ffff:0:0/96', EC2_RULE_OPTIONS);
  assert.equal(formatPrefix(kept.value), '::ffff:0:0/96');
  assert.equal(kept.value.family, 6);
  assert.equal(isNonGlobal(kept.value), true);
});

test('zone ids: stripped by default, rejected in rules', () => {
  const r = parseAddress('fe80::1%eth0');
  assert.ok(r.ok);
  assert.equal(formatAddress(r.value), 'fe80::1');
  assert.deepEqual(parseAddress('fe80::1%eth0', { zone: 'reject' }), { ok: false, reason: 'zone id "%eth0" is not allowed here' });
  assert.equal(parsePrefix('fe80::1%eth0/64', EC2_RULE_OPTIONS).ok, false);
  assert.equal(parsePrefix('fe80::1%eth0/64', PACKET_OPTIONS).ok, true);
});

test('prefix lengths with leading zeros: rejected unless lenient', () => {
  assert.deepEqual(parsePrefix('10.0.0.0/08'), { ok: false, reason: 'bad prefix length "08"' });
  assert.equal(prefix('0.0.0.0/00', EC2_RULE_OPTIONS).value.length, 0);
  assert.equal(parsePrefix('0.0.0.0/0000', EC2_RULE_OPTIONS).ok, false);
});

test('a dotted IPv4 part only at the end of an IPv6 address', () => {
  assert.deepEqual(parseAddress('1.2.3.4::'), { ok: false, reason: 'bad group "1.2.3.4"' });
  assert.ok(parseAddress('::1.2.3.4').ok);
  assert.ok(parseAddress('1:2:3:4:5:6:1.2.3.4').ok);
});

// The deliberate differences from the three parsers src/net replaced (docs/net.md), for every caller.
test('the merge\'s deliberate choices hold for every caller: brackets, spaces before "/", leading-zero octets, one "/"', () => {
  for (const options of [{}, EC2_RULE_OPTIONS, PACKET_OPTIONS]) {
    assert.ok(parseAddress('[2001:db8::1]', options).ok, 'brackets are understood');
    assert.equal(formatPrefix(prefix('10.0.0.0 /8', options).value), '10.0.0.0/8');
    assert.equal(parseAddress('010.0.0.1', options).ok, false, 'a leading-zero octet is ambiguous (octal?)');
    assert.equal(parsePrefix('10.0.0.0/8/9', options).ok, false, 'a CIDR has one "/"');
  }
});

test('containment helpers', () => {
  const vpc = [prefix('10.0.0.0/16').value, prefix('2001:db8:1234:a100::/56').value];
  assert.ok(addressInPrefixes('10.0.255.1', vpc));
  assert.ok(!addressInPrefixes('10.1.0.1', vpc));
  assert.ok(addressInPrefixes('2001:db8:1234:a100:8d6e:3477:df66:f105', vpc));
  assert.ok(!addressInPrefixes('not-an-ip', vpc));
  assert.ok(!addressInPrefixes(null, vpc));
  assert.ok(prefixCovers(prefix('10.0.0.0/8').value, prefix('10.1.0.0/16').value));
  assert.ok(!prefixCovers(prefix('10.1.0.0/16').value, prefix('10.0.0.0/8').value));
});

test('property: words and bigints round-trip; formatting round-trips', () => {
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      const r = parseAddress(ip);
      return r.ok && formatAddress(r.value) === ip && wordsToBigInt(bigIntToWords(4, wordsToBigInt(r.value.words))) === wordsToBigInt(r.value.words);
    }),
  );
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const r = parseAddress(ip, { mapped: 'keep' });
      if (!r.ok) return false;
      const again = parseAddress(formatAddress(r.value), { mapped: 'keep' });
      return (
        again.ok &&
        wordsToBigInt(again.value.words) === wordsToBigInt(r.value.words) &&
        bigIntToWords(6, wordsToBigInt(r.value.words)).join() === r.value.words.join()
      );
    }),
  );
});

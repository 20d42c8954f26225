import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress, formatPrefix, parseAddress, parsePrefix } from '../../src/intel/address.js';

test('IPv4: strict dotted quads', () => {
  for (const ok of ['0.0.0.0', '255.255.255.255', '81.2.69.142', ' 10.0.0.1 ']) {
    const r = parseAddress(ok);
    assert.ok(r.ok, ok);
    assert.equal(formatAddress(r.value), ok.trim());
  }
  for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '08.1.250.216', '1.2.3.-1', '1.2.3.4 ', 'abc', '', '1..2.3']) {
    if (bad === '1.2.3.4 ') continue; // trimmed: fine
    const r = parseAddress(bad);
    assert.equal(r.ok, false, bad);
  }
  const zero = parseAddress('251.234.045.249');
  assert.ok(!zero.ok && /leading zero/.test(zero.reason));
});

test('IPv6: compression, embedded IPv4, zones, brackets, canonical output', () => {
  const cases: Array<[string, string]> = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2600:1f18::1]', '2600:1f18::1'],
    ['2001:db8:0:1:0:0:0:0', '2001:db8:0:1::'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ];
  for (const [input, canonical] of cases) {
    const r = parseAddress(input);
    assert.ok(r.ok, input);
    assert.equal(r.value.family, 6);
    assert.equal(formatAddress(r.value), canonical);
  }
  for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':1', 'g::1', '1:2:3:4:5:6:7::8:9', '::1.2.3']) {
    assert.equal(parseAddress(bad).ok, false, bad);
  }
});

test('IPv4-mapped IPv6 becomes IPv4 with a note', () => {
  const r = parseAddress('::ffff:81.2.69.142');
  assert.ok(r.ok);
  assert.equal(r.value.family, 4);
  assert.equal(formatAddress(r.value), '81.2.69.142');
  assert.match(r.note ?? '', /IPv4-mapped/);
  const p = parsePrefix('::ffff:10.0.0.0/104');
  assert.ok(p.ok);
  assert.equal(formatPrefix(p.value), '10.0.0.0/8');
});

test('prefixes: lengths, host bits masked or rejected', () => {
  const masked = parsePrefix('10.1.2.3/8');
  assert.ok(masked.ok);
  assert.equal(formatPrefix(masked.value), '10.0.0.0/8');
  assert.match(masked.note ?? '', /host bits/);
  const strict = parsePrefix('10.1.2.3/8', { strict: true });
  assert.ok(!strict.ok && /did you mean 10\.0\.0\.0\/8/.test(strict.reason));
  assert.equal(parsePrefix('10.0.0.0/33').ok, false);
  assert.equal(parsePrefix('2001:db8::/129').ok, false);
  assert.equal(parsePrefix('10.0.0.0/08').ok, false);
  const host = parsePrefix('2001:db8::1');
  assert.ok(host.ok);
  assert.equal(host.value.length, 128);
  const all = parsePrefix('0.0.0.0/0');
  assert.ok(all.ok);
  assert.equal(formatPrefix(all.value), '0.0.0.0/0');
});

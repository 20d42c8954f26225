import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternError, extractPatternIps } from '../../src/intel/stix-pattern.js';

const values = (p: string) => extractPatternIps(p).map((h) => `${h.value}${h.partial ? ' (partial)' : ''}`);

test('STIX patterns: = and ISSUBSET on ipv4/ipv6 values', () => {
  assert.deepEqual(values("[ipv4-addr:value = '10.0.0.0']"), ['10.0.0.0']);
  assert.deepEqual(values("[ipv4-addr:value ISSUBSET '223.166.0.0/15']"), ['223.166.0.0/15']);
  assert.deepEqual(values("[ipv6-addr:value = '2001:db8::1']"), ['2001:db8::1']);
  assert.deepEqual(values("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]"), ['192.0.2.1', '192.0.2.2']);
});

test('STIX patterns: OR compounds, observation operators, qualifiers', () => {
  assert.deepEqual(values("[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = '192.0.2.2']"), ['192.0.2.1', '192.0.2.2']);
  assert.deepEqual(values("[ipv4-addr:value = '192.0.2.1'] OR [ipv6-addr:value = '2001:db8::2']"), ['192.0.2.1', '2001:db8::2']);
  assert.deepEqual(values("([ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [file:name = 'x']) WITHIN 60 SECONDS"), ['192.0.2.1 (partial)']);
  assert.deepEqual(values("[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'"), ['192.0.2.1']);
});

test('STIX patterns: AND marks the IP partial, type guards do not, negations are never indicators', () => {
  assert.deepEqual(values("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '5.6.7.8']"), ['5.6.7.8']);
  assert.deepEqual(values("[network-traffic:dst_ref.value = '5.6.7.8' AND network-traffic:dst_port = 8443]"), ['5.6.7.8 (partial)']);
  assert.deepEqual(values("[domain-name:value = 'circl.lu' AND domain-name:resolves_to_refs[*].value = '149.13.33.14']"), ['149.13.33.14 (partial)']);
  assert.deepEqual(values("[ipv4-addr:value != '192.0.2.1']"), []);
  assert.deepEqual(values("[ipv4-addr:value NOT = '192.0.2.1']"), []);
  assert.deepEqual(values("[file:hashes.'SHA-256' = 'ef53']"), []);
  assert.deepEqual(values("[(ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = '192.0.2.2') AND ipv4-addr:value = '192.0.2.3']"), [
    '192.0.2.1 (partial)',
    '192.0.2.2 (partial)',
    '192.0.2.3 (partial)',
  ]);
  assert.deepEqual(values("[ipv4-addr:value = 'it\\'s']"), ["it's"]);
});

test('STIX patterns: syntax errors throw PatternError', () => {
  for (const bad of [
    "[ipv4-addr:value = '1.2.3.4'",
    "ipv4-addr:value = '1.2.3.4'",
    '[ipv4-addr:value = ]',
    "[ipv4-addr:value = '1.2.3.4'] junk",
    "[ipv4-addr:value = 'x",
    "[ = '1']",
  ]) {
    assert.throws(() => extractPatternIps(bad), PatternError, bad);
  }
});

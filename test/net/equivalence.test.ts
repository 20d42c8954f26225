/**
 * The merged address module (src/net) against the three parsers it replaced, kept frozen in
 * test/net/legacy/. Random valid and invalid strings go through the old parser and the new one
 * (with the options its old caller now uses); they must agree on accept/reject and on the value
 * (and for intel on the reason and note, byte for byte), except for the deliberate differences in
 * DIFFERENCES below (also in docs/net.md). Each listed difference must also show up on its own
 * example, so the list cannot go stale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as legacyIntel from './legacy/intel-address.js';
import * as legacyPorts from './legacy/ports-cidr.js';
import * as legacyFlows from './legacy/flows-cidr.js';
import { SPECIAL_RANGES as LEGACY_SPECIAL } from './legacy/intel-special.js';
import {
  EC2_RULE_OPTIONS,
  PACKET_OPTIONS,
  STRICT_OPTIONS,
  formatPrefix,
  parseAddress,
  parsePrefix,
  prefixContains,
  prefixCovers,
  wordsToBigInt,
  type PrefixResult,
} from '../../src/net/address.js';
import { NON_GLOBAL_RANGES, SPECIAL_RANGES } from '../../src/net/special.js';
import * as portsAdapter from '../../src/ports/cidr.js';
import * as flowsAdapter from '../../src/flows/cidr.js';
import * as intelAdapter from '../../src/intel/address.js';

type Old = 'intel' | 'ports' | 'flows';

interface Difference {
  readonly id: string;
  /** Which old parser disagrees. */
  readonly old: readonly Old[];
  readonly why: string;
  readonly applies: (text: string) => boolean;
  readonly example: string;
}

const addressPart = (text: string) => {
  const t = text.trim();
  const slash = t.indexOf('/');
  return slash >= 0 ? t.slice(0, slash) : t;
};

/** The allow-list. Keep it short and keep docs/net.md in step. */
export const DIFFERENCES: readonly Difference[] = [
  {
    id: 'ipv4-tail-only-at-end',
    old: ['intel'],
    why: 'a dotted IPv4 part is only valid as the last two groups (RFC 4291 2.2); intel accepted it before "::" (1.2.3.4::)',
    applies: (t) => [t, addressPart(t)].some((s) => {
      const a = s.trim().split('%')[0]!;
      return a.includes('::') && /\.[^:]*:/.test(a);
    }),
    example: '1.2.3.4::',
  },
  {
    id: 'brackets',
    old: ['ports', 'flows'],
    why: '[v6] brackets (as in URLs and some logs) are understood everywhere, as intel always did',
    applies: (t) => /^\s*\[/.test(addressPart(t)) || addressPart(t).trim().startsWith('['),
    example: '[2001:db8::1]',
  },
  {
    id: 'space-before-slash',
    old: ['ports'],
    why: 'spaces around the address part of a CIDR are trimmed ("10.0.0.0 /8"), as intel and flows did',
    applies: (t) => {
      const a = addressPart(t);
      return a !== a.trim();
    },
    example: '10.0.0.0 /8',
  },
  {
    id: 'octet-leading-zero',
    old: ['flows'],
    why: 'an octet with a leading zero (010) is octal to some stacks and decimal to others: rejected, as intel and ports did',
    applies: (t) => /(?:^|[.:\s[])0[0-9]/.test(addressPart(t)) && addressPart(t).includes('.'),
    example: '010.0.0.1',
  },
  {
    id: 'one-slash',
    old: ['flows'],
    why: 'a CIDR has one "/"; flows ignored everything after a second one (10.0.0.0/8/junk)',
    applies: (t) => t.split('/').length > 2,
    example: '10.0.0.0/8/9',
  },
];

function differencesFor(old: Old, text: string): Difference[] {
  return DIFFERENCES.filter((d) => d.old.includes(old) && d.applies(text));
}

// ---------------------------------------------------------------------------------------------
// What each old parser returned, and the same shape computed from the new one.

const stripHostBits = (r: PrefixResult) => {
  if (!r.ok) return r;
  const { hostBitsSet: _ignored, ...rest } = r;
  return rest;
};

function portsNew(text: string): legacyPorts.Cidr | undefined {
  const r = parsePrefix(text, EC2_RULE_OPTIONS);
  if (!r.ok) return undefined;
  return { version: r.value.family, network: wordsToBigInt(r.value.words), prefix: r.value.length, hostBitsSet: r.hostBitsSet };
}

function flowsOld(text: string): { family: 4 | 6; base: bigint; mask: bigint } | null {
  const c = legacyFlows.parseCidr(text);
  return c === null ? null : { family: c.family, base: c.base, mask: c.mask };
}

function flowsNew(text: string): { family: 4 | 6; base: bigint; mask: bigint } | null {
  const r = parsePrefix(text, PACKET_OPTIONS);
  if (!r.ok) return null;
  const width = r.value.family === 4 ? 32 : 128;
  const all = (1n << BigInt(width)) - 1n;
  const mask = r.value.length === 0 ? 0n : (all << BigInt(width - r.value.length)) & all;
  return { family: r.value.family, base: wordsToBigInt(r.value.words), mask };
}

function flowsIpNew(text: string): { family: 4 | 6; value: bigint } | null {
  const r = parseAddress(text, { mapped: 'keep' });
  return r.ok ? { family: r.value.family, value: wordsToBigInt(r.value.words) } : null;
}

/** Every comparison for one input: [old parser, what it checks, agrees?]. */
function compare(text: string): Array<[Old, string, boolean]> {
  const same = (a: unknown, b: unknown) => {
    try {
      assert.deepStrictEqual(a, b);
      return true;
    } catch {
      return false;
    }
  };
  return [
    ['intel', 'parseAddress', same(parseAddress(text), legacyIntel.parseAddress(text))],
    ['intel', 'parsePrefix', same(stripHostBits(parsePrefix(text)), legacyIntel.parsePrefix(text))],
    ['intel', 'parsePrefix strict', same(stripHostBits(parsePrefix(text, STRICT_OPTIONS)), legacyIntel.parsePrefix(text, { strict: true }))],
    ['ports', 'parseCidr', same(portsNew(text), legacyPorts.parseCidr(text))],
    ['flows', 'parseCidr', same(flowsNew(text), flowsOld(text))],
    ['flows', 'parseIp', same(flowsIpNew(text), legacyFlows.parseIp(text))],
  ];
}

function check(text: string): void {
  for (const [old, what, agrees] of compare(text)) {
    if (agrees) continue;
    const allowed = differencesFor(old, text);
    assert.ok(allowed.length > 0, `${old} ${what} disagrees on ${JSON.stringify(text)} and no listed difference applies`);
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs: valid addresses and CIDRs, decorated and mutated, and random strings over the alphabet
// parsers care about.

const octet = fc.integer({ min: 0, max: 255 }).map(String);
const v4 = fc.oneof(fc.ipV4(), fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')));
const v6 = fc.oneof(fc.ipV6(), v4.map((a) => `::ffff:${a}`), v4.map((a) => `64:ff9b::${a}`));
const length = fc.oneof(fc.integer({ min: 0, max: 130 }).map(String), fc.constantFrom('', '08', '00', '032', '0128', '-1', '1e1', ' 8', 'x'));
const decorate = (address: string) =>
  fc
    .record({
      slash: fc.option(length, { nil: undefined }),
      zone: fc.constantFrom('', '', '', '%eth0', '%', '%1'),
      brackets: fc.boolean(),
      spaceIn: fc.constantFrom('', '', '', ' '),
      spaceOut: fc.constantFrom('', '', ' ', '\t'),
      leadingZero: fc.boolean(),
      extraSlash: fc.constantFrom('', '', '', '/9', '/'),
    })
    .map((d) => {
      let a = address;
      if (d.leadingZero) a = a.replace(/(^|[.:])(\d)/, '$10$2');
      if (d.zone && a.includes(':')) a += d.zone;
      if (d.brackets) a = `[${a}]`;
      const cidr = d.slash === undefined ? a : `${a}${d.spaceIn}/${d.slash}${d.extraSlash}`;
      return `${d.spaceOut}${cidr}${d.spaceOut}`;
    });
const valid = fc.oneof(v4, v6).chain(decorate);

const alphabet = '0123456789abcdefABCDEFx.:/%[] '.split('');
const randomText = fc.array(fc.constantFrom(...alphabet), { maxLength: 48 }).map((cs) => cs.join(''));

const mutate = (text: string) =>
  fc.tuple(fc.nat(), fc.constantFrom(...alphabet, ''), fc.constantFrom('insert', 'replace', 'delete')).map(([at, ch, how]) => {
    const i = text.length === 0 ? 0 : at % (text.length + 1);
    if (how === 'insert') return text.slice(0, i) + ch + text.slice(i);
    if (how === 'replace') return text.slice(0, i) + ch + text.slice(i + 1);
    return text.slice(0, i) + text.slice(i + 1);
  });
const mutated = valid.chain(mutate);

const RUNS = Number(process.env.NET_EQUIVALENCE_RUNS ?? 20_000);

test('equivalence: valid addresses and CIDRs (decorated) agree with the old parsers', () => {
  fc.assert(fc.property(valid, (text) => check(text)), { numRuns: RUNS });
});

test('equivalence: mutated addresses agree with the old parsers', () => {
  fc.assert(fc.property(mutated, (text) => check(text)), { numRuns: RUNS });
});

test('equivalence: random strings agree with the old parsers', () => {
  fc.assert(fc.property(randomText, (text) => check(text)), { numRuns: RUNS });
});

test('equivalence: fixed edge cases', () => {
  const cases = [
    '', ' ', '/', '::', ':::', '::/0', '0.0.0.0/0', '208.236.235.254/0', '10.1.2.3/8', '10.0.0.0/33', '::/129',
    '1.2.3', '1.2.3.4.5', '256.1.1.1', '08.1.250.216', '251.234.045.249', '1..2.3', '1::2::3', '12345::', ':1', '1:',
    'g::1', '::1.2.3', '::ffff:1.2.3.4', '::ffff:10.0.0.0/104', '::ffff:10.0.0.0/95', '::ffff:0:0/96', '::ffff:1.2.3.4/128',
    'fe80::1%eth0', 'fe80::1%eth0/64', '[2600:1f18::1]', '[::1]/128', '1.2.3.4%eth0', '64:ff9b::192.0.2.33',
    'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', '0000:0000:0000:0000:0000:0000:255.255.255.255/128',
    '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '10.0.0.0/08', '10.0.0.0/008', '10.0.0.0/0008',
    '10.0.0.0 /8', '10.0.0.0/ 8', ' 10.0.0.0/8 ', '1.2.3.4::', '1.2.3.4::5', '1.2.3.256::', '010.0.0.1', '10.0.0.0/8/9',
    'ff02::1:ff00:0/104', '2001:DB8::/32', 'fe80::%', '[]', '[1.2.3.4]',
  ];
  for (const text of cases) check(text);
});

test('every listed difference is real: its example disagrees with the old parser it names', () => {
  for (const d of DIFFERENCES) {
    assert.ok(d.applies(d.example), `${d.id}: the example must match its own predicate`);
    const disagreeing = compare(d.example).filter(([, , agrees]) => !agrees).map(([old]) => old);
    for (const old of d.old) assert.ok(disagreeing.includes(old), `${d.id}: ${JSON.stringify(d.example)} should differ from ${old}`);
  }
});

test('the merged special table: intel keeps its ranges, ports keeps its non-global blocks', () => {
  const byCidr = new Map(SPECIAL_RANGES.map((r) => [formatPrefix(r.prefix), r]));
  for (const old of LEGACY_SPECIAL) {
    const now = byCidr.get(formatPrefix(old.prefix));
    assert.ok(now, `${old.cidr} is still in the table`);
    assert.equal(now.kind, old.kind);
    assert.equal(now.description, old.description);
    assert.equal(now.nonPublic, old.nonPublic);
  }
  // ports' NON_GLOBAL_BLOCKS: same coverage (255.255.255.255/32 is new and inside 240.0.0.0/4)
  const oldBlocks = legacyPorts.NON_GLOBAL_BLOCKS.map((b) => `${legacyPorts.formatCidr(b)}`).sort();
  const newBlocks = NON_GLOBAL_RANGES.map((r) => formatPrefix(r.prefix)).filter((c) => c !== '255.255.255.255/32').sort();
  assert.deepEqual(newBlocks, oldBlocks);
  // the only rows intel did not have: ::ffff:0:0/96 (never looked up: mapped addresses become
  // IPv4 first) and 64:ff9b:1::/48 (public in form, like 64:ff9b::/96)
  const added = SPECIAL_RANGES.filter((r) => !LEGACY_SPECIAL.some((o) => formatPrefix(o.prefix) === formatPrefix(r.prefix))).map((r) => r.cidr);
  assert.deepEqual(added, ['::ffff:0:0/96', '64:ff9b:1::/48']);
  assert.equal(SPECIAL_RANGES.find((r) => r.cidr === '64:ff9b:1::/48')!.nonPublic, false);
});

test('containment agrees with the old implementations', () => {
  const cidr = fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 128 })).map(([a, n]) => `${a}/${a.includes(':') ? n : n % 33}`);
  fc.assert(
    fc.property(cidr, cidr, (a, b) => {
      const [oa, ob] = [legacyPorts.parseCidr(a)!, legacyPorts.parseCidr(b)!];
      const [na, nb] = [parsePrefix(a, EC2_RULE_OPTIONS), parsePrefix(b, EC2_RULE_OPTIONS)];
      assert.ok(na.ok && nb.ok);
      assert.equal(prefixCovers(na.value, nb.value), legacyPorts.cidrContains(oa, ob));
      const host = b.split('/')[0]!;
      const addr = parseAddress(host, { mapped: 'keep' });
      assert.ok(addr.ok);
      assert.equal(prefixContains(na.value, addr.value), legacyPorts.cidrContainsAddress(oa, host));
      assert.equal(prefixContains(na.value, addr.value), legacyFlows.inCidrs(host, [legacyFlows.parseCidr(a)!]));
    }),
    { numRuns: 5_000 },
  );
});

// ---------------------------------------------------------------------------------------------
// The adapters that remain (src/ports/cidr.ts, src/flows/cidr.ts, src/intel/address.ts) against
// the frozen originals, through their unchanged signatures.

function compareAdapters(text: string): Array<[Old, string, boolean]> {
  const same = (a: unknown, b: unknown) => {
    try {
      assert.deepStrictEqual(a, b);
      return true;
    } catch {
      return false;
    }
  };
  const oldCidr = legacyPorts.parseCidr(text);
  const newCidr = portsAdapter.parseCidr(text);
  const reach = (c: unknown, f: (x: never) => unknown) => (c ? f(c as never) : undefined);
  const host = text.trim().split('/')[0]!;
  return [
    ['intel', 'adapter parseAddress', same(intelAdapter.parseAddress(text), legacyIntel.parseAddress(text))],
    ['intel', 'adapter parsePrefix', same(intelAdapter.parsePrefix(text), legacyIntel.parsePrefix(text))],
    ['intel', 'adapter parsePrefix strict', same(intelAdapter.parsePrefix(text, { strict: true }), legacyIntel.parsePrefix(text, { strict: true }))],
    ['ports', 'adapter parseCidr', same(newCidr, oldCidr)],
    ['ports', 'adapter parseIPv4', same(portsAdapter.parseIPv4(text), legacyPorts.parseIPv4(text))],
    ['ports', 'adapter parseIPv6', same(portsAdapter.parseIPv6(text), legacyPorts.parseIPv6(text))],
    ['ports', 'adapter cidrReach', same(reach(newCidr, portsAdapter.cidrReach), reach(oldCidr, legacyPorts.cidrReach))],
    ['ports', 'adapter isInternetCidr', same(reach(newCidr, portsAdapter.isInternetCidr), reach(oldCidr, legacyPorts.isInternetCidr))],
    ['ports', 'adapter formatCidr', same(reach(newCidr, portsAdapter.formatCidr), reach(oldCidr, legacyPorts.formatCidr))],
    ['ports', 'adapter lastAddress', same(reach(newCidr, portsAdapter.lastAddress), reach(oldCidr, legacyPorts.lastAddress))],
    ['ports', 'adapter cidrContainsAddress', same(newCidr && portsAdapter.cidrContainsAddress(newCidr, host), oldCidr && legacyPorts.cidrContainsAddress(oldCidr, host))],
    ['flows', 'adapter parseCidr', same(flowsAdapter.parseCidr(text), legacyFlows.parseCidr(text))],
    ['flows', 'adapter parseIp', same(flowsAdapter.parseIp(text), legacyFlows.parseIp(text))],
  ];
}

function checkAdapters(text: string): void {
  for (const [old, what, agrees] of compareAdapters(text)) {
    if (agrees) continue;
    assert.ok(differencesFor(old, text).length > 0, `${old} ${what} disagrees on ${JSON.stringify(text)} and no listed difference applies`);
  }
}

test('adapters: the old signatures agree with the old implementations', () => {
  fc.assert(fc.property(fc.oneof(valid, mutated, randomText), (text) => checkAdapters(text)), { numRuns: RUNS });
  const wide = fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 128 })).map(([a, n]) => `${a}/${a.includes(':') ? n : n % 33}`);
  fc.assert(fc.property(wide, (text) => checkAdapters(text)), { numRuns: RUNS });
  fc.assert(
    fc.property(wide, wide, (a, b) => {
      const [oa, ob, na, nb] = [legacyPorts.parseCidr(a)!, legacyPorts.parseCidr(b)!, portsAdapter.parseCidr(a)!, portsAdapter.parseCidr(b)!];
      assert.equal(portsAdapter.cidrContains(na, nb), legacyPorts.cidrContains(oa, ob));
      const host = b.split('/')[0]!;
      assert.equal(flowsAdapter.inCidrs(host, [flowsAdapter.parseCidr(a)!]), legacyFlows.inCidrs(host, [legacyFlows.parseCidr(a)!]));
    }),
    { numRuns: 5_000 },
  );
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => portsAdapter.formatAddress(6, v) === legacyPorts.formatAddress(6, v)));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (v) => portsAdapter.formatAddress(4, v) === legacyPorts.formatAddress(4, v)));
});

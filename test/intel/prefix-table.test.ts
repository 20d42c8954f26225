import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Address, type Prefix, lastWords, networkWords, parseAddress, parsePrefix } from '../../src/intel/address.js';
import { PrefixTable, type PrefixInput } from '../../src/intel/prefix-table.js';
import { NaiveV4Scan, naiveLookup } from '../../src/bench/naive-prefix-scan.js';

function prefix(text: string, payload: number): PrefixInput {
  const p = parsePrefix(text);
  assert.ok(p.ok, text);
  return { ...p.value, payload };
}
function addr(text: string): Address {
  const a = parseAddress(text);
  assert.ok(a.ok, text);
  return a.value;
}

test('nested and adjacent prefixes: most specific first, edges exact', () => {
  const table = new PrefixTable([
    prefix('10.0.0.0/8', 0),
    prefix('10.1.0.0/16', 1),
    prefix('10.1.2.0/24', 2),
    prefix('10.1.2.0/24', 3), // duplicate CIDR: one node, two payloads
    prefix('10.1.3.0/24', 4), // adjacent to the previous
    prefix('0.0.0.0/0', 5),
    prefix('255.255.255.255/32', 6),
    prefix('2001:db8::/32', 7),
    prefix('2001:db8::/128', 8),
    prefix('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120', 9),
  ]);
  const payloads = (a: string) => table.lookup(addr(a)).map((h) => h.payload);
  assert.deepEqual(payloads('10.1.2.0'), [2, 3, 1, 0, 5]);
  assert.deepEqual(payloads('10.1.2.255'), [2, 3, 1, 0, 5]);
  assert.deepEqual(payloads('10.1.3.0'), [4, 1, 0, 5]);
  assert.deepEqual(payloads('10.1.4.0'), [1, 0, 5]);
  assert.deepEqual(payloads('10.1.1.255'), [1, 0, 5]);
  assert.deepEqual(payloads('10.255.255.255'), [0, 5]);
  assert.deepEqual(payloads('11.0.0.0'), [5]);
  assert.deepEqual(payloads('9.255.255.255'), [5]);
  assert.deepEqual(payloads('255.255.255.255'), [6, 5]);
  assert.deepEqual(payloads('255.255.255.254'), [5]);
  assert.deepEqual(payloads('2001:db8::'), [8, 7]);
  assert.deepEqual(payloads('2001:db8::1'), [7]);
  assert.deepEqual(payloads('2001:db9::'), []);
  assert.deepEqual(payloads('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), [9]);
  assert.deepEqual(payloads('ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff'), []);
  assert.equal(table.stats.entries, 10);
  assert.equal(table.stats.prefixes, 9);
});

test('empty table answers nothing', () => {
  const table = new PrefixTable([]);
  assert.deepEqual(table.lookup(addr('1.2.3.4')), []);
  assert.deepEqual(table.lookup(addr('::1')), []);
  assert.equal(table.longestV4(0), -1);
});

// Generators biased towards overlaps: prefixes drawn from a few "seed" networks so that nesting,
// duplicates and shared edges are common, and addresses drawn at prefix edges and one outside.
const v4Prefix = (seeds: number[]) =>
  fc.record({ seed: fc.constantFrom(...seeds), bits: fc.nat(0xffffffff), length: fc.integer({ min: 0, max: 32 }) }).map(({ seed, bits, length }): Prefix => {
    const raw = length >= 12 ? ((seed & 0xfff00000) | (bits & 0x000fffff)) >>> 0 : bits;
    return { family: 4, words: networkWords([raw], length), length };
  });
const v6Prefix = fc
  .record({
    words: fc.tuple(fc.constantFrom(0x20010db8, 0xfe800000, 0), fc.nat(3), fc.nat(0xffffffff), fc.nat(0xffffffff)),
    length: fc.integer({ min: 0, max: 128 }),
  })
  .map(({ words, length }): Prefix => ({ family: 6, words: networkWords(words, length), length }));

function probes(prefixes: Prefix[], extra: Address[]): Address[] {
  const out: Address[] = [...extra];
  for (const p of prefixes) {
    const first = p.words;
    const last = lastWords(p.words, p.length);
    out.push({ family: p.family, words: first }, { family: p.family, words: last });
    // one before the first, one after the last (if they exist)
    const before = [...first];
    for (let i = before.length - 1; i >= 0; i--) {
      if (before[i]! > 0) {
        before[i] = before[i]! - 1;
        for (let j = i + 1; j < before.length; j++) before[j] = 0xffffffff;
        out.push({ family: p.family, words: before });
        break;
      }
    }
    const after = [...last];
    for (let i = after.length - 1; i >= 0; i--) {
      if (after[i]! < 0xffffffff) {
        after[i] = after[i]! + 1;
        for (let j = i + 1; j < after.length; j++) after[j] = 0;
        out.push({ family: p.family, words: after });
        break;
      }
    }
  }
  return out;
}

test('property: PrefixTable.lookup equals the naive scan (IPv4 and IPv6, edges)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(0xffffffff), { minLength: 1, maxLength: 4 }).chain((seeds) =>
        fc.tuple(
          fc.array(fc.oneof(v4Prefix(seeds), v4Prefix(seeds), v6Prefix), { maxLength: 60 }),
          fc.array(
            fc.oneof(
              fc.nat(0xffffffff).map((w): Address => ({ family: 4, words: [w] })),
              fc.tuple(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff)).map((w): Address => ({ family: 6, words: w })),
            ),
            { maxLength: 20 },
          ),
        ),
      ),
      ([prefixes, randomAddresses]) => {
        const inputs: PrefixInput[] = prefixes.map((p, payload) => ({ ...p, payload }));
        const table = new PrefixTable(inputs);
        for (const address of probes(prefixes, randomAddresses)) {
          const got = table.lookup(address).map((h) => h.payload);
          const want = naiveLookup(inputs, address).map((p) => p.payload);
          assert.deepEqual(got, want);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('property: longestV4 agrees with NaiveV4Scan on the most specific prefix', () => {
  fc.assert(
    fc.property(
      fc.array(v4Prefix([0x0a000000, 0xc0a80000, 0xffffffff]), { maxLength: 200 }),
      fc.array(fc.nat(0xffffffff), { maxLength: 50 }),
      (prefixes, extra) => {
        const inputs: PrefixInput[] = prefixes.map((p, payload) => ({ ...p, payload }));
        const table = new PrefixTable(inputs);
        const naive = new NaiveV4Scan(inputs);
        for (const a of probes(
          prefixes,
          extra.map((w) => ({ family: 4, words: [w] })),
        )) {
          const w = a.words[0]!;
          const expected = naive.longest(w);
          const got = table.longest(a).map((h) => h.payload);
          if (expected < 0) assert.deepEqual(got, []);
          else assert.ok(got.includes(expected), `address ${w}`);
          assert.equal(table.longestV4(w) < 0, expected < 0);
        }
      },
    ),
    { numRuns: 300 },
  );
});

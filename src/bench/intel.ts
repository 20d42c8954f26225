/**
 * Benchmark of the intel longest-prefix table against a naive linear scan.
 *
 * 1,000,000 IPv4 prefixes (plus IPv6 ones) are generated from a fixed seed with a length mix
 * close to real feeds (mostly /32 hosts, then /24s, some wide ranges), the table is built, and
 * random addresses (half inside a listed prefix, half uniform) are looked up. The naive scan
 * tests every prefix per lookup, so it runs on a small sample; both answer the same question
 * (the most specific covering prefix) and the sample is cross-checked.
 */
import { PrefixTable, type PrefixInput } from '../intel/prefix-table.js';
import { NaiveV4Scan } from './naive-prefix-scan.js';
import { formatIPv4 } from '../intel/address.js';

/** mulberry32: small, seeded, identical on every machine. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Prefix lengths with a feed-like mix: 60% /32, 20% /24, 15% /16–/23, 5% /8–/15. */
function pickLength(next: () => number): number {
  const r = next() % 100;
  if (r < 60) return 32;
  if (r < 80) return 24;
  if (r < 95) return 16 + (next() % 8);
  return 8 + (next() % 8);
}

export function generatePrefixes(count: number, v6Count: number, seed = 0x1b00c): PrefixInput[] {
  const next = rng(seed);
  const out: PrefixInput[] = [];
  for (let i = 0; i < count; i++) {
    const length = pickLength(next);
    out.push({ family: 4, words: [(next() & mask(length)) >>> 0], length, payload: i });
  }
  for (let i = 0; i < v6Count; i++) {
    const length = [32, 48, 56, 64, 128][next() % 5]!;
    const words = [0x20000000 | (next() & 0x1fffffff), next(), next(), next()].map((w, k) => {
      const used = length - k * 32;
      return used >= 32 ? w >>> 0 : used <= 0 ? 0 : (w & mask(used)) >>> 0;
    });
    out.push({ family: 6, words, length, payload: count + i });
  }
  return out;
}

function addresses(prefixes: readonly PrefixInput[], count: number, seed: number): Uint32Array {
  const next = rng(seed);
  const v4 = prefixes.filter((p) => p.family === 4);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const p = v4[next() % v4.length]!;
      out[i] = (p.words[0]! | (next() & ~mask(p.length))) >>> 0;
    } else {
      out[i] = next();
    }
  }
  return out;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function rate(count: number, ms: number): number {
  return count / (ms / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

export async function benchmarkIntel(options: { quick: boolean }): Promise<{ title: string; markdown: string }> {
  const prefixCount = options.quick ? 200_000 : 1_000_000;
  const v6Count = options.quick ? 10_000 : 50_000;
  const lookups = options.quick ? 500_000 : 2_000_000;
  const naiveLookups = options.quick ? 100 : 200;

  const prefixes = generatePrefixes(prefixCount, v6Count);
  gc();
  const before = process.memoryUsage();
  const buildStart = performance.now();
  const table = new PrefixTable(prefixes);
  const buildMs = performance.now() - buildStart;
  gc();
  const after = process.memoryUsage();
  const stats = table.stats;

  const sample = addresses(prefixes, lookups, 0x5eed);
  // warm up, then measure the IPv4 fast path (most specific node per address)
  let sink = 0;
  for (let i = 0; i < Math.min(100_000, lookups); i++) sink += table.longestV4(sample[i]!);
  let start = performance.now();
  for (let i = 0; i < lookups; i++) sink += table.longestV4(sample[i]!);
  const tableMs = performance.now() - start;

  // the full lookup the classifier makes: every covering prefix with its payloads, as objects
  const fullCount = Math.min(lookups, 500_000);
  let hits = 0;
  start = performance.now();
  for (let i = 0; i < fullCount; i++) hits += table.lookup({ family: 4, words: [sample[i]!] }).length;
  const fullMs = performance.now() - start;
  sink += hits;

  const naive = new NaiveV4Scan(prefixes.filter((p) => p.family === 4));
  let mismatches = 0;
  for (let i = 0; i < 10; i++) sink += naive.longest(sample[i]!);
  start = performance.now();
  const naiveAnswers: number[] = [];
  for (let i = 0; i < naiveLookups; i++) naiveAnswers.push(naive.longest(sample[i]!));
  const naiveMs = performance.now() - start;
  for (let i = 0; i < naiveLookups; i++) {
    const expected = naiveAnswers[i]!;
    const got = table.longest({ family: 4, words: [sample[i]!] }).map((h) => h.payload);
    if (expected < 0 ? got.length !== 0 : !got.includes(expected)) mismatches++;
  }
  if (sink === 0.5) console.log('unreachable'); // keep the loops observable

  const tableRate = rate(lookups, tableMs);
  const fullRate = rate(fullCount, fullMs);
  const naiveRate = rate(naiveLookups, naiveMs);
  const heapDelta = after.heapUsed - before.heapUsed;
  const buffersDelta = after.arrayBuffers - before.arrayBuffers;

  const markdown = [
    `Longest-prefix match over ${fmt(prefixCount)} IPv4 + ${fmt(v6Count)} IPv6 prefixes (seeded, feed-like length mix;`,
    `${fmt(stats.prefixes)} distinct, ${fmt(stats.intervals)} elementary intervals), one core, Node ${process.version}.`,
    `Addresses: half inside a listed prefix, half uniform. Example address: ${formatIPv4(sample[0]!)}.`,
    '',
    '| method | lookups | time | lookups/s |',
    '| --- | ---: | ---: | ---: |',
    `| PrefixTable.longestV4 (sorted intervals + 16-bit buckets) | ${fmt(lookups)} | ${tableMs.toFixed(0)} ms | ${fmt(tableRate)} |`,
    `| PrefixTable.lookup (every covering prefix as objects; ${(hits / fullCount).toFixed(1)} per address here) | ${fmt(fullCount)} | ${fullMs.toFixed(0)} ms | ${fmt(fullRate)} |`,
    `| naive linear scan (typed arrays) | ${fmt(naiveLookups)} | ${naiveMs.toFixed(0)} ms | ${fmt(naiveRate)} |`,
    '',
    `| measure | value |`,
    '| --- | ---: |',
    `| speed-up (longestV4 / naive) | ${fmt(tableRate / naiveRate)}× |`,
    `| prefixes | ${fmt(stats.entries)} |`,
    `| build time | ${buildMs.toFixed(0)} ms |`,
    `| table typed arrays | ${mib(stats.bytes)} (${(stats.bytes / stats.entries).toFixed(1)} bytes/prefix) |`,
    `| heap used after build | ${mib(after.heapUsed)} (Δ ${mib(heapDelta)}; array buffers Δ ${mib(buffersDelta)}) |`,
    `| answers cross-checked against the naive scan | ${naiveLookups}, ${mismatches} mismatches |`,
  ].join('\n');
  return { title: 'Intel: longest-prefix match vs naive scan', markdown };
}

/**
 * Longest-prefix matching over IPv4 and IPv6 CIDR prefixes, as a sorted-interval search.
 *
 * CIDR prefixes are laminar: two prefixes are either disjoint or one contains the other. So the
 * address space splits into elementary intervals, each covered by one most specific prefix (or
 * none). Building sorts the prefixes once (start ascending, shorter first), sweeps them with a
 * stack, and writes the interval starts into a typed array with the node of each interval. A
 * lookup is one binary search (for IPv4, first narrowed by a 65,536-bucket index on the top 16
 * bits), and the less specific prefixes that also cover the address are reached through each
 * node's `parent` link. Memory is a few typed arrays proportional to the number of prefixes:
 * no per-bit trie nodes, no objects per prefix.
 *
 * Each prefix carries one or more payloads (integers chosen by the caller, e.g. the index of a
 * feed entry); the same CIDR given twice becomes one node with two payloads.
 */
import { type Address, type Family, type Prefix, formatPrefix, maskWord } from '../net/address.js';

export interface PrefixInput extends Prefix {
  readonly payload: number;
}

export interface TableStats {
  /** Prefixes given (with duplicates). */
  readonly entries: number;
  /** Distinct prefixes. */
  readonly prefixes: number;
  /** Elementary intervals in the search arrays. */
  readonly intervals: number;
  /** Bytes held by the typed arrays. */
  readonly bytes: number;
}

class FamilyTable {
  readonly width: number;
  readonly entries: number;
  /** Node prefix start words (width per node), lengths, parents, payloads (CSR). */
  private readonly nodeWords: Uint32Array;
  private readonly nodeLength: Uint8Array;
  private readonly nodeParent: Int32Array;
  private readonly payloadStart: Int32Array;
  private readonly payloads: Int32Array;
  /** Interval starts (width words each) and the node of each interval (-1 = none). */
  private readonly starts: Uint32Array;
  private readonly values: Int32Array;
  private readonly intervalCount: number;
  /** IPv4 only: bucket[h] = first interval whose start's top 16 bits are >= h. */
  private readonly bucket: Int32Array | undefined;

  constructor(family: Family, inputs: readonly PrefixInput[]) {
    const width = family === 4 ? 1 : 4;
    this.width = width;
    this.entries = inputs.length;
    const n = inputs.length;

    // 1. Sort entry indices by (start, length) and merge equal prefixes into nodes.
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (width === 1) {
      // start * 64 + length is exact in a double (< 2^39): sort numbers, not objects.
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = inputs[i]!.words[0]! * 64 + inputs[i]!.length;
      order.sort((a, b) => keys[a]! - keys[b]! || a - b);
    } else {
      order.sort((a, b) => compareInputs(inputs[a]!, inputs[b]!) || a - b);
    }
    const entryNode = new Int32Array(n);
    let nodes = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      if (k === 0 || compareInputs(inputs[order[k - 1]!]!, inputs[i]!) !== 0) nodes++;
      entryNode[i] = nodes - 1;
    }
    this.nodeWords = new Uint32Array(nodes * width);
    this.nodeLength = new Uint8Array(nodes);
    this.nodeParent = new Int32Array(nodes).fill(-1);
    this.payloadStart = new Int32Array(nodes + 1);
    this.payloads = new Int32Array(n);
    for (let i = 0; i < n; i++) this.payloadStart[entryNode[i]! + 1]!++;
    for (let v = 0; v < nodes; v++) this.payloadStart[v + 1]! += this.payloadStart[v]!;
    const fill = this.payloadStart.slice(0, nodes);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const v = entryNode[i]!;
      this.payloads[fill[v]!++] = inputs[i]!.payload;
      if (fill[v] === this.payloadStart[v]! + 1) {
        const input = inputs[i]!;
        for (let w = 0; w < width; w++) this.nodeWords[v * width + w] = input.words[w]!;
        this.nodeLength[v] = input.length;
      }
    }

    // 2. Sweep the nodes (already in start order, shorter first) into elementary intervals.
    const maxIntervals = 2 * nodes + 1;
    const starts = new Uint32Array(maxIntervals * width);
    const values = new Int32Array(maxIntervals);
    let count = 1; // interval 0 starts at address 0 with no prefix
    values[0] = -1;
    const scratch = new Uint32Array(width);
    const emit = (from: Uint32Array | readonly number[], offset: number, node: number) => {
      const last = count - 1;
      let same = true;
      for (let w = 0; w < width; w++) {
        if (starts[last * width + w] !== from[offset + w]) {
          same = false;
          break;
        }
      }
      if (same) {
        values[last] = node;
        if (last > 0 && values[last - 1] === node) count--; // merge with the previous interval
        return;
      }
      if (values[last] === node) return;
      for (let w = 0; w < width; w++) starts[count * width + w] = from[offset + w]!;
      values[count++] = node;
    };
    const stack: number[] = [];
    const endWords = (v: number, out: Uint32Array) => {
      const len = this.nodeLength[v]!;
      for (let w = 0; w < width; w++) out[w] = (this.nodeWords[v * width + w]! | ~maskWord(len, w)) >>> 0;
    };
    const end = new Uint32Array(width);
    const close = (v: number) => {
      endWords(v, end);
      // the interval after the prefix starts at end + 1, unless the end is the family's last address
      let carry = 1;
      for (let w = width - 1; w >= 0; w--) {
        const sum = end[w]! + carry;
        scratch[w] = sum >>> 0;
        carry = sum > 0xffffffff ? 1 : 0;
      }
      if (carry) return;
      emit(scratch, 0, stack.length ? stack[stack.length - 1]! : -1);
    };
    for (let v = 0; v < nodes; v++) {
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        endWords(top, end);
        if (compareWords(end, 0, this.nodeWords, v * width, width) >= 0) break;
        stack.pop();
        close(top);
      }
      if (stack.length) this.nodeParent[v] = stack[stack.length - 1]!;
      stack.push(v);
      emit(this.nodeWords, v * width, v);
    }
    while (stack.length) close(stack.pop()!);

    this.intervalCount = count;
    this.starts = starts.slice(0, count * width);
    this.values = values.slice(0, count);
    if (width === 1) {
      const bucket = new Int32Array(65537);
      let i = 0;
      for (let h = 0; h <= 65536; h++) {
        while (i < count && this.starts[i]! >>> 16 < h) i++;
        bucket[h] = i;
      }
      this.bucket = bucket;
    }
  }

  get prefixes(): number {
    return this.nodeLength.length;
  }

  get intervals(): number {
    return this.intervalCount;
  }

  get bytes(): number {
    return (
      this.nodeWords.byteLength +
      this.nodeLength.byteLength +
      this.nodeParent.byteLength +
      this.payloadStart.byteLength +
      this.payloads.byteLength +
      this.starts.byteLength +
      this.values.byteLength +
      (this.bucket?.byteLength ?? 0)
    );
  }

  /** The most specific node covering an IPv4 address (unsigned 32-bit), or -1. */
  longestV4(address: number): number {
    const bucket = this.bucket!;
    const starts = this.starts;
    const h = address >>> 16;
    let lo = bucket[h]!;
    let hi = bucket[h + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? -1 : this.values[lo - 1]!;
  }

  /** The most specific node covering an address of this family, or -1. */
  longest(words: readonly number[]): number {
    if (this.width === 1) return this.longestV4(words[0]! >>> 0);
    const width = this.width;
    let lo = 0;
    let hi = this.intervalCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(this.starts, mid * width, words, 0, width) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? -1 : this.values[lo - 1]!;
  }

  parent(node: number): number {
    return this.nodeParent[node]!;
  }

  prefixOf(node: number, family: Family): Prefix {
    const words: number[] = [];
    for (let w = 0; w < this.width; w++) words.push(this.nodeWords[node * this.width + w]!);
    return { family, words, length: this.nodeLength[node]! };
  }

  payloadsOf(node: number): Int32Array {
    return this.payloads.subarray(this.payloadStart[node]!, this.payloadStart[node + 1]!);
  }

  /** Appends the payloads of `node` with its prefix to `out` (no intermediate arrays). */
  collect(node: number, family: Family, out: PrefixHit[]): void {
    const prefix = this.prefixOf(node, family);
    const end = this.payloadStart[node + 1]!;
    for (let k = this.payloadStart[node]!; k < end; k++) out.push({ prefix, payload: this.payloads[k]! });
  }
}

export interface PrefixHit {
  readonly prefix: Prefix;
  readonly payload: number;
}

/** An immutable longest-prefix-match table over IPv4 and IPv6 prefixes. */
export class PrefixTable {
  private readonly v4: FamilyTable;
  private readonly v6: FamilyTable;

  constructor(inputs: Iterable<PrefixInput>) {
    const four: PrefixInput[] = [];
    const six: PrefixInput[] = [];
    for (const input of inputs) (input.family === 4 ? four : six).push(input);
    this.v4 = new FamilyTable(4, four);
    this.v6 = new FamilyTable(6, six);
  }

  get stats(): TableStats {
    return {
      entries: this.v4.entries + this.v6.entries,
      prefixes: this.v4.prefixes + this.v6.prefixes,
      intervals: this.v4.intervals + this.v6.intervals,
      bytes: this.v4.bytes + this.v6.bytes,
    };
  }

  /** Fast path for benchmarks: the node id of the longest IPv4 match, or -1. */
  longestV4(address: number): number {
    return this.v4.longestV4(address);
  }

  /** Every covering prefix with its payloads, most specific first. */
  lookup(address: Address): PrefixHit[] {
    const table = address.family === 4 ? this.v4 : this.v6;
    const hits: PrefixHit[] = [];
    for (let node = table.longest(address.words); node >= 0; node = table.parent(node)) table.collect(node, address.family, hits);
    return hits;
  }

  /** Payloads of the most specific covering prefix only. */
  longest(address: Address): PrefixHit[] {
    const table = address.family === 4 ? this.v4 : this.v6;
    const node = table.longest(address.words);
    const hits: PrefixHit[] = [];
    if (node >= 0) table.collect(node, address.family, hits);
    return hits;
  }
}

function compareWords(a: Uint32Array | readonly number[], aOffset: number, b: Uint32Array | readonly number[], bOffset: number, width: number): number {
  for (let w = 0; w < width; w++) {
    const x = a[aOffset + w]!;
    const y = b[bOffset + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareInputs(a: PrefixInput, b: PrefixInput): number {
  return compareWords(a.words, 0, b.words, 0, a.words.length) || a.length - b.length;
}

/** For messages and tests. */
export function describeHit(hit: PrefixHit): string {
  return formatPrefix(hit.prefix);
}

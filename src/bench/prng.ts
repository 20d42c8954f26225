/**
 * A small seeded PRNG (mulberry32) with the helpers the corpus generator needs. Written here rather
 * than taken from a package because the benchmark's corpus must stay byte-identical for a given
 * seed across machines and dependency upgrades: this file is the whole contract.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uint32; mulberry32 (period 2^32, good enough equidistribution for synthetic data). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** [0, 1) */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Characters from `alphabet`. Never contains "8443": the planted 8443 events must be the only ones. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out.includes('8443') ? out.replaceAll('8443', '8442') : out;
  }

  hex(length: number): string {
    return this.chars('0123456789abcdef', length);
  }

  /** Upper-case alphanumerics, the style of IAM unique ids and access key ids. */
  upper(length: number): string {
    return this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', length);
  }

  /** A version-4 UUID shape, as CloudTrail's eventID and requestID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = '89ab'[this.nextU32() & 3];
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    // The variant digit can complete "8443" with the hex after it.
    return id.includes('8443') ? id.replaceAll('8443', '8442') : id;
  }
}

/** A child seed derived from a parent seed and a label, so each stream of the corpus is independent of the others' lengths. */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  // FNV-1a over the seed and the parts, then one mulberry step to spread the bits.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const part of parts) {
    const text = `${part}|`;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return new Rng(h >>> 0).nextU32();
}

/** Weighted choice table built once: `pick()` is a binary search over cumulative weights. */
export class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly items: T[] = [];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    let sum = 0;
    for (const [item, weight] of entries) {
      sum += weight;
      this.items.push(item);
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

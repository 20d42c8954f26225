/**
 * The naive reference for longest-prefix matching: a linear scan over every prefix. Used by the
 * benchmark (intel.ts beside this file) as the baseline and by the property tests as the oracle.
 */
import { type Address, type Prefix, prefixContains } from '../intel/address.js';

export interface NaiveInput extends Prefix {
  readonly payload: number;
}

/** IPv4-only scan over typed arrays (network, mask, length): the fastest honest linear scan. */
export class NaiveV4Scan {
  private readonly networks: Uint32Array;
  private readonly masks: Uint32Array;
  private readonly lengths: Uint8Array;

  constructor(prefixes: ReadonlyArray<{ words: readonly number[]; length: number }>) {
    const n = prefixes.length;
    this.networks = new Uint32Array(n);
    this.masks = new Uint32Array(n);
    this.lengths = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = prefixes[i]!;
      this.networks[i] = p.words[0]!;
      this.masks[i] = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0;
      this.lengths[i] = p.length;
    }
  }

  /** Index of the longest matching prefix (first given wins ties), or -1. */
  longest(address: number): number {
    let best = -1;
    let bestLength = -1;
    const { networks, masks, lengths } = this;
    for (let i = 0; i < networks.length; i++) {
      if ((address & masks[i]!) >>> 0 === networks[i] && lengths[i]! > bestLength) {
        best = i;
        bestLength = lengths[i]!;
      }
    }
    return best;
  }
}

/** Every prefix covering the address, longest first (ties in input order). Any family. */
export function naiveLookup(prefixes: readonly NaiveInput[], address: Address): NaiveInput[] {
  return prefixes
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => prefixContains(p, address))
    .sort((a, b) => b.p.length - a.p.length || a.i - b.i)
    .map(({ p }) => p);
}

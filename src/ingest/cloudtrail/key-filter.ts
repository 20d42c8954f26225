/**
 * A compact set of 53-bit key hashes (open addressing over a Float64Array, 8–16 bytes per key):
 * the run's duplicate filter. A hit means "maybe seen" (two keys can share a hash); the batch is
 * then merged with the exact SQL dedupe. A miss is exact: the key was not seen in this run.
 */
export class KeyHashSet {
  private table = new Float64Array(1 << 16);
  private mask = (1 << 16) - 1;
  size = 0;

  /** Adds the hash; true when it was already present. `hash` must be a non-zero integer < 2^53. */
  addAndCheck(hash: number): boolean {
    let i = (hash % 4294967296) & this.mask;
    for (;;) {
      const slot = this.table[i]!;
      if (slot === 0) break;
      if (slot === hash) return true;
      i = (i + 1) & this.mask;
    }
    this.table[i] = hash;
    if (++this.size * 2 > this.table.length) this.grow();
    return false;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (const hash of old) {
      if (hash === 0) continue;
      let i = (hash % 4294967296) & this.mask;
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
      this.table[i] = hash;
    }
  }
}

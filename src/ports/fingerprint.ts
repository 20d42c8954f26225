import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A digest of the code that turns CloudTrail events into exposure changes: this folder (ports/)
 * and the address semantics it uses (net/). Changes kept in the store
 * (ports/exposure-changes.ts) are trusted only when code with the same digest computed them, so
 * a new version of trailbook recomputes them rather than serving what older code judged. Any
 * edit in those folders counts, even one that changes nothing: a needless recomputation costs
 * a second, a stale judgement costs trust.
 */
let memo: string | undefined;

export function judgementFingerprint(): string {
  if (memo !== undefined) return memo;
  const hash = createHash('sha256');
  for (const folder of ['./', '../net/']) {
    const root = fileURLToPath(new URL(folder, import.meta.url));
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((name) => statSync(join(root, name)).isFile()).sort();
    for (const name of files)
      hash
        .update(`${folder}${name}\0`)
        .update(readFileSync(join(root, name)))
        .update('\0');
  }
  memo = hash.digest('hex').slice(0, 32);
  return memo;
}

import { bits, formatPrefix, prefixCovers, type Family, type Prefix } from '../net/address.js';
import { SPECIAL_RANGES } from '../net/special.js';

/**
 * How much of the internet one trusted range or feed entry covers. A trusted `0.0.0.0/0` makes
 * every source allowed (and, under `trusted-wins`, overrides every threat-intel hit); a feed
 * entry `0.0.0.0/0` makes every source suspicious. Either way every verdict is wrong, so both are
 * configuration errors (docs/intel.md, "How broad an entry may be").
 *
 * Breadth counts public addresses only: space that is not a public host (RFC 1918, multicast,
 * reserved … from net/special.ts) is left out, so `10.0.0.0/8` or FireHOL's `224.0.0.0/3` is
 * fine, while `0.0.0.0/1` (half the internet) is not.
 */
export const BROADEST_PUBLIC_PREFIX: Readonly<Record<Family, number>> = { 4: 8, 6: 16 };

// The non-public ranges that no other one contains (255.255.255.255/32 lies in 240.0.0.0/4), so
// their sizes can be summed.
const NON_PUBLIC = SPECIAL_RANGES.filter((r) => r.nonPublic)
  .map((r) => r.prefix)
  .filter((p, i, all) => !all.some((q, j) => j !== i && prefixCovers(q, p)));

const addresses = (family: Family, length: number) => 1n << BigInt(bits(family) - length);

/** The number of public addresses in `prefix`. */
export function publicAddresses(prefix: Prefix): bigint {
  let excluded = 0n;
  for (const range of NON_PUBLIC) {
    if (prefixCovers(range, prefix)) return 0n;
    if (prefixCovers(prefix, range)) excluded += addresses(range.family, range.length);
  }
  return addresses(prefix.family, prefix.length) - excluded;
}

/** Why `prefix` is too broad to trust or to list as a threat, or undefined when it is not. */
export function tooBroad(prefix: Prefix): string | undefined {
  const limit = BROADEST_PUBLIC_PREFIX[prefix.family];
  if (publicAddresses(prefix) <= addresses(prefix.family, limit)) return undefined;
  const whole = prefix.length === 0 ? 'the whole internet' : 'more public addresses than a /' + limit;
  return `${formatPrefix(prefix)} covers ${whole} (the limit is a /${limit} of public ${prefix.family === 4 ? 'IPv4' : 'IPv6'} space)`;
}

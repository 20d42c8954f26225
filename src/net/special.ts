/**
 * Special-purpose address ranges (IANA IPv4/IPv6 special-purpose registries, RFC 6890 and
 * successors): one table for every caller.
 *
 * Two columns answer two different questions:
 * - `nonPublic` (intel): an address there is not a public internet host, so with no other match
 *   its verdict is `private`. Documentation and NAT64 ranges are public in form (judged like
 *   public addresses, with the range named in the reasons).
 * - `globallyReachable` (ports): IANA's "Globally Reachable" column. A CIDR entirely inside ranges
 *   that are not globally reachable cannot admit an internet host (`cidrReach` → `private`).
 *   Documentation ranges are never routed, so they are not globally reachable either.
 */
import { type Prefix, parsePrefix, prefixCovers } from './address.js';

export type SpecialKind =
  | 'rfc1918'
  | 'cgnat'
  | 'loopback'
  | 'link-local'
  | 'ula'
  | 'unspecified'
  | 'this-network'
  | 'multicast'
  | 'reserved'
  | 'broadcast'
  | 'benchmarking'
  | 'ietf-protocol'
  | 'documentation'
  | 'nat64'
  | 'ipv4-mapped';

export interface SpecialRange {
  readonly cidr: string;
  readonly prefix: Prefix;
  readonly kind: SpecialKind;
  readonly description: string;
  /** True when an address there is not a public internet host (intel verdict `private`). */
  readonly nonPublic: boolean;
  /** IANA's "Globally Reachable" (false for documentation ranges: never routed). */
  readonly globallyReachable: boolean;
}

// cidr, kind, description, nonPublic, globallyReachable
const TABLE: ReadonlyArray<[string, SpecialKind, string, boolean, boolean]> = [
  ['0.0.0.0/8', 'this-network', '"this network" (RFC 791)', true, false],
  ['10.0.0.0/8', 'rfc1918', 'private network (RFC 1918)', true, false],
  ['100.64.0.0/10', 'cgnat', 'carrier-grade NAT shared space (RFC 6598)', true, false],
  ['127.0.0.0/8', 'loopback', 'loopback (RFC 1122)', true, false],
  ['169.254.0.0/16', 'link-local', 'link-local (RFC 3927; 169.254.169.254 is the instance metadata service)', true, false],
  ['172.16.0.0/12', 'rfc1918', 'private network (RFC 1918)', true, false],
  ['192.0.0.0/24', 'ietf-protocol', 'IETF protocol assignments (RFC 6890)', true, false],
  ['192.0.2.0/24', 'documentation', 'documentation TEST-NET-1 (RFC 5737): never routed, test data', false, false],
  ['192.168.0.0/16', 'rfc1918', 'private network (RFC 1918)', true, false],
  ['198.18.0.0/15', 'benchmarking', 'benchmarking (RFC 2544)', true, false],
  ['198.51.100.0/24', 'documentation', 'documentation TEST-NET-2 (RFC 5737): never routed, test data', false, false],
  ['203.0.113.0/24', 'documentation', 'documentation TEST-NET-3 (RFC 5737): never routed, test data', false, false],
  ['224.0.0.0/4', 'multicast', 'multicast (RFC 5771): not a unicast host', true, false],
  ['240.0.0.0/4', 'reserved', 'reserved (RFC 1112)', true, false],
  ['255.255.255.255/32', 'broadcast', 'limited broadcast', true, false],
  ['::/128', 'unspecified', 'unspecified address', true, false],
  ['::1/128', 'loopback', 'loopback (RFC 4291)', true, false],
  ['::ffff:0:0/96', 'ipv4-mapped', 'IPv4-mapped IPv6 (RFC 4291): an IPv4 address written as IPv6, never an IPv6 host', true, false],
  ['64:ff9b::/96', 'nat64', 'NAT64 well-known prefix (RFC 6052): an IPv4 host behind NAT64', false, true],
  ['64:ff9b:1::/48', 'nat64', 'local-use IPv4/IPv6 translation (RFC 8215): an IPv4 host behind a local NAT64', false, false],
  ['100::/64', 'reserved', 'discard-only (RFC 6666)', true, false],
  ['2001:db8::/32', 'documentation', 'documentation (RFC 3849): never routed, test data', false, false],
  ['fc00::/7', 'ula', 'unique local address (RFC 4193)', true, false],
  ['fe80::/10', 'link-local', 'link-local (RFC 4291)', true, false],
  ['ff00::/8', 'multicast', 'multicast (RFC 4291): not a unicast host', true, false],
];

/**
 * The table. Parsed with `mapped: 'keep'`: `::ffff:0:0/96` must stay the IPv6 block it is (read as
 * IPv4 it would be 0.0.0.0/0). Intel never looks it up, because it turns mapped addresses into
 * IPv4 before the lookup.
 */
export const SPECIAL_RANGES: readonly SpecialRange[] = TABLE.map(([cidr, kind, description, nonPublic, globallyReachable]) => {
  const parsed = parsePrefix(cidr, { hostBits: 'reject', mapped: 'keep' });
  if (!parsed.ok) throw new Error(`bad built-in range ${cidr}: ${parsed.reason}`);
  return { cidr, prefix: parsed.value, kind, description, nonPublic, globallyReachable };
});

/** The ranges that are not globally reachable (what ports calls non-global space). */
export const NON_GLOBAL_RANGES: readonly SpecialRange[] = SPECIAL_RANGES.filter((r) => !r.globallyReachable);

/** True when the prefix lies entirely inside space that is not globally reachable. */
export function isNonGlobal(prefix: Prefix): boolean {
  return NON_GLOBAL_RANGES.some((r) => prefixCovers(r.prefix, prefix));
}

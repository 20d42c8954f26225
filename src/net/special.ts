/**
 * Special-purpose address ranges (IANA IPv4/IPv6 special-purpose registries, RFC 6890 and
 * successors): one table for every caller.
 *
 * Two columns answer two different questions:
 * - `nonPublic` (intel): an address there is not a public internet host, so with no other match
 *   its verdict is `private`. Documentation and NAT64 ranges are public in form (judged like
 *   public addresses, with the range named in the reasons).
 * - `hostSource` (intel): whether any host sends from there at all; 240.0.0.0/4 is neither public
 *   nor private, it is no source (docs/intel.md "Address classes").
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
  /**
   * False when no host sends packets from an address there (multicast, reserved, broadcast,
   * "this network", unspecified, discard-only): as a caller or a peer such a value is not a real
   * source, it was scrambled, forged or is a placeholder (intel rule `not-a-source`).
   */
  readonly hostSource: boolean;
}

// cidr, kind, description, nonPublic, globallyReachable, hostSource
const TABLE: ReadonlyArray<[string, SpecialKind, string, boolean, boolean, boolean]> = [
  ['0.0.0.0/8', 'this-network', '"this network" (RFC 791)', true, false, false],
  ['10.0.0.0/8', 'rfc1918', 'private network (RFC 1918)', true, false, true],
  ['100.64.0.0/10', 'cgnat', 'carrier-grade NAT shared space (RFC 6598)', true, false, true],
  ['127.0.0.0/8', 'loopback', 'loopback (RFC 1122)', true, false, true],
  ['169.254.0.0/16', 'link-local', 'link-local (RFC 3927; 169.254.169.254 is the instance metadata service)', true, false, true],
  ['172.16.0.0/12', 'rfc1918', 'private network (RFC 1918)', true, false, true],
  ['192.0.0.0/24', 'ietf-protocol', 'IETF protocol assignments (RFC 6890)', true, false, true],
  ['192.0.2.0/24', 'documentation', 'documentation TEST-NET-1 (RFC 5737): never routed, test data', false, false, true],
  ['192.168.0.0/16', 'rfc1918', 'private network (RFC 1918)', true, false, true],
  ['198.18.0.0/15', 'benchmarking', 'benchmarking (RFC 2544)', true, false, true],
  ['198.51.100.0/24', 'documentation', 'documentation TEST-NET-2 (RFC 5737): never routed, test data', false, false, true],
  ['203.0.113.0/24', 'documentation', 'documentation TEST-NET-3 (RFC 5737): never routed, test data', false, false, true],
  ['224.0.0.0/4', 'multicast', 'multicast (RFC 5771): not a unicast host', true, false, false],
  ['240.0.0.0/4', 'reserved', 'reserved (RFC 1112)', true, false, false],
  ['255.255.255.255/32', 'broadcast', 'limited broadcast', true, false, false],
  ['::/128', 'unspecified', 'unspecified address', true, false, false],
  ['::1/128', 'loopback', 'loopback (RFC 4291)', true, false, true],
  ['::ffff:0:0/96', 'ipv4-mapped', 'IPv4-mapped IPv6 (RFC 4291): an IPv4 address written as IPv6, never an IPv6 host', true, false, true],
  ['64:ff9b::/96', 'nat64', 'NAT64 well-known prefix (RFC 6052): an IPv4 host behind NAT64', false, true, true],
  ['64:ff9b:1::/48', 'nat64', 'local-use IPv4/IPv6 translation (RFC 8215): an IPv4 host behind a local NAT64', false, false, true],
  ['100::/64', 'reserved', 'discard-only (RFC 6666)', true, false, false],
  ['2001:db8::/32', 'documentation', 'documentation (RFC 3849): never routed, test data', false, false, true],
  ['fc00::/7', 'ula', 'unique local address (RFC 4193)', true, false, true],
  ['fe80::/10', 'link-local', 'link-local (RFC 4291)', true, false, true],
  ['ff00::/8', 'multicast', 'multicast (RFC 4291): not a unicast host', true, false, false],
];

/**
 * The table. Parsed with `mapped: 'keep'`: `::ffff:0:0/96` must stay the IPv6 block it is (read as
 * IPv4 it would be 0.0.0.0/0). Intel never looks it up, because it turns mapped addresses into
 * IPv4 before the lookup.
 */
export const SPECIAL_RANGES: readonly SpecialRange[] = TABLE.map(([cidr, kind, description, nonPublic, globallyReachable, hostSource]) => {
  const parsed = parsePrefix(cidr, { hostBits: 'reject', mapped: 'keep' });
  if (!parsed.ok) throw new Error(`bad built-in range ${cidr}: ${parsed.reason}`);
  return { cidr, prefix: parsed.value, kind, description, nonPublic, globallyReachable, hostSource };
});

/** The address class a reason names (docs/intel.md "Address classes"). */
export const CLASS_NAME: Readonly<Record<SpecialKind, string>> = {
  rfc1918: 'private',
  ula: 'private',
  cgnat: 'CGNAT',
  loopback: 'loopback',
  'link-local': 'link-local',
  unspecified: 'unspecified',
  'this-network': '"this network"',
  multicast: 'multicast',
  reserved: 'reserved',
  broadcast: 'broadcast',
  benchmarking: 'benchmarking',
  'ietf-protocol': 'IETF protocol',
  documentation: 'documentation',
  nat64: 'NAT64',
  'ipv4-mapped': 'IPv4-mapped',
};

/** `reserved address (240.0.0.0/4): reserved (RFC 1112)`: the class first, then what the range is. */
export function specialRangeReason(range: SpecialRange): string {
  return `${CLASS_NAME[range.kind]} address (${range.cidr}): ${range.description}`;
}

/** The ranges that are not globally reachable (what ports calls non-global space). */
export const NON_GLOBAL_RANGES: readonly SpecialRange[] = SPECIAL_RANGES.filter((r) => !r.globallyReachable);

/** True when the prefix lies entirely inside space that is not globally reachable. */
export function isNonGlobal(prefix: Prefix): boolean {
  return NON_GLOBAL_RANGES.some((r) => prefixCovers(r.prefix, prefix));
}

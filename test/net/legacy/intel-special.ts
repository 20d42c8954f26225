// Frozen copy of the pre-merge parser (git 6bf0200), the reference for test/net/equivalence.test.ts. Do not edit.
/**
 * Special-purpose address ranges (IANA registries, RFC 6890 and successors). `private` ranges
 * are not reachable from the internet: a peer there is inside a VPC, a VPN or a host. The
 * `documentation` ranges are public in form but never routed: they show up in test data.
 */
import { type Prefix, parsePrefix } from './intel-address.js';

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
  | 'nat64';

export interface SpecialRange {
  readonly cidr: string;
  readonly prefix: Prefix;
  readonly kind: SpecialKind;
  readonly description: string;
  /** True when an address there is not a public internet host (verdict `private`). */
  readonly nonPublic: boolean;
}

const TABLE: ReadonlyArray<[string, SpecialKind, string, boolean]> = [
  ['0.0.0.0/8', 'this-network', '"this network" (RFC 791)', true],
  ['10.0.0.0/8', 'rfc1918', 'private network (RFC 1918)', true],
  ['100.64.0.0/10', 'cgnat', 'carrier-grade NAT shared space (RFC 6598)', true],
  ['127.0.0.0/8', 'loopback', 'loopback (RFC 1122)', true],
  ['169.254.0.0/16', 'link-local', 'link-local (RFC 3927; 169.254.169.254 is the instance metadata service)', true],
  ['172.16.0.0/12', 'rfc1918', 'private network (RFC 1918)', true],
  ['192.0.0.0/24', 'ietf-protocol', 'IETF protocol assignments (RFC 6890)', true],
  ['192.0.2.0/24', 'documentation', 'documentation TEST-NET-1 (RFC 5737): never routed, test data', false],
  ['192.168.0.0/16', 'rfc1918', 'private network (RFC 1918)', true],
  ['198.18.0.0/15', 'benchmarking', 'benchmarking (RFC 2544)', true],
  ['198.51.100.0/24', 'documentation', 'documentation TEST-NET-2 (RFC 5737): never routed, test data', false],
  ['203.0.113.0/24', 'documentation', 'documentation TEST-NET-3 (RFC 5737): never routed, test data', false],
  ['224.0.0.0/4', 'multicast', 'multicast (RFC 5771): not a unicast host', true],
  ['240.0.0.0/4', 'reserved', 'reserved (RFC 1112)', true],
  ['255.255.255.255/32', 'broadcast', 'limited broadcast', true],
  ['::/128', 'unspecified', 'unspecified address', true],
  ['::1/128', 'loopback', 'loopback (RFC 4291)', true],
  ['64:ff9b::/96', 'nat64', 'NAT64 well-known prefix (RFC 6052): an IPv4 host behind NAT64', false],
  ['100::/64', 'reserved', 'discard-only (RFC 6666)', true],
  ['2001:db8::/32', 'documentation', 'documentation (RFC 3849): never routed, test data', false],
  ['fc00::/7', 'ula', 'unique local address (RFC 4193)', true],
  ['fe80::/10', 'link-local', 'link-local (RFC 4291)', true],
  ['ff00::/8', 'multicast', 'multicast (RFC 4291): not a unicast host', true],
];

export const SPECIAL_RANGES: readonly SpecialRange[] = TABLE.map(([cidr, kind, description, nonPublic]) => {
  const parsed = parsePrefix(cidr, { strict: true });
  if (!parsed.ok) throw new Error(`bad built-in range ${cidr}: ${parsed.reason}`);
  return { cidr, prefix: parsed.value, kind, description, nonPublic };
});

/**
 * CIDR semantics of security-group and ACL rules. Parsing, formatting and containment are
 * `src/net/address.ts` with `EC2_RULE_OPTIONS`; what stays here is port policy: how far a CIDR
 * reaches and when that counts as "open to the internet" (docs/port-semantics.md).
 *
 * Host bits are masked, not rejected: EC2 accepts `208.236.235.254/0` (seen in real CloudTrail)
 * and the rule it creates admits 0.0.0.0/0. Judging the typed text instead of the effective
 * network would hide exactly the rules an attacker writes to look harmless.
 *
 * The bigint `Cidr` API below is an adapter kept for `windows.ts`, the `ports` barrel and its
 * tests; new code uses `parseRuleCidr` / `prefixReach` over `src/net` prefixes.
 */
import {
  EC2_RULE_OPTIONS,
  type Family,
  type Prefix,
  type PrefixResult,
  bigIntToWords,
  formatAddress as formatNetAddress,
  formatPrefix,
  parseIPv4 as parseNetIPv4,
  parseIPv6 as parseNetIPv6,
  parsePrefix,
  prefixContains,
  prefixCovers,
  wordsToBigInt,
} from '../net/address.js';
import { NON_GLOBAL_RANGES, isNonGlobal } from '../net/special.js';

/**
 * How far a CIDR reaches, from the widest to the narrowest:
 * - `anywhere`: the whole address family (prefix 0: 0.0.0.0/0, ::/0, and host-bit variants);
 * - `broad-public`: a public prefix of /8 or shorter (IPv4) or /16 or shorter (IPv6): millions of
 *   hosts anyone can rent; `0.0.0.0/1` + `128.0.0.0/1` is the classic way to write "anywhere"
 *   without writing 0.0.0.0/0;
 * - `public`: contains globally reachable addresses (e.g. a single public /32);
 * - `private`: entirely inside non-global space (RFC 1918, ULA, loopback, documentation…).
 */
export type CidrReach = 'anywhere' | 'broad-public' | 'public' | 'private';

export const BROAD_PREFIX: Record<Family, number> = { 4: 8, 6: 16 };

/** A rule's CIDR text as EC2 reads it (host bits masked, IPv6 stays IPv6, no zone ids). */
export function parseRuleCidr(text: string): PrefixResult {
  return parsePrefix(text, EC2_RULE_OPTIONS);
}

export function prefixReach(prefix: Prefix): CidrReach {
  if (prefix.length === 0) return 'anywhere';
  if (isNonGlobal(prefix)) return 'private';
  return prefix.length <= BROAD_PREFIX[prefix.family] ? 'broad-public' : 'public';
}

/** "Open to the internet" for trailbook: anywhere or a broad public range (see docs/port-semantics.md). */
export function isInternetPrefix(prefix: Prefix): boolean {
  const reach = prefixReach(prefix);
  return reach === 'anywhere' || reach === 'broad-public';
}

// ---------------------------------------------------------------------------------------------
// Adapter: the pre-merge bigint API, unchanged signatures.

export type IpVersion = Family;

export interface Cidr {
  version: IpVersion;
  /** Network address with host bits cleared. */
  network: bigint;
  prefix: number;
  /** True when the text had host bits set (the effective network differs from the text). */
  hostBitsSet: boolean;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

function toPrefix(cidr: Cidr): Prefix {
  return { family: cidr.version, words: bigIntToWords(cidr.version, cidr.network), length: cidr.prefix };
}

function fromPrefix(prefix: Prefix, hostBitsSet: boolean): Cidr {
  return { version: prefix.family, network: wordsToBigInt(prefix.words), prefix: prefix.length, hostBitsSet };
}

export function parseIPv4(text: string): bigint | undefined {
  const r = parseNetIPv4(text);
  return r.ok ? BigInt(r.value) : undefined;
}

export function parseIPv6(text: string): bigint | undefined {
  const r = parseNetIPv6(text); // a zone id is a bad group here: never valid in a rule
  return r.ok ? wordsToBigInt(r.value) : undefined;
}

/** Parses `a.b.c.d/n` or `x:y::z/n` (a bare address is a /32 or /128). Undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const r = parseRuleCidr(text);
  return r.ok ? fromPrefix(r.value, r.hostBitsSet) : undefined;
}

export function lastAddress(cidr: Cidr): bigint {
  const width = BigInt(BITS[cidr.version]);
  const all = (1n << width) - 1n;
  return cidr.network | (all >> BigInt(cidr.prefix));
}

/** True when `inner` lies entirely inside `outer` (same version). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return prefixCovers(toPrefix(outer), toPrefix(inner));
}

export function cidrContainsAddress(cidr: Cidr, address: string): boolean {
  const parsed = parseRuleCidr(address);
  return parsed.ok && parsed.value.length === BITS[parsed.value.family] && prefixContains(toPrefix(cidr), parsed.value);
}

export function formatCidr(cidr: Cidr): string {
  return formatPrefix(toPrefix(cidr));
}

export function formatAddress(version: IpVersion, value: bigint): string {
  return formatNetAddress({ family: version, words: bigIntToWords(version, value) });
}

/** Address blocks that are not reachable from the public internet: `NON_GLOBAL_RANGES` of src/net/special.ts. */
export const NON_GLOBAL_BLOCKS: readonly Cidr[] = NON_GLOBAL_RANGES.map((r) => fromPrefix(r.prefix, false));

export function cidrReach(cidr: Cidr): CidrReach {
  return prefixReach(toPrefix(cidr));
}

/** "Open to the internet" for trailbook: anywhere or a broad public range (see docs/port-semantics.md). */
export function isInternetCidr(cidr: Cidr): boolean {
  return isInternetPrefix(toPrefix(cidr));
}

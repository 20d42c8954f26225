// Frozen copy of the pre-merge parser (git 6bf0200), the reference for test/net/equivalence.test.ts. Do not edit.
/**
 * IPv4/IPv6 CIDR parsing and classification, kept small and dependency-free: addresses are
 * BigInts, a CIDR is (version, network, prefix).
 *
 * Host bits are masked, not rejected: EC2 accepts `208.236.235.254/0` (seen in real CloudTrail)
 * and the rule it creates admits 0.0.0.0/0. Judging the typed text instead of the effective
 * network would hide exactly the rules an attacker writes to look harmless.
 */
export type IpVersion = 4 | 6;

export interface Cidr {
  version: IpVersion;
  /** Network address with host bits cleared. */
  network: bigint;
  prefix: number;
  /** True when the text had host bits set (the effective network differs from the text). */
  hostBitsSet: boolean;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: some stacks read them as octal, so their meaning is ambiguous.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

export function parseIPv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined; // zone ids are never valid in a rule
  let head = text;
  let embeddedV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    embeddedV4 = parseIPv4(text.slice(lastColon + 1));
    if (embeddedV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const left = parseGroups(halves[0]!);
  const right = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (embeddedV4 !== undefined) value = (value & ~0xffffffffn) | embeddedV4;
  return value;
}

/** Parses `a.b.c.d/n` or `x:y::z/n` (a bare address is a /32 or /128). Undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const version: IpVersion = addressText.includes(':') ? 6 : 4;
  const address = version === 4 ? parseIPv4(addressText) : parseIPv6(addressText);
  if (address === undefined) return undefined;
  const bits = BITS[version];
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  const network = address & maskOf(version, prefix);
  return { version, network, prefix, hostBitsSet: network !== address };
}

function maskOf(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return (all >> BigInt(prefix)) ^ all;
}

export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | (~maskOf(cidr.version, cidr.prefix) & ((1n << BigInt(BITS[cidr.version])) - 1n));
}

/** True when `inner` lies entirely inside `outer` (same version). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.version === inner.version && outer.prefix <= inner.prefix && (inner.network & maskOf(outer.version, outer.prefix)) === outer.network;
}

export function cidrContainsAddress(cidr: Cidr, address: string): boolean {
  const parsed = parseCidr(address);
  return parsed !== undefined && parsed.prefix === BITS[parsed.version] && cidrContains(cidr, parsed);
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.version, cidr.network)}/${cidr.prefix}`;
}

export function formatAddress(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (of two or more) of zero groups.
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Address blocks that are not reachable from the public internet (IANA special-purpose registries,
 * RFC 6890 and successors): private, loopback, link-local, CGNAT, documentation, benchmarking,
 * multicast and reserved space. A peer entirely inside one of them cannot be an internet host.
 */
const NON_GLOBAL_TEXT = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
  '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7',
  'fe80::/10', 'ff00::/8',
];
export const NON_GLOBAL_BLOCKS: readonly Cidr[] = NON_GLOBAL_TEXT.map((t) => parseCidr(t)!);

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

export const BROAD_PREFIX: Record<IpVersion, number> = { 4: 8, 6: 16 };

export function cidrReach(cidr: Cidr): CidrReach {
  if (cidr.prefix === 0) return 'anywhere';
  if (NON_GLOBAL_BLOCKS.some((block) => cidrContains(block, cidr))) return 'private';
  return cidr.prefix <= BROAD_PREFIX[cidr.version] ? 'broad-public' : 'public';
}

/** "Open to the internet" for trailbook: anywhere or a broad public range (see docs/port-semantics.md). */
export function isInternetCidr(cidr: Cidr): boolean {
  const reach = cidrReach(cidr);
  return reach === 'anywhere' || reach === 'broad-public';
}

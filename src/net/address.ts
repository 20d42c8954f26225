/**
 * The one IPv4 / IPv6 address and CIDR module of trailbook (intel, ports and flows all use it).
 *
 * Addresses are unsigned 32-bit words (one word for IPv4, four for IPv6, most significant first):
 * the longest-prefix table of `src/intel/prefix-table.ts` stores them in typed arrays as they are.
 * Parsing is strict and dependency-free: log values are attacker-controlled, so anything ambiguous
 * (leading zeros in an octet, short forms like `10.1`) is rejected with a reason instead of being
 * guessed. The reasons are part of the contract: intel feeds report bad lines with them verbatim.
 *
 * What differs between callers is an option, never a second parser:
 * - `hostBits`: `note` (default; feeds: masked, with a note), `mask` (EC2: `208.236.235.254/0` is
 *   `0.0.0.0/0`, silently), `reject` (trusted networks: "did you mean …?");
 * - `mapped`: `ipv4` (default; `::ffff:1.2.3.4` is judged as `1.2.3.4`) or `keep` (rules and
 *   packets: an IPv6 rule never matches IPv4 traffic);
 * - `zone`: `strip` (default; `fe80::1%eth0`) or `reject` (a zone id is never valid in a rule);
 * - `lenientLength`: accept a prefix length with leading zeros (`/08`), as ports and flows always did.
 *
 * The deliberate differences from the three parsers this module replaced are listed, with
 * reasons, in `docs/net.md`, each asserted in `test/net/address.test.ts`.
 */

export type Family = 4 | 6;

export interface Address {
  readonly family: Family;
  /** 1 word (IPv4) or 4 words (IPv6), each an unsigned 32-bit integer. */
  readonly words: readonly number[];
}

export interface Prefix extends Address {
  /** Prefix length in bits: 0..32 (IPv4) or 0..128 (IPv6). */
  readonly length: number;
}

export type ParseResult<T> = { ok: true; value: T; note?: string } | { ok: false; reason: string };

export interface AddressOptions {
  /** `::ffff:a.b.c.d`: `ipv4` (default) turns it into the IPv4 address with a note; `keep` keeps it IPv6. */
  readonly mapped?: 'ipv4' | 'keep';
  /** An IPv6 `%zone` suffix: `strip` (default) or `reject`. */
  readonly zone?: 'strip' | 'reject';
}

export type HostBits = 'note' | 'mask' | 'reject';

export interface PrefixOptions extends AddressOptions {
  /** Host bits set (`10.0.0.1/8`): `note` (default) masks with a note, `mask` masks silently, `reject` refuses. */
  readonly hostBits?: HostBits;
  /** Accept leading zeros in the prefix length (`/08` is /8). Default false: rejected. */
  readonly lenientLength?: boolean;
}

export type PrefixResult =
  | { ok: true; value: Prefix; note?: string /** The text had host bits set (the value is masked). */; hostBitsSet: boolean }
  | { ok: false; reason: string };

/** Intel's rules (feeds, classify): mapped → IPv4, zones stripped, host bits masked with a note. */
export const FEED_OPTIONS: PrefixOptions = Object.freeze({});
/** Trusted-network files: as feeds, but host bits are an error. */
export const STRICT_OPTIONS: PrefixOptions = Object.freeze({ hostBits: 'reject' });
/** EC2 rule semantics (src/ports): host bits masked, IPv6 stays IPv6, no zone ids, `/08` accepted. */
export const EC2_RULE_OPTIONS: PrefixOptions = Object.freeze({ hostBits: 'mask', mapped: 'keep', zone: 'reject', lenientLength: true });
/** Packet addresses and VPC CIDRs (src/flows): host bits masked, IPv6 stays IPv6, zones stripped, `/08` accepted. */
export const PACKET_OPTIONS: PrefixOptions = Object.freeze({ hostBits: 'mask', mapped: 'keep', lenientLength: true });

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Dotted-quad IPv4 to an unsigned 32-bit integer, or a reason. */
export function parseIPv4(text: string): ParseResult<number> {
  const parts = text.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'IPv4 needs four dotted parts' };
  let value = 0;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) {
      return {
        ok: false,
        reason: /^0[0-9]/.test(part) ? `leading zero in octet "${part}" (ambiguous: octal or decimal)` : `bad octet "${part}"`,
      };
    }
    const n = Number(part);
    if (n > 255) return { ok: false, reason: `octet ${n} is over 255` };
    value = value * 256 + n;
  }
  return { ok: true, value: value >>> 0 };
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** IPv6 text (with `::` and an optional dotted IPv4 tail) to four 32-bit words, or a reason. */
export function parseIPv6(text: string): ParseResult<number[]> {
  if (text.length > 45) return { ok: false, reason: 'IPv6 text too long' };
  const halves = text.split('::');
  if (halves.length > 2) return { ok: false, reason: 'more than one "::"' };
  const groupsOf = (part: string, last: boolean): number[] | string => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      // a dotted IPv4 tail is only valid as the last two groups of the whole address
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece);
        if (!v4.ok) return `embedded IPv4: ${v4.reason}`;
        out.push(v4.value >>> 16, v4.value & 0xffff);
      } else if (HEX_GROUP.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return `bad group "${piece}"`;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!, halves.length === 1);
  if (typeof head === 'string') return { ok: false, reason: head };
  let groups: number[];
  if (halves.length === 2) {
    const tail = groupsOf(halves[1]!, true);
    if (typeof tail === 'string') return { ok: false, reason: tail };
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return { ok: false, reason: '"::" stands for no group' };
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return { ok: false, reason: 'IPv6 needs eight groups' };
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push(((groups[i]! << 16) | groups[i + 1]!) >>> 0);
  return { ok: true, value: words };
}

/** True when IPv6 words are IPv4-mapped (`::ffff:a.b.c.d`). */
export function isMapped(words: readonly number[]): boolean {
  return words.length === 4 && words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/**
 * One address as it appears in a log: surrounding spaces, `[v6]` brackets and (unless `zone:
 * 'reject'`) a `%zone` suffix are tolerated; IPv4-mapped IPv6 becomes the IPv4 address with a note
 * (unless `mapped: 'keep'`).
 */
export function parseAddress(input: string, options: AddressOptions = {}): ParseResult<Address> {
  let text = input.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text === '') return { ok: false, reason: 'empty' };
  if (text.includes(':')) {
    const zone = text.indexOf('%');
    if (zone >= 0) {
      if (options.zone === 'reject') return { ok: false, reason: `zone id "${text.slice(zone)}" is not allowed here` };
      text = text.slice(0, zone);
    }
    const v6 = parseIPv6(text);
    if (!v6.ok) return v6;
    if (options.mapped !== 'keep' && isMapped(v6.value)) {
      return { ok: true, value: { family: 4, words: [v6.value[3]!] }, note: `IPv4-mapped IPv6 ${input.trim()}` };
    }
    return { ok: true, value: { family: 6, words: v6.value } };
  }
  const v4 = parseIPv4(text);
  if (!v4.ok) return v4;
  return { ok: true, value: { family: 4, words: [v4.value] } };
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** The mask word for word `index` of a prefix of `length` bits. */
export function maskWord(length: number, index: number): number {
  const used = length - index * 32;
  if (used >= 32) return 0xffffffff;
  if (used <= 0) return 0;
  return (0xffffffff << (32 - used)) >>> 0;
}

/** The first address of the prefix (network address). */
export function networkWords(words: readonly number[], length: number): number[] {
  return words.map((w, i) => (w & maskWord(length, i)) >>> 0);
}

/** The last address of the prefix. */
export function lastWords(words: readonly number[], length: number): number[] {
  return words.map((w, i) => (w | ~maskWord(length, i)) >>> 0);
}

const LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;
const LENIENT_LENGTH = /^[0-9]{1,3}$/;

/** `a.b.c.d/len`, `v6/len`, or a bare address (a /32 or /128). */
export function parsePrefix(input: string, options: PrefixOptions = {}): PrefixResult {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const parsed = parseAddress(addrText, options);
  if (!parsed.ok) return parsed;
  const { family, words } = parsed.value;
  const mappedFrom6 = parsed.note !== undefined;
  let length = bits(family);
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!(options.lenientLength ? LENIENT_LENGTH : LENGTH).test(lenText)) return { ok: false, reason: `bad prefix length "${lenText}"` };
    length = Number(lenText);
    if (mappedFrom6) {
      if (length < 96 || length > 128) return { ok: false, reason: 'IPv4-mapped prefix length must be 96..128' };
      length -= 96;
    }
    if (length > bits(family)) return { ok: false, reason: `prefix length ${length} is over ${bits(family)}` };
  }
  const network = networkWords(words, length);
  const value: Prefix = { family, words: network, length };
  let note: string | undefined = parsed.note;
  const hostBitsSet = network.some((w, i) => w !== words[i]);
  if (hostBitsSet) {
    const mode = options.hostBits ?? 'note';
    if (mode === 'reject') return { ok: false, reason: `host bits set; did you mean ${formatPrefix(value)}?` };
    if (mode === 'note') note = `host bits set in ${text}, masked`;
  }
  return note === undefined ? { ok: true, value, hostBitsSet } : { ok: true, value, note, hostBitsSet };
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 text: lower case, longest run of two or more zero groups compressed. */
export function formatIPv6(words: readonly number[]): string {
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function formatAddress(address: Address): string {
  return address.family === 4 ? formatIPv4(address.words[0]!) : formatIPv6(address.words);
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatAddress(prefix)}/${prefix.length}`;
}

/** Whether `prefix` contains `address` (same family only). */
export function prefixContains(prefix: Prefix, address: Address): boolean {
  if (prefix.family !== address.family) return false;
  for (let i = 0; i < prefix.words.length; i++) {
    if ((address.words[i]! & maskWord(prefix.length, i)) >>> 0 !== prefix.words[i]) return false;
  }
  return true;
}

/** Whether `inner` lies entirely inside `outer` (same family only). */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.length <= inner.length && prefixContains(outer, inner);
}

/** Whether the address text lies in one of `prefixes`; text that is not an address matches nothing. */
export function addressInPrefixes(text: string | null | undefined, prefixes: readonly Prefix[], options: AddressOptions = {}): boolean {
  if (!text || prefixes.length === 0) return false;
  const parsed = parseAddress(text, options);
  if (!parsed.ok) return false;
  return prefixes.some((p) => prefixContains(p, parsed.value));
}

/** Words as one unsigned integer (for callers that kept a bigint API). */
export function wordsToBigInt(words: readonly number[]): bigint {
  let value = 0n;
  for (const w of words) value = (value << 32n) | BigInt(w >>> 0);
  return value;
}

/** An unsigned integer as the words of `family`. */
export function bigIntToWords(family: Family, value: bigint): number[] {
  const count = family === 4 ? 1 : 4;
  const words: number[] = [];
  for (let i = count - 1; i >= 0; i--) words.push(Number((value >> BigInt(32 * i)) & 0xffffffffn));
  return words;
}

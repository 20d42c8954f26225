/**
 * Adapter: flows' names over `src/net/address.ts` with `PACKET_OPTIONS` (addresses as flow logs
 * write them: IPv4-mapped stays IPv6, zone ids stripped, host bits of a VPC CIDR masked). Kept
 * because `connections.ts` and the flows CLI call these names; not part of the `flows` barrel
 * (`parseCidr` / `Cidr` there are the EC2 ones of `src/ports`). Invalid input never throws: it
 * simply matches nothing.
 */
import { PACKET_OPTIONS, parseAddress, parsePrefix, wordsToBigInt } from '../net/address.js';

export interface Cidr {
  readonly text: string;
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly mask: bigint;
}

export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  const r = parseAddress(text, PACKET_OPTIONS);
  return r.ok ? { family: r.value.family, value: wordsToBigInt(r.value.words) } : null;
}

export function parseCidr(text: string): Cidr | null {
  const r = parsePrefix(text, PACKET_OPTIONS);
  if (!r.ok) return null;
  const width = r.value.family === 4 ? 32 : 128;
  const all = (1n << BigInt(width)) - 1n;
  const mask = r.value.length === 0 ? 0n : (all << BigInt(width - r.value.length)) & all;
  return { text: text.trim(), family: r.value.family, base: wordsToBigInt(r.value.words), mask };
}

export function inCidrs(address: string | null | undefined, cidrs: readonly Cidr[]): boolean {
  if (!address || cidrs.length === 0) return false;
  const ip = parseIp(address);
  if (!ip) return false;
  return cidrs.some((c) => c.family === ip.family && (ip.value & c.mask) === c.base);
}

import { carriesPorts, enforcesPortRange, type Protocol } from './protocol.js';

/** An inclusive port range. `null` in a rule means every port of its protocol. */
export interface PortRange {
  from: number;
  to: number;
}

export const MIN_PORT = 0;
export const MAX_PORT = 65535;

/** A port given as a number or a string (`"8443"`); undefined for anything else or out of range. */
export function parsePort(value: unknown): number | undefined {
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) number = Number(value);
  else return undefined;
  if (!Number.isInteger(number) || number < MIN_PORT || number > MAX_PORT) return undefined;
  return number;
}

/** What a rule's from/to fields mean for a given protocol. */
export type PortsMeaning =
  | { kind: 'all' } // every port (all-traffic rule, or a range AWS does not enforce)
  | { kind: 'range'; range: PortRange } // inclusive range, from <= to
  | { kind: 'none'; reason: string }; // protocol without ports (ICMP type/code, GRE, ESP…)

/**
 * Interprets a rule's `fromPort`/`toPort` for its protocol, the way EC2 does:
 * - `all` (-1): every protocol and port; any from/to given is ignored by AWS.
 * - tcp/udp: an inclusive range; `-1`/absent on both ends means all ports; a reversed pair is
 *   read as the range between them (AWS rejects it, but a failed call still deserves a reading).
 * - icmp/icmpv6: from/to are ICMP type and code, never ports.
 * - other port-bearing protocols (sctp…): AWS allows all ports whatever range is given.
 * - protocols without ports (gre, esp…): no port at all.
 */
export function portsMeaning(protocol: Protocol, fromValue: unknown, toValue: unknown): PortsMeaning {
  if (protocol === 'all') return { kind: 'all' };
  if (!carriesPorts(protocol)) {
    return { kind: 'none', reason: protocol === 'icmp' || protocol === 'icmpv6' ? 'ICMP type/code are not ports' : `protocol ${protocol} has no ports` };
  }
  if (!enforcesPortRange(protocol)) return { kind: 'all' };
  const from = parsePortOrWildcard(fromValue);
  const to = parsePortOrWildcard(toValue);
  if (from === 'wildcard' && to === 'wildcard') return { kind: 'all' };
  const low = from === 'wildcard' ? MIN_PORT : from;
  const high = to === 'wildcard' ? (from === 'wildcard' ? MAX_PORT : low) : to;
  // An unreadable port cannot be judged; showing the rule as all ports keeps it visible to the
  // investigator instead of silently dropping a possible exposure.
  if (low === undefined || high === undefined) return { kind: 'all' };
  return { kind: 'range', range: { from: Math.min(low, high), to: Math.max(low, high) } };
}

function parsePortOrWildcard(value: unknown): number | 'wildcard' | undefined {
  if (value === undefined || value === null || value === -1 || value === '-1' || value === '') return 'wildcard';
  return parsePort(value);
}

export function rangeContains(range: PortRange, port: number): boolean {
  return range.from <= port && port <= range.to;
}

export function meaningMatchesPort(meaning: PortsMeaning, port: number): boolean {
  if (meaning.kind === 'all') return true;
  if (meaning.kind === 'none') return false;
  return rangeContains(meaning.range, port);
}

export function formatPorts(meaning: PortsMeaning): string {
  if (meaning.kind === 'all') return 'all ports';
  if (meaning.kind === 'none') return 'no ports';
  const { from, to } = meaning.range;
  return from === to ? `port ${from}` : `ports ${from}-${to}`;
}

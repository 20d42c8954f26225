import { TrailbookError } from '../errors.js';
import { parsePortProtocol, type PortProtocol } from '../ports/protocol.js';

/** The store every command uses unless told otherwise: next to the investigation, not global. */
export const DEFAULT_DB = '.trailbook/trailbook.duckdb';

export function parseTime(value: string, flag: string): Date {
  // A bare date means the start of that day, UTC, as in CloudTrail's folder layout.
  const normalized = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = Date.parse(normalized);
  if (Number.isNaN(ms)) {
    throw new TrailbookError('USAGE', `${flag} "${value}" is not a time`, { hint: 'use ISO-8601, e.g. 2024-05-01 or 2024-05-01T13:00:00Z' });
  }
  return new Date(ms);
}

/** `--protocol`: the transport of the port question (ports/protocol.ts), checked once for every command. */
export const PROTOCOL_HELP = 'transport of the port: tcp | udp | any (default tcp: 8443 is HTTPS; UDP 8443 is QUIC, ask for it by name)';

export function parseProtocolFlag(value: string | undefined): PortProtocol | undefined {
  if (value === undefined) return undefined;
  const protocol = parsePortProtocol(value);
  if (protocol === undefined) throw new TrailbookError('USAGE', `--protocol "${value}" is not tcp, udp or any`, { hint: 'e.g. --protocol udp' });
  return protocol;
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

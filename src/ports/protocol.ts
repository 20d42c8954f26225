/**
 * IP protocols as EC2, VPC network ACLs, ELB and Lightsail spell them. Security groups and ACLs
 * accept a name (`tcp`), an IANA number (`6`, as a string or a number) or `-1` for "all"; ELB uses
 * application names (HTTPS) that ride on a transport; Lightsail says `all`.
 */
export type Protocol = 'all' | string;

const NAME_BY_NUMBER: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmpv6', 132: 'sctp' };
const NUMBER_BY_NAME: Record<string, number> = Object.fromEntries(Object.entries(NAME_BY_NUMBER).map(([number, name]) => [name, Number(number)]));

/** Transport protocols that carry port numbers. ICMP type/code are not ports; GRE, ESP have none. */
const PORT_BEARING = new Set(['tcp', 'udp', 'sctp', '33' /* dccp */, '136' /* udplite */]);

/**
 * Protocols whose port range a security group or ACL actually enforces. AWS documents that for
 * any protocol other than tcp/udp (and icmp/icmpv6 type/code), "traffic on all ports is allowed,
 * regardless of any port range you specify" — so an sctp rule "for port 22" opens every sctp port.
 */
const RANGE_ENFORCED = new Set(['tcp', 'udp']);

/**
 * Canonical protocol: `all`, a known name (`tcp`, `icmpv6`), or the decimal protocol number as
 * text for the rest (`"4"`). Undefined when the value is not a protocol at all.
 */
export function parseProtocol(value: unknown): Protocol | undefined {
  if (typeof value === 'number') return numberToProtocol(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '-1' || trimmed === 'all' || trimmed === '*') return 'all';
  if (/^\d+$/.test(trimmed)) return numberToProtocol(Number(trimmed));
  if (trimmed === 'icmp-v6' || trimmed === 'ipv6-icmp') return 'icmpv6';
  if (trimmed in NUMBER_BY_NAME) return trimmed;
  return undefined;
}

function numberToProtocol(value: number): Protocol | undefined {
  if (value === -1) return 'all';
  if (!Number.isInteger(value) || value < 0 || value > 255) return undefined;
  return NAME_BY_NUMBER[value] ?? String(value);
}

export function protocolNumber(protocol: Protocol): number | undefined {
  if (protocol === 'all') return undefined;
  return NUMBER_BY_NAME[protocol] ?? Number(protocol);
}

export function carriesPorts(protocol: Protocol): boolean {
  return protocol === 'all' || PORT_BEARING.has(protocol);
}

export function enforcesPortRange(protocol: Protocol): boolean {
  return RANGE_ENFORCED.has(protocol);
}

/** The transport a port question is about (`--protocol`, the runbook's `protocol` parameter). */
export type PortProtocol = 'tcp' | 'udp' | 'any';
export const PORT_PROTOCOLS: readonly PortProtocol[] = ['tcp', 'udp', 'any'];

/**
 * TCP unless asked otherwise: a responder asking about 8443 (or 22, 3389, 5432) means a TCP
 * service nearly always; UDP 8443 is QUIC (HTTP/3), rare enough to ask for by name (`udp`, or
 * `any` for both). docs/port-semantics.md "The protocol of the question".
 */
export const DEFAULT_PORT_PROTOCOL: PortProtocol = 'tcp';

export function parsePortProtocol(value: unknown): PortProtocol | undefined {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  return (PORT_PROTOCOLS as readonly string[]).includes(text ?? '') ? (text as PortProtocol) : undefined;
}

/**
 * Whether a rule of `protocol` answers a question about `asked`: an all-traffic rule answers
 * every question; otherwise only its own transport does (a UDP rule never answers a TCP
 * question), and `any` takes every protocol that has ports (sctp included).
 */
export function protocolAnswers(protocol: Protocol | null, asked: PortProtocol): boolean {
  if (protocol === null) return false;
  return asked === 'any' || protocol === 'all' || protocol === asked;
}

/** Whether a flow record's IANA protocol number answers `asked` (an unknown one only `any`). */
export function flowProtocolAnswers(protocol: number | null, asked: PortProtocol): boolean {
  return asked === 'any' || (protocol !== null && protocol === NUMBER_BY_NAME[asked]);
}

export function isIcmp(protocol: Protocol): boolean {
  return protocol === 'icmp' || protocol === 'icmpv6';
}

/**
 * Transports under an ELB / Global Accelerator protocol name. HTTP, HTTPS, TLS and SSL ride on
 * TCP; GENEVE (Gateway Load Balancer) on UDP; TCP_UDP listens on both.
 */
export function transportsOfListenerProtocol(value: unknown): Protocol[] {
  const name = typeof value === 'string' ? value.trim().toUpperCase() : '';
  switch (name) {
    case 'HTTP':
    case 'HTTPS':
    case 'TLS':
    case 'SSL':
    case 'TCP':
      return ['tcp'];
    case 'UDP':
    case 'GENEVE':
      return ['udp'];
    case 'TCP_UDP':
      return ['tcp', 'udp'];
    default:
      // An absent protocol (ModifyListener that changes only the port) keeps the listener's
      // protocol, which the event does not repeat; every ELB listener is TCP or UDP, so say both.
      return ['tcp', 'udp'];
  }
}

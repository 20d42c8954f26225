import type { Connection } from './connections.js';

/**
 * Connections laid over exposure windows (pure). An exposure window is a period during which
 * CloudTrail shows a path to a port range opened (by src/ports); this module only needs the
 * structural fields below, so it does not depend on src/ports.
 */
export interface ExposureWindowLike {
  /** The resource the change applied to: `sg-…`, `acl-…`, `eni-…`, `i-…`, a load balancer ARN. */
  resource: string;
  /** `inbound` (ingress rule, listener, inbound ACL entry) or `outbound` (egress rule). */
  direction: string;
  openedAt: string;
  /** Null while still open. */
  closedAt: string | null;
  /** The CloudTrail eventID that opened it. */
  eventId: string;
  /** Null = all ports (`ipProtocol -1`). */
  fromPort: number | null;
  toPort: number | null;
  /** `tcp`, `udp`, `icmp`, `-1`/`all`, or the protocol number; absent = any. */
  protocol?: string | null;
  /** The interfaces / instances the window covers, when known. Otherwise a window on an `eni-`/`i-` resource covers that one, and any other resource (security group, ACL, …) covers every interface. */
  interfaceIds?: readonly string[];
  instanceIds?: readonly string[];
}

export interface WindowConnections<W extends ExposureWindowLike = ExposureWindowLike> {
  window: W;
  connections: Connection[];
  accepted: number;
  rejected: number;
  bytes: number;
  /** Distinct remote addresses. */
  peers: string[];
  firstSeen: string | null;
  lastSeen: string | null;
}

export type UnexposedReason = 'accepted-before-exposure' | 'accepted-without-exposure' | 'rejected-without-exposure';

export interface UnexposedConnection {
  connection: Connection;
  reason: UnexposedReason;
  explanation: string;
}

export interface Overlay<W extends ExposureWindowLike = ExposureWindowLike> {
  windows: WindowConnections<W>[];
  /** Connections that no exposure window covers. */
  unexposed: UnexposedConnection[];
}

const PROTOCOL_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

function protocolMatches(window: ExposureWindowLike, c: Connection): boolean {
  const p = window.protocol?.toLowerCase();
  if (p === undefined || p === null || p === '' || p === '-1' || p === 'all') return true;
  const n = PROTOCOL_NUMBERS[p] ?? Number(p);
  return c.protocol === null || n === c.protocol;
}

function portMatches(window: ExposureWindowLike, port: number): boolean {
  if (window.fromPort === null && window.toPort === null) return true;
  const from = window.fromPort ?? 0;
  const to = window.toPort ?? 65535;
  return port >= from && port <= to;
}

function resourceMatches(window: ExposureWindowLike, c: Connection): boolean {
  if (window.interfaceIds?.length || window.instanceIds?.length) {
    return (!!c.interfaceId && !!window.interfaceIds?.includes(c.interfaceId)) || (!!c.instanceId && !!window.instanceIds?.includes(c.instanceId));
  }
  if (window.resource.startsWith('eni-')) return c.interfaceId === window.resource;
  if (window.resource.startsWith('i-')) return c.instanceId === window.resource;
  return true;
}

/** A connection's [firstSeen, lastSeen] in epoch ms; null when either is missing (it then overlaps no window). */
type Span = readonly [number, number] | null;

function spanOf(c: Connection): Span {
  return c.firstSeen && c.lastSeen ? [Date.parse(c.firstSeen), Date.parse(c.lastSeen)] : null;
}

/** Whether the connection's span overlaps the window [opened, closed). */
function timeMatches(opened: number, closed: number, span: Span): boolean {
  return span !== null && span[1] >= opened && span[0] < closed;
}

function directionMatches(window: ExposureWindowLike, c: Connection): boolean {
  // A connection of unknown direction is matched by either kind of window (it cannot be excluded).
  return c.direction === 'unknown' || c.direction === window.direction;
}

function structureMatches(window: ExposureWindowLike, c: Connection): boolean {
  return portMatches(window, c.port) && protocolMatches(window, c) && directionMatches(window, c) && resourceMatches(window, c);
}

export function windowCovers(window: ExposureWindowLike, c: Connection): boolean {
  const closed = window.closedAt === null ? Number.POSITIVE_INFINITY : Date.parse(window.closedAt);
  return structureMatches(window, c) && timeMatches(Date.parse(window.openedAt), closed, spanOf(c));
}

export function overlayConnections<W extends ExposureWindowLike>(connections: readonly Connection[], windows: readonly W[]): Overlay<W> {
  // Every window is checked against every connection: the times are parsed once, not per pair.
  const spans = connections.map(spanOf);
  const covered = new Set<Connection>();
  const out: WindowConnections<W>[] = windows.map((window) => {
    const opened = Date.parse(window.openedAt);
    const closed = window.closedAt === null ? Number.POSITIVE_INFINITY : Date.parse(window.closedAt);
    const inside = connections.filter((c, i) => structureMatches(window, c) && timeMatches(opened, closed, spans[i]!));
    for (const c of inside) covered.add(c);
    const seen = inside.flatMap((c) => [c.firstSeen, c.lastSeen]).filter((t): t is string => t !== null).sort();
    return {
      window,
      connections: inside,
      accepted: inside.filter((c) => c.action === 'ACCEPT' || c.action === 'MIXED').length,
      rejected: inside.filter((c) => c.action === 'REJECT').length,
      bytes: inside.reduce((s, c) => s + c.bytes, 0),
      peers: [...new Set(inside.map((c) => c.remoteAddress ?? c.client).filter((a): a is string => !!a))].sort(),
      firstSeen: seen[0] ?? null,
      lastSeen: seen[seen.length - 1] ?? null,
    };
  });

  const unexposed: UnexposedConnection[] = [];
  for (const c of connections) {
    if (covered.has(c)) continue;
    if (c.action === 'REJECT') {
      unexposed.push({
        connection: c,
        reason: 'rejected-without-exposure',
        explanation: `rejected on port ${c.port} with no exposure window: consistent with the port being closed (an attempt, not a connection)`,
      });
      continue;
    }
    const later = windows
      .filter((w) => structureMatches(w, c) && c.firstSeen && Date.parse(w.openedAt) > Date.parse(c.firstSeen))
      .map((w) => w.openedAt)
      .sort();
    if (later.length) {
      unexposed.push({
        connection: c,
        reason: 'accepted-before-exposure',
        explanation: `accepted on port ${c.port} before the first recorded exposure (opened ${later[0]}, event ${windows.find((w) => w.openedAt === later[0])?.eventId}): the path existed before CloudTrail shows it opened`,
      });
    } else {
      unexposed.push({
        connection: c,
        reason: 'accepted-without-exposure',
        explanation: `accepted on port ${c.port} with no exposure in CloudTrail: the exposure is older than the logs, or the path is one CloudTrail cannot see (a rule from before logging began, another account or region, a load balancer or peering path)`,
      });
    }
  }
  return { windows: out, unexposed };
}

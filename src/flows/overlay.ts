import type { Connection } from './connections.js';
import { inCidrs, parseCidr } from './cidr.js';
import { NO_MEMBERSHIP, type Membership } from '../topology/membership.js';

/**
 * Connections laid over exposure windows (pure). An exposure window is a period during which
 * CloudTrail shows a path to a port range opened (by src/ports); this module only needs the
 * structural fields below, so it does not depend on src/ports.
 *
 * Topology comes before attribution (docs/vpc-flow-logs.md, "Attribution"): a window covers a
 * connection only in the same account, region and VPC (each compared when both sides know it),
 * and then
 * - **resource**: the change names the interface, instance or load-balancer target itself;
 * - **membership**: CloudTrail says the interface carried the group at that moment (src/topology);
 *   an interface known to carry other groups only is never covered;
 * - **inference**: nothing says which interfaces the rule fronts, so an interface is credited when
 *   it accepted a matching connection while the window was open, with that reason in words —
 *   unless a REJECT on it of a peer the rule admits contradicts the rule fronting it (security
 *   groups and network ACLs filter at the interface; a listener's backends see the load balancer).
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
  /** The interfaces / instances the change itself names (a load-balancer target). */
  interfaceIds?: readonly string[];
  instanceIds?: readonly string[];
  /** Where the change was made (recipientAccountId, awsRegion); null or absent = unknown. */
  accountId?: string | null;
  region?: string | null;
  /** `security-group`, `network-acl`, … : contradictions count only for filters at the interface. */
  resourceType?: string;
  /** The peer the rule admits when it is a CIDR: a REJECT of a peer inside it contradicts the rule. */
  peerCidr?: string | null;
}

export type AttributionBasis = 'resource' | 'membership' | 'inference';

export interface Attribution {
  basis: AttributionBasis;
  /** In words, for the evidence row. */
  reason: string;
}

/** An interface a window would have covered by inference, and the REJECT that says it does not. */
export interface ExcludedInterface {
  interfaceId: string;
  reason: string;
}

export interface WindowConnections<W extends ExposureWindowLike = ExposureWindowLike> {
  window: W;
  connections: Connection[];
  /** How each connection of `connections` came to be credited to the window. */
  attribution: Map<Connection, Attribution>;
  /** Interfaces left out of the window's inference by a contradicting REJECT. */
  excluded: ExcludedInterface[];
  accepted: number;
  rejected: number;
  bytes: number;
  /** Distinct remote addresses. */
  peers: string[];
  firstSeen: string | null;
  lastSeen: string | null;
}

export type UnexposedReason = 'accepted-before-exposure' | 'accepted-without-exposure' | 'rejected-without-exposure' | 'contradicted-exposure';

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

/** A window that names its interfaces, instances or targets covers those only (null = it names none). */
function namedResourceMatches(window: ExposureWindowLike, c: Connection): boolean | null {
  if (window.interfaceIds?.length || window.instanceIds?.length) {
    return (!!c.interfaceId && !!window.interfaceIds?.includes(c.interfaceId)) || (!!c.instanceId && !!window.instanceIds?.includes(c.instanceId));
  }
  if (window.resource.startsWith('eni-')) return c.interfaceId === window.resource;
  if (window.resource.startsWith('i-')) return c.instanceId === window.resource;
  return null;
}

/** Where the connection's interface lives: the flow record's fields, else what CloudTrail says. */
function placementOf(c: Connection, membership: Membership): { accountId: string | null; region: string | null; vpcId: string | null } {
  const facts = membership.interfaceFacts(c.interfaceId);
  return { accountId: c.accountId ?? facts?.accountId ?? null, region: c.region ?? facts?.region ?? null, vpcId: c.vpcId ?? facts?.vpcId ?? null };
}

/** Same account, region and VPC, each compared only when both sides know it. */
function placementMatches(window: ExposureWindowLike, c: Connection, membership: Membership): boolean {
  const here = placementOf(c, membership);
  const group = membership.groupPlacement(window.resource); // a security group's or network ACL's VPC
  const same = (a: string | null | undefined, b: string | null | undefined) => !a || !b || a === b;
  return same(window.accountId, here.accountId) && same(window.region, here.region) && same(group?.vpcId, here.vpcId);
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
  return portMatches(window, c.port) && protocolMatches(window, c) && directionMatches(window, c);
}

/** Whether the window could cover the connection at all: structure, time and placement (not yet which interfaces it fronts). */
function inScope(window: ExposureWindowLike, open: WindowSpan, c: Connection, span: Span, membership: Membership): boolean {
  return structureMatches(window, c) && timeMatches(open.opened, open.closed, span) && placementMatches(window, c, membership);
}

/** A window's [opened, closed) in epoch ms, parsed once per window rather than once per connection. */
interface WindowSpan {
  opened: number;
  closed: number;
}

function windowSpan(window: ExposureWindowLike): WindowSpan {
  return { opened: Date.parse(window.openedAt), closed: window.closedAt === null ? Number.POSITIVE_INFINITY : Date.parse(window.closedAt) };
}

export function windowCovers(window: ExposureWindowLike, c: Connection, membership: Membership = NO_MEMBERSHIP): boolean {
  return attributeWindow(window, [c], [spanOf(c)], membership).attribution.has(c);
}

const FILTERS_AT_INTERFACE = new Set(['security-group', 'network-acl']);
const interfaceKey = (c: Connection) => c.interfaceId ?? c.instanceId ?? `-${c.key}`;
const isAccepted = (c: Connection) => c.action === 'ACCEPT' || c.action === 'MIXED';

function minutesAfter(from: string, to: string | null): string {
  const minutes = Math.round((Date.parse(to ?? from) - Date.parse(from)) / 60000);
  return minutes > 0 ? `${minutes} min after` : 'in the same flow-log interval as';
}

/**
 * The connections one window covers, and how (see the module comment): `resource` and
 * `membership` per connection, `inference` per interface, with contradictions excluding one.
 */
function attributeWindow(
  window: ExposureWindowLike,
  connections: readonly Connection[],
  spans: readonly Span[],
  membership: Membership,
): { attribution: Map<Connection, Attribution>; excluded: ExcludedInterface[]; contradicted: Map<Connection, string> } {
  const attribution = new Map<Connection, Attribution>();
  const excluded: ExcludedInterface[] = [];
  const contradicted = new Map<Connection, string>();
  const unknown = new Map<string, Connection[]>();
  const isGroup = window.resource.startsWith('sg-');
  const open = windowSpan(window);
  connections.forEach((c, i) => {
    if (!inScope(window, open, c, spans[i]!, membership)) return;
    const named = namedResourceMatches(window, c);
    if (named !== null) {
      if (named)
        attribution.set(c, {
          basis: 'resource',
          reason: `the change names ${window.resource.startsWith('eni-') ? c.interfaceId : (c.instanceId ?? c.interfaceId)} itself`,
        });
      return;
    }
    const setting = isGroup ? membership.groupsAt(c.interfaceId, c.instanceId, c.firstSeen ?? window.openedAt) : null;
    if (setting) {
      if (setting.groups.includes(window.resource)) {
        const blocked = c.action === 'REJECT' ? '; rejected although the group admits it: a network ACL or another path blocked it' : '';
        attribution.set(c, {
          basis: 'membership',
          reason: `${c.interfaceId ?? c.instanceId} carries ${window.resource} since ${setting.eventName} at ${setting.at}${blocked}`,
        });
      }
      return;
    }
    const key = interfaceKey(c);
    const list = unknown.get(key);
    if (list) list.push(c);
    else unknown.set(key, [c]);
  });

  const opened = Date.parse(window.openedAt);
  const admitted = window.peerCidr ? parseCidr(window.peerCidr) : null;
  const contradicts = (c: Connection) =>
    FILTERS_AT_INTERFACE.has(window.resourceType ?? '') &&
    admitted !== null &&
    c.action === 'REJECT' &&
    c.direction === window.direction &&
    c.firstSeen !== null &&
    Date.parse(c.firstSeen) >= opened &&
    inCidrs(c.remoteAddress, [admitted]);
  const what = isGroup ? `membership of ${window.resource} unknown` : `which interfaces ${window.resource} fronts is not in CloudTrail`;
  for (const [key, list] of unknown) {
    const against = list.find(contradicts);
    const name = list[0]!.interfaceId ?? list[0]!.instanceId ?? key;
    if (against) {
      const reason = `a REJECT of ${against.remoteAddress} on ${against.port} at ${against.firstSeen} although ${window.resource} admits ${window.peerCidr} (event ${window.eventId}): the rule does not front ${name}, or a network ACL blocks it`;
      excluded.push({ interfaceId: name, reason });
      for (const c of list) contradicted.set(c, reason);
      continue;
    }
    const first = list.find(isAccepted);
    if (!first) continue; // nothing on this interface says the path was open
    const reason = `first accepted ${first.direction} ${first.port} on ${name} ${minutesAfter(window.openedAt, first.firstSeen)} the rule opened; ${what}`;
    for (const c of list) attribution.set(c, { basis: 'inference', reason });
  }
  return { attribution, excluded, contradicted };
}

export function overlayConnections<W extends ExposureWindowLike>(
  connections: readonly Connection[],
  windows: readonly W[],
  membership: Membership = NO_MEMBERSHIP,
): Overlay<W> {
  // Every window is checked against every connection: the times are parsed once, not per pair.
  const spans = connections.map(spanOf);
  const covered = new Set<Connection>();
  const contradictions = new Map<Connection, string>();
  const out: WindowConnections<W>[] = windows.map((window) => {
    const { attribution, excluded, contradicted } = attributeWindow(window, connections, spans, membership);
    const inside = connections.filter((c) => attribution.has(c));
    for (const c of inside) covered.add(c);
    for (const [c, reason] of contradicted) if (!contradictions.has(c)) contradictions.set(c, reason);
    const seen = inside
      .flatMap((c) => [c.firstSeen, c.lastSeen])
      .filter((t): t is string => t !== null)
      .sort();
    return {
      window,
      connections: inside,
      attribution,
      excluded,
      accepted: inside.filter(isAccepted).length,
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
    const contradiction = contradictions.get(c);
    if (contradiction !== undefined) {
      unexposed.push({ connection: c, reason: 'contradicted-exposure', explanation: `not credited to an open rule: ${contradiction}` });
      continue;
    }
    if (c.action === 'REJECT') {
      unexposed.push({
        connection: c,
        reason: 'rejected-without-exposure',
        explanation: `rejected on port ${c.port} with no exposure window: consistent with the port being closed (an attempt, not a connection)`,
      });
      continue;
    }
    const later = windows
      .filter((w) => structureMatches(w, c) && placementMatches(w, c, membership) && c.firstSeen && Date.parse(w.openedAt) > Date.parse(c.firstSeen))
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

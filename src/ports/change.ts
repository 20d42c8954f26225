import type { CloudTrailRow } from '../tables/cloudtrail.js';
import { parseRuleCidr, prefixReach } from './cidr.js';
import { judgePeer, type Peer } from './peer.js';
import { formatPorts } from './ports.js';
import { carriesPorts, type Protocol } from './protocol.js';
import type { NetworkRule } from './rule.js';

/**
 * - open: a successful call that admits traffic (a rule, entry, listener, target port).
 * - close: a successful call that removes or narrows one (revoke, delete, deny entry, deregister).
 * - attempt: any call with an errorCode — it changed nothing, but someone tried.
 * - attach: groups put on an interface, instance or load balancer; the ports it opens depend on
 *   the groups' rules, which the event does not carry.
 */
export type ExposureAction = 'open' | 'close' | 'attempt' | 'attach';
export type Direction = 'ingress' | 'egress';

export type ResourceType =
  | 'security-group'
  | 'network-acl'
  | 'elbv2-listener'
  | 'elbv2-load-balancer'
  | 'elbv2-target-group'
  | 'classic-elb-listener'
  | 'classic-elb-backend'
  | 'classic-elb'
  | 'global-accelerator-listener'
  | 'lightsail-instance'
  | 'rds-db-security-group'
  | 'network-interface'
  | 'instance';

/** One change to a path to a port, from one CloudTrail event. An event yields zero or more. */
export interface ExposureChange {
  eventId: string | null;
  /** ISO-8601 UTC to the second, canonical whatever the log wrote (store/event-time.ts). */
  eventTime: string | null;
  action: ExposureAction;
  /** Group id, ACL id, listener / target group ARN, load balancer or instance name. */
  resource: string | null;
  resourceType: ResourceType;
  direction: Direction;
  /** `all`, `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number as text; null for attach. */
  protocol: Protocol | null;
  /** Inclusive; both null = every port of the protocol (or no ports: see `protocol`). */
  fromPort: number | null;
  toPort: number | null;
  peer: Peer;
  internetExposed: boolean;
  /**
   * The slot this change writes, when the API addresses rules by slot rather than by content:
   * a security-group rule id (`sgr-…`), a NACL `ingress#100`, a listener ARN, a Lightsail
   * instance. `*` = the whole resource (DeleteListener, PutInstancePublicPorts replaces all).
   */
  ruleKey: string | null;
  /** Group ids attached (attach only). */
  groupIds: string[] | null;
  actor: string | null;
  accessKeyId: string | null;
  sourceIp: string | null;
  eventSource: string | null;
  eventName: string | null;
  region: string | null;
  accountId: string | null;
  errorCode: string | null;
  /** In words: which fields made this row, and why it is (or is not) internet-exposed. */
  why: string;
}

/** The event-level columns every change of a row shares. */
export type EventColumns = Pick<
  ExposureChange,
  'eventId' | 'eventTime' | 'actor' | 'accessKeyId' | 'sourceIp' | 'eventSource' | 'eventName' | 'region' | 'accountId' | 'errorCode'
>;

export function eventColumns(row: CloudTrailRow): EventColumns {
  return {
    eventId: row.eventid,
    eventTime: row.eventtime,
    actor: row.useridentity?.arn ?? row.useridentity?.sessioncontext?.sessionissuer?.arn ?? row.useridentity?.invokedby ?? null,
    accessKeyId: row.useridentity?.accesskeyid ?? null,
    sourceIp: row.sourceipaddress,
    eventSource: row.eventsource,
    eventName: row.eventname,
    region: row.awsregion,
    accountId: row.recipientaccountid ?? row.useridentity?.accountid ?? null,
    errorCode: row.errorcode && row.errorcode !== '' ? row.errorcode : null,
  };
}

export interface RuleChangeInput {
  event: EventColumns;
  /** What the call would do had it succeeded; turned into `attempt` when the call failed. */
  action: 'open' | 'close';
  resource: string | null;
  resourceType: ResourceType;
  direction: Direction;
  rule: NetworkRule;
  ruleKey?: string | null;
  /** Whether an `any` peer means the internet for this kind of resource. */
  anyIsInternet?: boolean;
  /** What the event said, in words (the judgement of the peer is appended). */
  what: string;
}

/** Builds a change from a rule: the one place where ports, peer and failure are put into words. */
export function ruleChange(input: RuleChangeInput): ExposureChange {
  const { rule, event } = input;
  const failed = event.errorCode !== null;
  const judgement = judgePeer(rule.peer, input.anyIsInternet ?? false);
  const range = rule.ports.kind === 'range' ? rule.ports.range : null;
  const portWords = rule.ports.kind === 'none' ? `${rule.ports.reason}, so no port` : formatPorts(rule.ports);
  const protocolWords = rule.protocol === 'all' ? `protocol ${rule.protocolText} = all traffic (every protocol and port)` : `protocol ${rule.protocolText}`;
  const parts = [input.what, `${protocolWords}, ${portWords}`, judgement.reason];
  if (input.direction === 'egress') parts.push(egressWords(rule, input.resourceType));
  if (rule.description) parts.push(`description "${rule.description}" (not used for matching)`);
  if (failed) parts.push(`the call failed with ${event.errorCode}: an attempt, not an exposure`);
  return {
    ...event,
    action: failed ? 'attempt' : input.action,
    resource: input.resource,
    resourceType: input.resourceType,
    direction: input.direction,
    protocol: rule.protocol,
    fromPort: range ? range.from : null,
    toPort: range ? range.to : null,
    peer: rule.peer,
    // An internet-wide rule is only an exposure when it was actually created, and only an inbound
    // path makes the port reachable from the internet: an egress rule lets the resource call out.
    internetExposed: !failed && input.action === 'open' && input.direction === 'ingress' && judgement.internetExposed,
    ruleKey: input.ruleKey ?? null,
    groupIds: null,
    why: parts.join('; '),
  };
}

/**
 * Words for an egress rule: an outbound path, never "open to the internet". The default egress
 * rule (all traffic to 0.0.0.0/0 or ::/0, which `CreateSecurityGroup` adds and Terraform adds
 * back explicitly) is named as such, so nobody is woken for it.
 */
function egressWords(rule: NetworkRule, resourceType: ResourceType): string {
  const base = 'egress: an outbound path (the resource may connect out to this peer), not an exposure to the internet';
  if (!isDefaultEgressRule({ direction: 'egress', resourceType, protocol: rule.protocol, peer: rule.peer })) return base;
  return resourceType === 'security-group'
    ? `${base}; this is the default egress rule every security group gets at creation (all traffic to anywhere)`
    : `${base}; the same as the default network ACL's outbound allow-all entry`;
}

/**
 * The default egress rule of a security group: all traffic (protocol -1) to the whole address
 * family. AWS adds it to every new group; infrastructure tools often re-add it explicitly. A
 * network ACL's outbound allow-all entry is the default ACL's own rule 100, and reads the same.
 */
export function isDefaultEgressRule(change: Pick<ExposureChange, 'direction' | 'resourceType' | 'protocol' | 'peer'>): boolean {
  if (
    change.direction !== 'egress' ||
    (change.resourceType !== 'security-group' && change.resourceType !== 'network-acl') ||
    change.protocol !== 'all' ||
    change.peer.kind !== 'cidr'
  )
    return false;
  const cidr = parseRuleCidr(change.peer.value);
  return cidr.ok && prefixReach(cidr.value) === 'anywhere' && !cidr.hostBitsSet;
}

/**
 * True when the change admits or removes traffic to `port` (any transport that has ports).
 * A null range means every port for port-bearing protocols and no port for ICMP, GRE, ESP…
 */
export function changeMatchesPort(change: Pick<ExposureChange, 'protocol' | 'fromPort' | 'toPort'>, port: number): boolean {
  if (change.protocol === null) return false;
  if (change.protocol === 'all') return true;
  if (change.fromPort === null || change.toPort === null) return carriesPorts(change.protocol);
  return change.fromPort <= port && port <= change.toPort;
}

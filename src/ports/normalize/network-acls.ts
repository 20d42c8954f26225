import { bool, field, text, type JsonObject } from '../json.js';
import { ruleChange, type EventColumns, type ExposureChange } from '../change.js';
import { portsMeaning } from '../ports.js';
import { parseProtocol } from '../protocol.js';
import type { NetworkRule } from '../rule.js';

/**
 * Create/Replace/DeleteNetworkAclEntry: `{networkAclId, ruleNumber, egress, ruleAction,
 * aclProtocol, cidrBlock | ipv6CidrBlock, portRange: {from, to}, icmpTypeCode}`.
 * An entry is addressed by (ACL, direction, rule number): Replace rewrites that slot, Delete
 * empties it. A deny entry never opens anything; it is recorded as a close because it can only
 * narrow what the ACL admits. Whether it shadows an allow depends on rule order: the window
 * replay evaluates that per port (`ports/acl-windows.ts`).
 */
export function networkAclChanges(event: EventColumns, request: JsonObject): ExposureChange[] {
  const name = event.eventName ?? '';
  const aclId = text(field(request, 'networkAclId')) ?? null;
  const egress = bool(field(request, 'egress')) ?? false;
  const direction = egress ? 'egress' : 'ingress';
  const ruleNumber = text(field(request, 'ruleNumber')) ?? '?';
  const ruleKey = `${direction}#${ruleNumber}`;
  const common = { event, resource: aclId, resourceType: 'network-acl', direction, ruleKey } as const;

  if (name === 'DeleteNetworkAclEntry') {
    const rule: NetworkRule = { protocol: 'all', protocolText: 'unknown', ports: { kind: 'all' }, peer: { kind: 'any', value: '*' }, peerField: 'ruleNumber' };
    const change = ruleChange({
      ...common,
      action: 'close',
      rule,
      what: `DeleteNetworkAclEntry removed ${direction} rule ${ruleNumber} of ${aclId} (requestParameters.ruleNumber/egress); its ports are those the entry was created with`,
    });
    return [{ ...change, protocol: null }];
  }

  const protocolValue = field(request, 'aclProtocol') ?? field(request, 'protocol');
  const protocol = parseProtocol(protocolValue);
  if (protocol === undefined) return [];
  const portRange = field(request, 'portRange');
  const ports = portsMeaning(protocol, field(portRange, 'from'), field(portRange, 'to'));
  const v4 = text(field(request, 'cidrBlock'));
  const v6 = text(field(request, 'ipv6CidrBlock'));
  const cidr = v4 ?? v6;
  if (!cidr) return [];
  const allow = (text(field(request, 'ruleAction')) ?? '').toLowerCase() === 'allow';
  const rule: NetworkRule = {
    protocol,
    protocolText: text(protocolValue) ?? '',
    ports,
    peer: { kind: 'cidr', value: cidr },
    peerField: v4 ? 'cidrBlock' : 'ipv6CidrBlock',
  };
  const verb = name === 'ReplaceNetworkAclEntry' ? 'replaced' : 'created';
  return [
    ruleChange({
      ...common,
      action: allow ? 'open' : 'close',
      rule,
      what: `${name} ${verb} ${direction} rule ${ruleNumber} of ${aclId}, ruleAction ${allow ? 'allow' : 'deny (narrows, never opens)'} (requestParameters.aclProtocol/portRange/${rule.peerField})${allow ? `; ${ACL_ALONE}` : ''}`,
    }),
  ];
}

/** An ACL is one of two filters: it opens nothing that the interface's security groups still block. */
const ACL_ALONE = 'a network ACL entry only lets traffic past the subnet boundary: a security group of the interface must still admit it';

/** One NACL entry as DescribeNetworkAcls (or a replay of CloudTrail entries) gives it. */
export interface NetworkAclEntry {
  ruleNumber: number;
  egress: boolean;
  allow: boolean;
  rule: NetworkRule;
}

/**
 * A NACL entry from DescribeNetworkAcls (`{RuleNumber, Egress, RuleAction, Protocol, PortRange:
 * {From, To}, CidrBlock | Ipv6CidrBlock}`) or a CloudTrail request (`aclProtocol`, `portRange`…).
 */
export function networkAclEntryFrom(value: JsonObject): NetworkAclEntry | undefined {
  const protocolValue = field(value, 'aclProtocol') ?? field(value, 'protocol');
  const protocol = parseProtocol(protocolValue);
  const cidr = text(field(value, 'cidrBlock')) ?? text(field(value, 'ipv6CidrBlock'));
  const ruleNumber = Number(text(field(value, 'ruleNumber')));
  if (protocol === undefined || !cidr || !Number.isInteger(ruleNumber)) return undefined;
  const portRange = field(value, 'portRange');
  return {
    ruleNumber,
    egress: bool(field(value, 'egress')) ?? false,
    allow: (text(field(value, 'ruleAction')) ?? '').toLowerCase() === 'allow',
    rule: {
      protocol,
      protocolText: text(protocolValue) ?? '',
      ports: portsMeaning(protocol, field(portRange, 'from'), field(portRange, 'to')),
      peer: { kind: 'cidr', value: cidr },
      peerField: 'cidrBlock',
    },
  };
}

/**
 * Whether an ACL admits `port` from a peer address, the way VPC evaluates it: entries of the
 * direction in ascending rule number, the first whose protocol, ports and CIDR match decides;
 * nothing matching means deny (the implicit `*` rule).
 */
export function evaluateNetworkAcl(
  entries: readonly NetworkAclEntry[],
  query: { egress: boolean; port: number; protocol: 'tcp' | 'udp'; peerMatches: (rule: NetworkRule) => boolean },
): { allowed: boolean; decidedBy: number | null } {
  const ordered = entries.filter((e) => e.egress === query.egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of ordered) {
    const { rule } = entry;
    if (rule.protocol !== 'all' && rule.protocol !== query.protocol) continue;
    if (rule.ports.kind === 'none') continue;
    if (rule.ports.kind === 'range' && (query.port < rule.ports.range.from || query.port > rule.ports.range.to)) continue;
    if (!query.peerMatches(rule)) continue;
    return { allowed: entry.allow, decidedBy: entry.ruleNumber };
  }
  return { allowed: false, decidedBy: null };
}

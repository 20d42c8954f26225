import { field, list, text, type Json } from './json.js';
import { parseProtocol, type Protocol } from './protocol.js';
import { portsMeaning, type PortsMeaning } from './ports.js';
import type { Peer } from './peer.js';

/**
 * One (protocol, ports, peer) triple: the unit every normalizer produces and every judgement
 * reads. A security-group permission with three CIDRs is three rules.
 */
export interface NetworkRule {
  protocol: Protocol;
  /** The raw protocol text as the event gave it, for the `why` column. */
  protocolText: string;
  ports: PortsMeaning;
  peer: Peer;
  /** Field path that supplied the peer, for the `why` column. */
  peerField: string;
  description?: string;
}

/**
 * Rules in one EC2 IpPermission, in any of its spellings: CloudTrail's
 * `{ipProtocol, fromPort, toPort, ipRanges:{items:[{cidrIp}]}, ipv6Ranges, prefixListIds, groups}`,
 * DescribeSecurityGroups' `{IpProtocol, FromPort, IpRanges:[{CidrIp}], Ipv6Ranges, PrefixListIds,
 * UserIdGroupPairs}`. A permission without any peer yields nothing (nothing is admitted).
 */
export function rulesFromPermission(permission: Json | undefined): NetworkRule[] {
  const protocolValue = field(permission, 'ipProtocol');
  const protocol = parseProtocol(protocolValue);
  if (protocol === undefined) return [];
  const ports = portsMeaning(protocol, field(permission, 'fromPort'), field(permission, 'toPort'));
  const base = { protocol, protocolText: text(protocolValue) ?? String(protocolValue), ports };
  const rules: NetworkRule[] = [];
  for (const range of list(field(permission, 'ipRanges'))) {
    const cidr = text(field(range, 'cidrIp'));
    if (cidr) rules.push({ ...base, peer: { kind: 'cidr', value: cidr }, peerField: 'ipRanges.cidrIp', ...describe(range) });
  }
  for (const range of list(field(permission, 'ipv6Ranges'))) {
    const cidr = text(field(range, 'cidrIpv6'));
    if (cidr) rules.push({ ...base, peer: { kind: 'cidr', value: cidr }, peerField: 'ipv6Ranges.cidrIpv6', ...describe(range) });
  }
  for (const prefixList of list(field(permission, 'prefixListIds'))) {
    const id = text(field(prefixList, 'prefixListId'));
    if (id) rules.push({ ...base, peer: { kind: 'prefix-list', value: id }, peerField: 'prefixListIds.prefixListId', ...describe(prefixList) });
  }
  const groups = [...list(field(permission, 'groups')), ...list(field(permission, 'userIdGroupPairs'))];
  for (const group of groups) {
    const id = text(field(group, 'groupId')) ?? text(field(group, 'groupName'));
    if (!id) continue;
    const owner = text(field(group, 'userId'));
    rules.push({ ...base, peer: { kind: 'security-group', value: owner ? `${owner}/${id}` : id }, peerField: 'groups.groupId', ...describe(group) });
  }
  return rules;
}

/**
 * Rules in one `securityGroupRuleSet` item (the response of Authorize…, and the inner
 * `SecurityGroupRule` of ModifySecurityGroupRules): exactly one peer in `cidrIpv4`, `cidrIpv6`,
 * `prefixListId` or `referencedGroupInfo`/`referencedGroupId`.
 */
export function ruleFromSecurityGroupRule(item: Json | undefined): NetworkRule | undefined {
  const protocolValue = field(item, 'ipProtocol');
  const protocol = parseProtocol(protocolValue);
  if (protocol === undefined) return undefined;
  const ports = portsMeaning(protocol, field(item, 'fromPort'), field(item, 'toPort'));
  const base = { protocol, protocolText: text(protocolValue) ?? String(protocolValue), ports, ...describe(item) };
  const v4 = text(field(item, 'cidrIpv4'));
  if (v4) return { ...base, peer: { kind: 'cidr', value: v4 }, peerField: 'cidrIpv4' };
  const v6 = text(field(item, 'cidrIpv6'));
  if (v6) return { ...base, peer: { kind: 'cidr', value: v6 }, peerField: 'cidrIpv6' };
  const prefixList = text(field(item, 'prefixListId'));
  if (prefixList) return { ...base, peer: { kind: 'prefix-list', value: prefixList }, peerField: 'prefixListId' };
  const referenced = text(field(field(item, 'referencedGroupInfo'), 'groupId')) ?? text(field(item, 'referencedGroupId'));
  if (referenced) return { ...base, peer: { kind: 'security-group', value: referenced }, peerField: 'referencedGroupId' };
  return undefined;
}

function describe(value: Json | undefined): { description?: string } {
  const description = text(field(value, 'description'));
  return description ? { description } : {};
}

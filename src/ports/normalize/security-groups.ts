import { field, list, path, text, type Json, type JsonObject } from '../json.js';
import { ruleChange, type Direction, type EventColumns, type ExposureChange } from '../change.js';
import { ruleFromSecurityGroupRule, rulesFromPermission, type NetworkRule } from '../rule.js';
import { portsMeaning } from '../ports.js';
import { parseProtocol } from '../protocol.js';

/** What an event needs beyond its own fields: directions of rules created earlier, by `sgr-…` id. */
export interface NormalizeContext {
  ruleDirections?: ReadonlyMap<string, Direction>;
}

const DIRECTION_OF: Record<string, Direction> = {
  AuthorizeSecurityGroupIngress: 'ingress',
  RevokeSecurityGroupIngress: 'ingress',
  AuthorizeSecurityGroupEgress: 'egress',
  RevokeSecurityGroupEgress: 'egress',
};

/**
 * Authorize/RevokeSecurityGroupIngress/Egress. Where the call succeeded and the response lists
 * `securityGroupRuleSet.items[]`, those items are what AWS actually created (one per peer, with
 * rule ids) and are preferred; otherwise the request is read in both of its shapes: nested
 * `ipPermissions.items[]`, and the legacy flat `ipProtocol/fromPort/toPort/cidrIp` (or
 * `sourceSecurityGroupName`) form that EC2-Classic-era clients and some SDKs still send.
 */
export function securityGroupRuleChanges(event: EventColumns, request: JsonObject, response: JsonObject | undefined): ExposureChange[] {
  const name = event.eventName ?? '';
  const direction = DIRECTION_OF[name]!;
  const action = name.startsWith('Authorize') ? 'open' : 'close';
  const groupId = text(field(request, 'groupId')) ?? text(field(request, 'groupName')) ?? null;
  const common = { event, action, resourceType: 'security-group', direction } as const;

  const created = list(path(response, 'securityGroupRuleSet'));
  if (event.errorCode === null && action === 'open' && created.length > 0) {
    const changes: ExposureChange[] = [];
    for (const item of created) {
      const rule = ruleFromSecurityGroupRule(item);
      if (!rule) continue;
      const ruleId = text(field(item, 'securityGroupRuleId')) ?? null;
      changes.push(
        ruleChange({
          ...common,
          resource: text(field(item, 'groupId')) ?? groupId,
          rule,
          ruleKey: ruleId,
          what: `${name} created rule ${ruleId ?? '(no id)'} (responseElements.securityGroupRuleSet: ipProtocol/fromPort/toPort/${rule.peerField})`,
        }),
      );
    }
    if (changes.length > 0) return changes;
  }

  const changes: ExposureChange[] = [];
  for (const permission of list(field(request, 'ipPermissions'))) {
    for (const rule of rulesFromPermission(permission)) {
      changes.push(
        ruleChange({
          ...common,
          resource: groupId,
          rule,
          what: `${name} on ${groupId} (requestParameters.ipPermissions: ipProtocol/fromPort/toPort/${rule.peerField})`,
        }),
      );
    }
  }
  for (const rule of legacyFlatRules(request)) {
    changes.push(
      ruleChange({
        ...common,
        resource: groupId,
        rule,
        what: `${name} on ${groupId} (legacy flat requestParameters: ipProtocol/fromPort/toPort/${rule.peerField})`,
      }),
    );
  }
  // Revoke by rule id: the ports are those of the rule being removed, known only from its creation.
  for (const ruleId of list(field(request, 'securityGroupRuleIds'))) {
    const id = text(ruleId) ?? text(field(ruleId, 'securityGroupRuleId'));
    if (!id) continue;
    const rule: NetworkRule = {
      protocol: 'all',
      protocolText: 'unknown',
      ports: { kind: 'all' },
      peer: { kind: 'any', value: '*' },
      peerField: 'securityGroupRuleIds',
    };
    const change = ruleChange({
      ...common,
      resource: groupId,
      rule,
      ruleKey: id,
      what: `${name} removes rule ${id} by id (requestParameters.securityGroupRuleIds); its ports are those the rule was created with`,
    });
    changes.push({ ...change, protocol: null });
  }
  return changes;
}

function legacyFlatRules(request: JsonObject): NetworkRule[] {
  const protocolValue = field(request, 'ipProtocol');
  const cidr = text(field(request, 'cidrIp'));
  const sourceGroup = text(field(request, 'sourceSecurityGroupName')) ?? text(field(request, 'sourceSecurityGroupId'));
  if (!cidr && !sourceGroup) return [];
  // The flat form without a protocol is the group-to-group form, which admits everything.
  const protocol = protocolValue === undefined ? 'all' : parseProtocol(protocolValue);
  if (protocol === undefined) return [];
  const ports = portsMeaning(protocol, field(request, 'fromPort'), field(request, 'toPort'));
  const base = { protocol, protocolText: text(protocolValue) ?? '-1 (absent)', ports };
  const rules: NetworkRule[] = [];
  if (cidr) rules.push({ ...base, peer: { kind: 'cidr', value: cidr }, peerField: 'cidrIp' });
  if (sourceGroup) {
    const owner = text(field(request, 'sourceSecurityGroupOwnerId'));
    rules.push({ ...base, peer: { kind: 'security-group', value: owner ? `${owner}/${sourceGroup}` : sourceGroup }, peerField: 'sourceSecurityGroupName' });
  }
  return rules;
}

/**
 * ModifySecurityGroupRules replaces rules in place by id. CloudTrail records the EC2 query API
 * shape in PascalCase, nested twice:
 * `ModifySecurityGroupRulesRequest.{GroupId, SecurityGroupRule.{SecurityGroupRuleId, SecurityGroupRule.{IpProtocol, FromPort, ToPort, CidrIpv4|CidrIpv6|PrefixListId|ReferencedGroupId, Description}}}`
 * (`SecurityGroupRule` becomes a list when several rules are modified). The event does not say
 * whether the rule is ingress or egress: that comes from the rule's creation (context), else
 * ingress is assumed and the row says so.
 */
export function modifySecurityGroupRulesChanges(event: EventColumns, request: JsonObject, context: NormalizeContext): ExposureChange[] {
  const modify = field(request, 'ModifySecurityGroupRulesRequest') ?? request;
  const groupId = text(field(modify, 'GroupId')) ?? null;
  const changes: ExposureChange[] = [];
  for (const entry of list(field(modify, 'SecurityGroupRule'))) {
    const ruleId = text(field(entry, 'SecurityGroupRuleId')) ?? null;
    for (const inner of list(field(entry, 'SecurityGroupRule')) as Json[]) {
      const rule = ruleFromSecurityGroupRule(inner);
      if (!rule) continue;
      const known = ruleId ? context.ruleDirections?.get(ruleId) : undefined;
      const directionWords = known
        ? `${known} (from the rule's creation)`
        : 'ingress assumed: the event does not say, and the rule was not created in the events read';
      changes.push(
        ruleChange({
          event,
          action: 'open',
          resource: groupId,
          resourceType: 'security-group',
          direction: known ?? 'ingress',
          rule,
          ruleKey: ruleId,
          what: `ModifySecurityGroupRules rewrote rule ${ruleId ?? '(no id)'} on ${groupId} (requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule: IpProtocol/FromPort/ToPort/${rule.peerField}); direction ${directionWords}`,
        }),
      );
    }
  }
  return changes;
}

/** Directions of rules an Authorize call created, by `sgr-…` id (for ModifySecurityGroupRules). */
export function createdRuleDirections(response: JsonObject | undefined): [string, Direction][] {
  const out: [string, Direction][] = [];
  for (const item of list(path(response, 'securityGroupRuleSet'))) {
    const id = text(field(item, 'securityGroupRuleId'));
    const egress = field(item, 'isEgress');
    if (id && typeof egress === 'boolean') out.push([id, egress ? 'egress' : 'ingress']);
  }
  return out;
}

import { field, list, text, type JsonObject } from '../json.js';
import type { EventColumns, ExposureChange, ResourceType } from '../change.js';
import { ANY_PEER } from '../peer.js';

/**
 * Putting security groups on an interface, instance or load balancer: ModifyNetworkInterfaceAttribute
 * and ModifyInstanceAttribute with `groupSet.items[].groupId`, classic ELB
 * ApplySecurityGroupsToLoadBalancer and ELBv2 SetSecurityGroups with `securityGroups[]`.
 * What this opens is whatever the groups admit, which the event does not carry; `findExposures`
 * joins it to the groups' open windows.
 */
export function attachChanges(event: EventColumns, request: JsonObject): ExposureChange[] {
  const name = event.eventName ?? '';
  let resource: string | null;
  let resourceType: ResourceType;
  let groups: string[];
  let fieldName: string;
  if (name === 'ModifyNetworkInterfaceAttribute' || name === 'ModifyInstanceAttribute') {
    groups = list(field(request, 'groupSet'))
      .map((g) => text(field(g, 'groupId')) ?? text(g))
      .filter((g): g is string => Boolean(g));
    resource = text(field(request, 'networkInterfaceId')) ?? text(field(request, 'instanceId')) ?? null;
    resourceType = name === 'ModifyNetworkInterfaceAttribute' ? 'network-interface' : 'instance';
    fieldName = 'requestParameters.groupSet.items[].groupId';
  } else {
    groups = list(field(request, 'securityGroups'))
      .map((g) => text(g))
      .filter((g): g is string => Boolean(g));
    resource = text(field(request, 'loadBalancerArn')) ?? text(field(request, 'loadBalancerName')) ?? null;
    resourceType = name === 'SetSecurityGroups' ? 'elbv2-load-balancer' : 'classic-elb';
    fieldName = 'requestParameters.securityGroups[]';
  }
  // ModifyInstanceAttribute also changes user data, instance type…: only a groupSet is an attach.
  if (groups.length === 0) return [];
  const failed = event.errorCode !== null;
  const why = [
    `${name} sets the security groups of ${resource} to ${groups.join(', ')} (${fieldName})`,
    'the ports this opens are those the groups admit, which this event does not carry',
  ];
  if (failed) why.push(`the call failed with ${event.errorCode}: an attempt, not an exposure`);
  return [
    {
      ...event,
      action: failed ? 'attempt' : 'attach',
      resource,
      resourceType,
      direction: 'ingress',
      protocol: null,
      fromPort: null,
      toPort: null,
      peer: ANY_PEER,
      internetExposed: false,
      ruleKey: null,
      groupIds: groups,
      why: why.join('; '),
    },
  ];
}

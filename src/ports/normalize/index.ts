import type { CloudTrailRow } from '../../tables/cloudtrail.js';
import { eventColumns, type ExposureChange } from '../change.js';
import { field, parseJsonObject } from '../json.js';
import { attachChanges } from './attach.js';
import { classicElbChanges, elbv2Changes, globalAcceleratorChanges } from './load-balancers.js';
import { lightsailChanges } from './lightsail.js';
import { networkAclChanges } from './network-acls.js';
import { dbSecurityGroupChanges } from './rds.js';
import { modifySecurityGroupRulesChanges, securityGroupRuleChanges, type NormalizeContext } from './security-groups.js';

export type { NormalizeContext } from './security-groups.js';
export { createdRuleDirections } from './security-groups.js';
export { evaluateNetworkAcl, networkAclEntryFrom, type NetworkAclEntry } from './network-acls.js';

/**
 * Every event name that can open or close a path to a port, by the service that logs it. The
 * SQL stage narrows on this list (and time) only; everything else is judged here.
 */
export const EXPOSURE_EVENTS = {
  'ec2.amazonaws.com': [
    'AuthorizeSecurityGroupIngress',
    'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupIngress',
    'RevokeSecurityGroupEgress',
    'ModifySecurityGroupRules',
    'CreateNetworkAclEntry',
    'ReplaceNetworkAclEntry',
    'DeleteNetworkAclEntry',
    'ModifyNetworkInterfaceAttribute',
    'ModifyInstanceAttribute',
  ],
  'elasticloadbalancing.amazonaws.com': [
    'CreateListener',
    'ModifyListener',
    'DeleteListener',
    'CreateTargetGroup',
    'ModifyTargetGroup',
    'DeleteTargetGroup',
    'RegisterTargets',
    'DeregisterTargets',
    'CreateLoadBalancer',
    'CreateLoadBalancerListeners',
    'DeleteLoadBalancerListeners',
    'DeleteLoadBalancer',
    'ApplySecurityGroupsToLoadBalancer',
    'SetSecurityGroups',
  ],
  'globalaccelerator.amazonaws.com': [
    'CreateListener',
    'UpdateListener',
    'DeleteListener',
    'CreateCustomRoutingListener',
    'UpdateCustomRoutingListener',
    'DeleteCustomRoutingListener',
  ],
  'lightsail.amazonaws.com': ['OpenInstancePublicPorts', 'PutInstancePublicPorts', 'CloseInstancePublicPorts'],
  'rds.amazonaws.com': ['AuthorizeDBSecurityGroupIngress', 'RevokeDBSecurityGroupIngress'],
} as const satisfies Record<string, readonly string[]>;

/** The distinct event names of EXPOSURE_EVENTS (some names exist in two services). */
export const EXPOSURE_EVENT_NAMES: readonly string[] = [...new Set(Object.values(EXPOSURE_EVENTS).flat())].sort();

/**
 * The service whose fields to read. Normally `eventSource`; when that is missing or a placeholder
 * (hand-made fixtures, forwarded events), an event name that only one service uses decides.
 * CreateListener/DeleteListener exist in ELB and Global Accelerator, so they need the source.
 */
function serviceOf(source: string, name: string): string | undefined {
  if (source in EXPOSURE_EVENTS) return source;
  const owners = Object.entries(EXPOSURE_EVENTS).filter(([, names]) => (names as readonly string[]).includes(name));
  return owners.length === 1 ? owners[0]![0] : undefined;
}

/**
 * One CloudTrail row → the exposure changes it makes (zero for unrelated events). Pure: the
 * only outside knowledge is `context` (directions of rules created by earlier events).
 */
export function normalizeEvent(row: CloudTrailRow, context: NormalizeContext = {}): ExposureChange[] {
  const name = row.eventname ?? '';
  const source = row.eventsource ?? '';
  const request = parseJsonObject(row.requestparameters) ?? {};
  const response = parseJsonObject(row.responseelements);
  const event = eventColumns(row);
  switch (serviceOf(source, name)) {
    case 'ec2.amazonaws.com':
      switch (name) {
        case 'AuthorizeSecurityGroupIngress':
        case 'AuthorizeSecurityGroupEgress':
        case 'RevokeSecurityGroupIngress':
        case 'RevokeSecurityGroupEgress':
          return securityGroupRuleChanges(event, request, response);
        case 'ModifySecurityGroupRules':
          return modifySecurityGroupRulesChanges(event, request, context);
        case 'CreateNetworkAclEntry':
        case 'ReplaceNetworkAclEntry':
        case 'DeleteNetworkAclEntry':
          return networkAclChanges(event, request);
        case 'ModifyNetworkInterfaceAttribute':
        case 'ModifyInstanceAttribute':
          return attachChanges(event, request);
      }
      return [];
    case 'elasticloadbalancing.amazonaws.com':
      switch (name) {
        case 'ApplySecurityGroupsToLoadBalancer':
        case 'SetSecurityGroups':
          return attachChanges(event, request);
        case 'CreateLoadBalancerListeners':
        case 'DeleteLoadBalancerListeners':
          return classicElbChanges(event, request);
        case 'CreateLoadBalancer':
        case 'DeleteLoadBalancer':
          // Same names in both ELB APIs: the classic one names the load balancer and its listeners.
          return field(request, 'loadBalancerName') !== undefined ? classicElbChanges(event, request) : [];
      }
      return elbv2Changes(event, request, response);
    case 'globalaccelerator.amazonaws.com':
      return globalAcceleratorChanges(event, request, response);
    case 'lightsail.amazonaws.com':
      return lightsailChanges(event, request);
    case 'rds.amazonaws.com':
      return dbSecurityGroupChanges(event, request);
  }
  return [];
}

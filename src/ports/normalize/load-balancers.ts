import { field, list, text, type Json, type JsonObject } from '../json.js';
import { ruleChange, type EventColumns, type ExposureChange, type ResourceType } from '../change.js';
import { parsePort } from '../ports.js';
import { transportsOfListenerProtocol } from '../protocol.js';
import { ANY_PEER } from '../peer.js';

/**
 * Load balancers open ports by listening, not by rules: a listener admits whoever can reach the
 * load balancer (its scheme and security groups, not in the event), so its peer is `any` and it
 * is not called internet-exposed on its own. Target groups and classic back-end ports are the
 * port the load balancer connects to on the targets.
 */
interface PortOpening {
  action: 'open' | 'close';
  resource: string | null;
  resourceType: ResourceType;
  port: number | null;
  protocolName: unknown;
  ruleKey: string | null;
  what: string;
  anyIsInternet?: boolean;
}

export function portOpeningChanges(event: EventColumns, openings: PortOpening[]): ExposureChange[] {
  const changes: ExposureChange[] = [];
  for (const opening of openings) {
    if (opening.port === null) {
      // A whole-resource close (DeleteListener…): the ports are those the resource was opened with.
      const change = ruleChange({
        event,
        action: opening.action,
        resource: opening.resource,
        resourceType: opening.resourceType,
        direction: 'ingress',
        rule: { protocol: 'all', protocolText: 'unknown', ports: { kind: 'all' }, peer: ANY_PEER, peerField: '' },
        ruleKey: opening.ruleKey,
        what: opening.what,
      });
      changes.push({ ...change, protocol: null });
      continue;
    }
    for (const protocol of transportsOfListenerProtocol(opening.protocolName)) {
      changes.push(
        ruleChange({
          event,
          action: opening.action,
          resource: opening.resource,
          resourceType: opening.resourceType,
          direction: 'ingress',
          rule: {
            protocol,
            protocolText: `${text(opening.protocolName) ?? 'unspecified'} over ${protocol}`,
            ports: { kind: 'range', range: { from: opening.port, to: opening.port } },
            peer: ANY_PEER,
            peerField: '',
          },
          ruleKey: opening.ruleKey,
          anyIsInternet: opening.anyIsInternet ?? false,
          what: opening.what,
        }),
      );
    }
  }
  return changes;
}

/** ELBv2 (ALB/NLB/GWLB): listeners, target groups and registered targets. */
export function elbv2Changes(event: EventColumns, request: JsonObject, response: JsonObject | undefined): ExposureChange[] {
  const name = event.eventName ?? '';
  const openings: PortOpening[] = [];
  switch (name) {
    case 'CreateListener':
    case 'ModifyListener': {
      // The response echoes the listener as it now is (ARN, port, protocol); prefer it.
      const listeners = list(field(response, 'listeners'));
      const sources: Json[] = listeners.length > 0 ? listeners : [request];
      for (const listener of sources) {
        const port = parsePort(field(listener, 'port')) ?? null;
        if (port === null) continue; // ModifyListener that changed certificates or actions only
        const arn = text(field(listener, 'listenerArn')) ?? text(field(request, 'listenerArn')) ?? text(field(request, 'loadBalancerArn')) ?? null;
        const from = listeners.length > 0 ? 'responseElements.listeners' : 'requestParameters';
        openings.push({
          action: 'open',
          resource: arn,
          resourceType: 'elbv2-listener',
          port,
          protocolName: field(listener, 'protocol') ?? field(request, 'protocol'),
          ruleKey: arn,
          what: `${name} listens on port ${port} (${from}.port/protocol)`,
        });
      }
      break;
    }
    case 'DeleteListener': {
      const arn = text(field(request, 'listenerArn')) ?? null;
      openings.push({
        action: 'close',
        resource: arn,
        resourceType: 'elbv2-listener',
        port: null,
        protocolName: null,
        ruleKey: '*',
        what: `DeleteListener removes listener ${arn} (requestParameters.listenerArn); its port is the one it was created with`,
      });
      break;
    }
    case 'CreateTargetGroup':
    case 'ModifyTargetGroup': {
      const groups = list(field(response, 'targetGroups'));
      const sources: Json[] = groups.length > 0 ? groups : [request];
      for (const group of sources) {
        const arn = text(field(group, 'targetGroupArn')) ?? text(field(request, 'targetGroupArn')) ?? text(field(request, 'name')) ?? null;
        const port = parsePort(field(group, 'port')) ?? null;
        const protocolName = field(group, 'protocol') ?? field(request, 'protocol');
        if (port !== null && name === 'CreateTargetGroup') {
          openings.push({
            action: 'open',
            resource: arn,
            resourceType: 'elbv2-target-group',
            port,
            protocolName,
            ruleKey: 'traffic-port',
            what: `${name}: targets receive traffic on port ${port} (targetGroup.port)`,
          });
        }
        // healthCheckPort is "traffic-port" (the port above) or a number of its own.
        const healthPort = parsePort(field(group, 'healthCheckPort')) ?? null;
        if (healthPort !== null && healthPort !== port) {
          openings.push({
            action: 'open',
            resource: arn,
            resourceType: 'elbv2-target-group',
            port: healthPort,
            protocolName: field(group, 'healthCheckProtocol') ?? protocolName,
            ruleKey: 'health-check-port',
            what: `${name}: health checks connect to port ${healthPort} (healthCheckPort)`,
          });
        }
      }
      break;
    }
    case 'DeleteTargetGroup': {
      const arn = text(field(request, 'targetGroupArn')) ?? null;
      openings.push({
        action: 'close',
        resource: arn,
        resourceType: 'elbv2-target-group',
        port: null,
        protocolName: null,
        ruleKey: '*',
        what: `DeleteTargetGroup removes ${arn} (requestParameters.targetGroupArn)`,
      });
      break;
    }
    case 'RegisterTargets':
    case 'DeregisterTargets': {
      const arn = text(field(request, 'targetGroupArn')) ?? null;
      for (const target of list(field(request, 'targets'))) {
        // A target without a port uses the target group's port, recorded by CreateTargetGroup.
        const port = parsePort(field(target, 'port')) ?? null;
        if (port === null) continue;
        const id = text(field(target, 'id')) ?? '?';
        openings.push({
          action: name === 'RegisterTargets' ? 'open' : 'close',
          resource: arn,
          resourceType: 'elbv2-target-group',
          port,
          protocolName: 'TCP_UDP',
          ruleKey: `target:${id}:${port}`,
          what: `${name}: target ${id} on port ${port} (requestParameters.targets[].port; protocol is the target group's)`,
        });
      }
      break;
    }
  }
  return portOpeningChanges(event, openings);
}

/**
 * Classic ELB: `listeners[]` of `{protocol, loadBalancerPort, instanceProtocol, instancePort}`
 * in CreateLoadBalancer and CreateLoadBalancerListeners; DeleteLoadBalancerListeners names
 * `loadBalancerPorts[]`. Both ends are paths to a port: the front on the load balancer, the
 * back-end on the instances.
 */
export function classicElbChanges(event: EventColumns, request: JsonObject): ExposureChange[] {
  const name = event.eventName ?? '';
  const lb = text(field(request, 'loadBalancerName')) ?? null;
  const openings: PortOpening[] = [];
  if (name === 'DeleteLoadBalancerListeners') {
    for (const value of list(field(request, 'loadBalancerPorts'))) {
      const port = parsePort(value) ?? null;
      if (port === null) continue;
      openings.push({
        action: 'close',
        resource: lb,
        resourceType: 'classic-elb-listener',
        port,
        protocolName: 'TCP' /* classic ELB has no UDP listeners */,
        ruleKey: `listener:${port}`,
        what: `DeleteLoadBalancerListeners removes the listener on port ${port} of ${lb} (requestParameters.loadBalancerPorts)`,
      });
      // The back-end port of that listener goes with it; which port that was, the creation says.
      openings.push({
        action: 'close',
        resource: lb,
        resourceType: 'classic-elb-backend',
        port: null,
        protocolName: null,
        ruleKey: `backend:${port}`,
        what: `DeleteLoadBalancerListeners removes the back-end of listener ${port} of ${lb}`,
      });
    }
  } else if (name === 'DeleteLoadBalancer') {
    openings.push({
      action: 'close',
      resource: lb,
      resourceType: 'classic-elb',
      port: null,
      protocolName: null,
      ruleKey: '*',
      what: `DeleteLoadBalancer removes ${lb} and all its listeners`,
    });
  } else {
    const scheme = text(field(request, 'scheme')) ?? (name === 'CreateLoadBalancer' ? 'internet-facing (default)' : undefined);
    for (const listener of list(field(request, 'listeners'))) {
      const port = parsePort(field(listener, 'loadBalancerPort')) ?? null;
      const instancePort = parsePort(field(listener, 'instancePort')) ?? null;
      const schemeWords = scheme ? `, scheme ${scheme}` : '';
      if (port !== null)
        openings.push({
          action: 'open',
          resource: lb,
          resourceType: 'classic-elb-listener',
          port,
          protocolName: field(listener, 'protocol'),
          ruleKey: `listener:${port}`,
          what: `${name}: ${lb} listens on port ${port} (listeners[].loadBalancerPort${schemeWords})`,
        });
      if (instancePort !== null)
        openings.push({
          action: 'open',
          resource: lb,
          resourceType: 'classic-elb-backend',
          port: instancePort,
          protocolName: field(listener, 'instanceProtocol') ?? field(listener, 'protocol'),
          ruleKey: `backend:${port}`,
          what: `${name}: ${lb} forwards listener ${port} to instance port ${instancePort} (listeners[].instancePort)`,
        });
    }
  }
  return portOpeningChanges(event, openings);
}

/**
 * Global Accelerator listeners: `portRanges[].{fromPort,toPort}` on a public anycast address, so
 * they are internet-exposed by design.
 */
export function globalAcceleratorChanges(event: EventColumns, request: JsonObject, response: JsonObject | undefined): ExposureChange[] {
  const name = event.eventName ?? '';
  const listener = field(response, 'listener');
  const arn = text(field(listener, 'listenerArn')) ?? text(field(request, 'listenerArn')) ?? text(field(request, 'acceleratorArn')) ?? null;
  if (name === 'DeleteListener' || name === 'DeleteCustomRoutingListener') {
    return portOpeningChanges(event, [
      {
        action: 'close',
        resource: arn,
        resourceType: 'global-accelerator-listener',
        port: null,
        protocolName: null,
        ruleKey: '*',
        what: `${name} removes accelerator listener ${arn}`,
      },
    ]);
  }
  const source = listener ?? request;
  const ranges = list(field(source, 'portRanges'));
  const protocolName = field(source, 'protocol') ?? (name.includes('CustomRouting') ? 'TCP_UDP' : undefined);
  const changes: ExposureChange[] = [];
  for (const range of ranges) {
    const from = parsePort(field(range, 'fromPort'));
    const to = parsePort(field(range, 'toPort')) ?? from;
    if (from === undefined || to === undefined) continue;
    for (const protocol of transportsOfListenerProtocol(protocolName)) {
      changes.push(
        ruleChange({
          event,
          action: 'open',
          resource: arn,
          resourceType: 'global-accelerator-listener',
          direction: 'ingress',
          rule: {
            protocol,
            protocolText: `${text(protocolName) ?? 'unspecified'} over ${protocol}`,
            ports: { kind: 'range', range: { from: Math.min(from, to), to: Math.max(from, to) } },
            peer: ANY_PEER,
            peerField: '',
          },
          ruleKey: arn,
          anyIsInternet: true,
          what: `${name} accelerator listener ${arn} (portRanges[].fromPort/toPort)`,
        }),
      );
    }
  }
  return changes;
}

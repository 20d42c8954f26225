import { field, list, text, type Json, type JsonObject } from '../json.js';
import { ruleChange, type EventColumns, type ExposureChange } from '../change.js';
import { portsMeaning } from '../ports.js';
import { parseProtocol } from '../protocol.js';
import { ANY_PEER } from '../peer.js';
import type { NetworkRule } from '../rule.js';

/**
 * Lightsail instance firewalls: `portInfo` (Open/CloseInstancePublicPorts) or `portInfos[]`
 * (PutInstancePublicPorts, which replaces every rule of the instance) of
 * `{fromPort, toPort, protocol: tcp|udp|all|icmp|icmpv6, cidrs[], ipv6Cidrs[], cidrListAliases[]}`.
 * Lightsail's default when no source is given is every IPv4 address.
 */
export function lightsailChanges(event: EventColumns, request: JsonObject): ExposureChange[] {
  const name = event.eventName ?? '';
  const instance = text(field(request, 'instanceName')) ?? null;
  const action = name === 'CloseInstancePublicPorts' ? 'close' : 'open';
  const changes: ExposureChange[] = [];
  if (name === 'PutInstancePublicPorts') {
    const rule: NetworkRule = { protocol: 'all', protocolText: 'unknown', ports: { kind: 'all' }, peer: ANY_PEER, peerField: '' };
    const closeAll = ruleChange({
      event,
      action: 'close',
      resource: instance,
      resourceType: 'lightsail-instance',
      direction: 'ingress',
      rule,
      ruleKey: '*',
      what: `PutInstancePublicPorts replaces every firewall rule of ${instance}`,
    });
    changes.push({ ...closeAll, protocol: null });
  }
  const infos = [...list(field(request, 'portInfo')), ...list(field(request, 'portInfos'))];
  for (const info of infos) {
    for (const rule of rulesOfPortInfo(info)) {
      changes.push(
        ruleChange({
          event,
          action,
          resource: instance,
          resourceType: 'lightsail-instance',
          direction: 'ingress',
          rule,
          what: `${name} on ${instance} (portInfo: protocol/fromPort/toPort/${rule.peerField})`,
        }),
      );
    }
  }
  return changes;
}

function rulesOfPortInfo(info: Json): NetworkRule[] {
  const protocolValue = field(info, 'protocol');
  const protocol = parseProtocol(protocolValue);
  if (protocol === undefined) return [];
  const base = { protocol, protocolText: text(protocolValue) ?? '', ports: portsMeaning(protocol, field(info, 'fromPort'), field(info, 'toPort')) };
  const rules: NetworkRule[] = [];
  for (const cidr of list(field(info, 'cidrs'))) if (text(cidr)) rules.push({ ...base, peer: { kind: 'cidr', value: text(cidr)! }, peerField: 'cidrs' });
  for (const cidr of list(field(info, 'ipv6Cidrs')))
    if (text(cidr)) rules.push({ ...base, peer: { kind: 'cidr', value: text(cidr)! }, peerField: 'ipv6Cidrs' });
  for (const alias of list(field(info, 'cidrListAliases')))
    if (text(alias)) rules.push({ ...base, peer: { kind: 'prefix-list', value: text(alias)! }, peerField: 'cidrListAliases' });
  if (rules.length === 0)
    rules.push({ ...base, peer: { kind: 'cidr', value: '0.0.0.0/0' }, peerField: 'cidrs absent (Lightsail default: all IPv4 addresses)' });
  return rules;
}

import { field, text, type JsonObject } from '../json.js';
import { ruleChange, type EventColumns, type ExposureChange } from '../change.js';
import type { PortRange } from '../ports.js';
import type { NetworkRule } from '../rule.js';

/**
 * The ports an RDS DB instance can listen on (RDS refuses a port outside 1150–65535 for every
 * engine; the defaults 1433, 1521, 3306, 5432 lie inside).
 */
export const RDS_INSTANCE_PORTS: PortRange = { from: 1150, to: 65535 };

/**
 * Authorize/RevokeDBSecurityGroupIngress: RDS DB security groups (the EC2-Classic-era firewall of
 * a DB instance). A rule names no protocol and no port: it admits its peer (`cIDRIP`, or the
 * members of an EC2 security group `eC2SecurityGroupId`/`eC2SecurityGroupName` of
 * `eC2SecurityGroupOwnerId`) over TCP to the port of every DB instance in the group, and that
 * port is in the instance's settings, not in the event. So the change is read as TCP to every
 * port an instance can listen on: a question about 8443 matches (an instance may listen there),
 * one about 22 does not (none can). docs/port-semantics.md.
 */
export function dbSecurityGroupChanges(event: EventColumns, request: JsonObject): ExposureChange[] {
  const name = event.eventName ?? '';
  const group = text(field(request, 'dBSecurityGroupName')) ?? null;
  const base = { protocol: 'tcp', protocolText: 'tcp (implied: DB security groups admit TCP)', ports: { kind: 'range', range: RDS_INSTANCE_PORTS } } as const;
  const rules: NetworkRule[] = [];
  const cidr = text(field(request, 'cIDRIP'));
  if (cidr) rules.push({ ...base, peer: { kind: 'cidr', value: cidr }, peerField: 'cIDRIP' });
  const ec2Group = text(field(request, 'eC2SecurityGroupId')) ?? text(field(request, 'eC2SecurityGroupName'));
  if (ec2Group) {
    const owner = text(field(request, 'eC2SecurityGroupOwnerId'));
    rules.push({ ...base, peer: { kind: 'security-group', value: owner ? `${owner}/${ec2Group}` : ec2Group }, peerField: 'eC2SecurityGroupId' });
  }
  return rules.map((rule) =>
    ruleChange({
      event,
      action: name.startsWith('Authorize') ? 'open' : 'close',
      resource: group,
      resourceType: 'rds-db-security-group',
      direction: 'ingress',
      rule,
      what: `${name} on DB security group ${group} (requestParameters.dBSecurityGroupName/${rule.peerField}): admits the peer to the port of each DB instance in the group, which the event does not carry, so every port an RDS instance can use (${RDS_INSTANCE_PORTS.from}-${RDS_INSTANCE_PORTS.to})`,
    }),
  );
}

import { field, list, parseJsonObject, text, type Json } from '../ports/json.js';

/**
 * What CloudTrail says about the estate's shape (pure): which security groups an interface or
 * instance carries and since when, which instance an interface belongs to, and in which account,
 * region, VPC and subnet each interface and group lives. The overlay (flows/overlay.ts) uses it
 * so a rule opened on a group is credited only with connections of interfaces that group is on
 * (ARCHITECTURE.md, "The investigation"; docs/vpc-flow-logs.md, "Attribution").
 *
 * Read from (successful calls only; a failed call changed nothing):
 * - RunInstances: responseElements.instancesSet.items[] with instanceId, vpcId, subnetId,
 *   groupSet and networkInterfaceSet.items[] (networkInterfaceId, groupSet, vpcId, subnetId);
 * - CreateNetworkInterface: responseElements.networkInterface (networkInterfaceId, groupSet, vpcId, subnetId);
 * - ModifyNetworkInterfaceAttribute / ModifyInstanceAttribute: requestParameters.groupSet (replaces the set);
 * - AttachNetworkInterface: requestParameters networkInterfaceId ↔ instanceId;
 * - CreateSecurityGroup: requestParameters.vpcId ↔ responseElements.groupId;
 * - CreateNetworkAcl: responseElements.networkAcl (networkAclId, vpcId).
 * Load-balancer targets need no event here: RegisterTargets is already an exposure change whose
 * slot names the target (flows/exposure-windows.ts).
 */
export const TOPOLOGY_EVENT_NAMES: readonly string[] = [
  'AttachNetworkInterface',
  'CreateNetworkAcl',
  'CreateNetworkInterface',
  'CreateSecurityGroup',
  'ModifyInstanceAttribute',
  'ModifyNetworkInterfaceAttribute',
  'RunInstances',
];

/** The CloudTrail columns the membership reading needs. */
export interface TopologyEventRow {
  eventid: string | null;
  eventtime: string | null;
  eventname: string | null;
  awsregion: string | null;
  recipientaccountid: string | null;
  errorcode: string | null;
  requestparameters: string | null;
  responseelements: string | null;
}

/** Where an interface or group lives, as far as the events say (null = not said). */
export interface Placement {
  accountId: string | null;
  region: string | null;
  vpcId: string | null;
}

export interface InterfaceFacts extends Placement {
  interfaceId: string;
  instanceId: string | null;
  subnetId: string | null;
}

/** One event that set the groups of an interface or an instance (its primary interface). */
export interface GroupSetting {
  at: string;
  /** `at` in epoch ms: times are compared as instants, not as text (formats differ). */
  atMs: number;
  groups: readonly string[];
  eventName: string;
  eventId: string | null;
}

export interface Membership {
  /** The groups of the interface at `at`, and the event that set them; null when no event before `at` says. */
  groupsAt(interfaceId: string | null, instanceId: string | null, at: string): GroupSetting | null;
  interfaceFacts(interfaceId: string | null): InterfaceFacts | undefined;
  /** Where a security group or network ACL lives, when an event said. */
  groupPlacement(groupId: string): Placement | undefined;
}

/** Membership when no event is known: everything unknown. */
export const NO_MEMBERSHIP: Membership = {
  groupsAt: () => null,
  interfaceFacts: () => undefined,
  groupPlacement: () => undefined,
};

const groupIds = (value: Json | undefined): string[] =>
  list(value)
    .map((g) => text(field(g, 'groupId')) ?? text(g))
    .filter((g): g is string => !!g);

/** Rows of TOPOLOGY_EVENT_NAMES events (any order) → membership. */
export function buildMembership(rows: Iterable<TopologyEventRow>): Membership {
  const interfaces = new Map<string, InterfaceFacts>();
  const groups = new Map<string, Placement>();
  const settings = new Map<string, GroupSetting[]>();
  const sorted = [...rows]
    .filter((r) => !r.errorcode && r.eventtime && !Number.isNaN(Date.parse(r.eventtime)))
    .map((row) => ({ row, ms: Date.parse(row.eventtime!) }))
    .sort((a, b) => a.ms - b.ms);

  for (const { row, ms } of sorted) {
    const at = row.eventtime!;
    const name = row.eventname ?? '';
    const request = parseJsonObject(row.requestparameters) ?? {};
    const response = parseJsonObject(row.responseelements) ?? {};
    const where = { accountId: row.recipientaccountid, region: row.awsregion };
    const setGroups = (key: string, ids: string[]) => {
      if (ids.length === 0) return;
      const list = settings.get(key) ?? [];
      list.push({ at, atMs: ms, groups: ids, eventName: name, eventId: row.eventid });
      settings.set(key, list);
    };
    const learnInterface = (item: Json, instanceId: string | null, fallback: { vpcId: string | null; subnetId: string | null; groups: string[] }) => {
      const id = text(field(item, 'networkInterfaceId'));
      if (!id) return;
      const known = interfaces.get(id);
      const vpcId = text(field(item, 'vpcId')) ?? fallback.vpcId;
      interfaces.set(id, {
        interfaceId: id,
        instanceId: instanceId ?? known?.instanceId ?? null,
        subnetId: text(field(item, 'subnetId')) ?? fallback.subnetId ?? known?.subnetId ?? null,
        vpcId: vpcId ?? known?.vpcId ?? null,
        ...where,
      });
      const own = groupIds(field(item, 'groupSet'));
      const ids = own.length ? own : fallback.groups;
      setGroups(`eni:${id}`, ids);
      for (const g of ids) learnGroup(g, vpcId);
    };
    const learnGroup = (groupId: string, vpcId: string | null | undefined) => {
      const known = groups.get(groupId);
      groups.set(groupId, { ...where, vpcId: vpcId ?? known?.vpcId ?? null });
    };

    switch (name) {
      case 'RunInstances':
        for (const instance of list(field(response, 'instancesSet'))) {
          const instanceId = text(field(instance, 'instanceId')) ?? null;
          const vpcId = text(field(instance, 'vpcId')) ?? null;
          const subnetId = text(field(instance, 'subnetId')) ?? null;
          const ids = groupIds(field(instance, 'groupSet'));
          if (instanceId) setGroups(`i:${instanceId}`, ids);
          for (const g of ids) learnGroup(g, vpcId);
          for (const eni of list(field(instance, 'networkInterfaceSet'))) learnInterface(eni, instanceId, { vpcId, subnetId, groups: ids });
        }
        break;
      case 'CreateNetworkInterface':
        learnInterface(field(response, 'networkInterface') ?? null, null, { vpcId: null, subnetId: null, groups: [] });
        break;
      case 'ModifyNetworkInterfaceAttribute': {
        const id = text(field(request, 'networkInterfaceId'));
        if (id) setGroups(`eni:${id}`, groupIds(field(request, 'groupSet')));
        break;
      }
      case 'ModifyInstanceAttribute': {
        const id = text(field(request, 'instanceId'));
        if (id) setGroups(`i:${id}`, groupIds(field(request, 'groupSet')));
        break;
      }
      case 'AttachNetworkInterface': {
        const id = text(field(request, 'networkInterfaceId'));
        const instanceId = text(field(request, 'instanceId'));
        if (id && instanceId) {
          const known = interfaces.get(id);
          interfaces.set(id, { interfaceId: id, subnetId: known?.subnetId ?? null, vpcId: known?.vpcId ?? null, ...where, instanceId });
        }
        break;
      }
      case 'CreateSecurityGroup': {
        const id = text(field(response, 'groupId'));
        if (id) learnGroup(id, text(field(request, 'vpcId')));
        break;
      }
      case 'CreateNetworkAcl': {
        const acl = field(response, 'networkAcl');
        const id = text(field(acl, 'networkAclId'));
        if (id) learnGroup(id, text(field(acl, 'vpcId')) ?? text(field(request, 'vpcId')));
        break;
      }
    }
  }

  return {
    groupsAt(interfaceId, instanceId, at) {
      const atMs = Date.parse(at);
      // An instance-level setting (RunInstances' groupSet, ModifyInstanceAttribute) applies to the
      // instance's primary interface; the latest setting of either key at `at` is in force.
      const instance = instanceId ?? (interfaceId ? interfaces.get(interfaceId)?.instanceId : null) ?? null;
      let latest: GroupSetting | null = null;
      for (const key of [interfaceId ? `eni:${interfaceId}` : null, instance ? `i:${instance}` : null]) {
        for (const s of (key && settings.get(key)) || []) if (s.atMs <= atMs && (latest === null || s.atMs >= latest.atMs)) latest = s;
      }
      return latest;
    },
    interfaceFacts: (interfaceId) => (interfaceId ? interfaces.get(interfaceId) : undefined),
    groupPlacement: (groupId) => groups.get(groupId),
  };
}

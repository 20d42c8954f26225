import type { Engine } from '../engines/engine.js';
import { USERIDENTITY_JSON, userIdentityOf, type CloudTrailRow } from '../tables/cloudtrail.js';
import { EARLIEST, LATEST } from './candidates.js';
import { sqlList } from '../store/sql.js';
import { eventColumns, type EventColumns } from './change.js';
import { field, parseJsonObject, type JsonObject } from './json.js';
import { normalizeTimeBound } from './query.js';
import { exposureSource } from '../store/exposure-copy.js';

/**
 * API calls that change a network path but that `normalize/` does not turn into port changes:
 * their effect on a port depends on state the event does not carry (which subnets a route table
 * serves, what an Elastic IP's instance admits, the port of a Redshift cluster). They are listed
 * with what they change (`trailbook exposures --unmodelled`) instead of being silently absent,
 * so an investigator sees that the path changed and what to look at. docs/port-semantics.md
 * "Not modelled". An event name here is never one of EXPOSURE_EVENTS (tested).
 */
interface UnmodelledEvent {
  source: string;
  name: string;
  /** What the call changes, in words. */
  changes: string;
  /** Only calls whose request says this (e.g. `publiclyAccessible` set); every call when absent. */
  when?: (request: JsonObject) => boolean;
}

const setsPublicAccess = (request: JsonObject) => field(request, 'publiclyAccessible') !== undefined;
const setsEndpointAccess = (request: JsonObject) =>
  field(field(request, 'resourcesVpcConfig'), 'endpointPublicAccess') !== undefined || field(request, 'endpointPublicAccess') !== undefined;

const EC2 = 'ec2.amazonaws.com';
const ROUTE = 'a route (to an internet gateway, NAT, peering, transit gateway…): whether the subnets of its route table reach that network';
const ROUTE_TABLE = 'which route table (and so which internet or private path) a subnet uses';
const PEERING = 'a peering path between two VPCs, usable once accepted and routed';

// [service, event name, what it changes, only when]
const TABLE: ReadonlyArray<readonly [string, string, string, ((request: JsonObject) => boolean)?]> = [
  [EC2, 'CreateRoute', ROUTE],
  [EC2, 'ReplaceRoute', ROUTE],
  [EC2, 'DeleteRoute', 'a route: the subnets of its route table may lose or regain a path'],
  [EC2, 'AssociateRouteTable', ROUTE_TABLE],
  [EC2, 'ReplaceRouteTableAssociation', ROUTE_TABLE],
  [EC2, 'AttachInternetGateway', 'an internet gateway on a VPC: public addresses in it become reachable where routes and rules allow'],
  [EC2, 'DetachInternetGateway', 'an internet gateway removed from a VPC'],
  [EC2, 'AssociateAddress', 'an Elastic IP on an instance or interface: reachable from the internet on what its groups and ACLs admit'],
  [EC2, 'DisassociateAddress', 'an Elastic IP removed from an instance or interface'],
  [EC2, 'ModifySubnetAttribute', 'subnet attributes (public addresses on launch, for instance)'],
  [EC2, 'ReplaceNetworkAclAssociation', 'which network ACL (and so which entries) a subnet is evaluated against'],
  [EC2, 'CreateVpcPeeringConnection', PEERING],
  [EC2, 'AcceptVpcPeeringConnection', PEERING],
  ['redshift.amazonaws.com', 'AuthorizeClusterSecurityGroupIngress', 'a Redshift cluster security group admits a CIDR or EC2 group to the cluster port'],
  ['redshift.amazonaws.com', 'RevokeClusterSecurityGroupIngress', 'a Redshift cluster security group stops admitting a CIDR or EC2 group'],
  ['elasticache.amazonaws.com', 'AuthorizeCacheSecurityGroupIngress', 'an ElastiCache cache security group admits an EC2 group to the cache port'],
  ['elasticache.amazonaws.com', 'RevokeCacheSecurityGroupIngress', 'an ElastiCache cache security group stops admitting an EC2 group'],
  ['rds.amazonaws.com', 'ModifyDBInstance', 'whether a DB instance has a public address (publiclyAccessible)', setsPublicAccess],
  ['rds.amazonaws.com', 'CreateDBInstance', 'a DB instance created with publiclyAccessible set', setsPublicAccess],
  ['eks.amazonaws.com', 'UpdateClusterConfig', "whether an EKS cluster's API endpoint is reachable from the internet", setsEndpointAccess],
];

export const UNMODELLED_NETWORK_EVENTS: readonly UnmodelledEvent[] = TABLE.map(([source, name, changes, when]) => ({
  source,
  name,
  changes,
  ...(when ? { when } : {}),
}));

export const UNMODELLED_EVENT_NAMES: readonly string[] = [...new Set(UNMODELLED_NETWORK_EVENTS.map((e) => e.name))].sort();

export interface UnmodelledChange extends EventColumns {
  /** "changed a network path trailbook does not model: …" and what the call changes. */
  why: string;
}

/** The row as an unmodelled change, or null when it is not one (pure). */
export function unmodelledChange(row: CloudTrailRow): UnmodelledChange | null {
  const known = UNMODELLED_NETWORK_EVENTS.find((e) => e.name === row.eventname && e.source === row.eventsource);
  if (!known) return null;
  if (known.when && !known.when(parseJsonObject(row.requestparameters) ?? {})) return null;
  const failed = row.errorcode ? `; the call failed with ${row.errorcode}: nothing changed, but someone tried` : '';
  return { ...eventColumns(row), why: `changed a network path trailbook does not model: ${known.changes}${failed}` };
}

/**
 * Unmodelled changes inside [from, to], in time order (the names are this module's constants; times
 * are bound). A local store keeps these events in its narrow copy too (caches/exposure.ts), so a
 * warm `investigate` does not decompress every block of the wide columns to say that none exist.
 */
export async function findUnmodelledChanges(engine: Engine, query: { from?: string; to?: string } = {}): Promise<UnmodelledChange[]> {
  const from = query.from ? normalizeTimeBound(query.from, 'from') : EARLIEST;
  const to = query.to ? normalizeTimeBound(query.to, 'to') : LATEST;
  const source = await exposureSource(engine, UNMODELLED_EVENT_NAMES);
  const { rows } = await engine.all(
    `SELECT eventid, eventtime, eventsource, eventname, awsregion, sourceipaddress, ${USERIDENTITY_JSON}, errorcode, requestparameters, recipientaccountid
     FROM ${source} WHERE eventname IN (${sqlList(UNMODELLED_EVENT_NAMES)}) AND eventtime >= $from AND eventtime <= $to
     ORDER BY eventtime, eventid`,
    { from, to },
  );
  return rows
    .map((row) => unmodelledChange({ ...(row as unknown as CloudTrailRow), useridentity: userIdentityOf(row['useridentity']) }))
    .filter((c): c is UnmodelledChange => c !== null);
}

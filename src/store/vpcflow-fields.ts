/**
 * The catalogue of flow-log fields, as AWS documents them (VPC Flow Logs "Available fields",
 * versions 2–8, and the Transit Gateway flow-log fields of version 6). A field's name is the
 * hyphenated name used in a log format / header line (`log-status`); its column is the
 * Athena-style name with underscores (`log_status`).
 *
 * Types follow the Athena DDL AWS documents for `vpc_flow_logs`: version, ports, tcp-flags and
 * traffic-path are int; protocol, packets, bytes, start and end are bigint; everything else is a
 * string. In plain-text logs every field is text and `-` means "no value".
 */
export type FlowFieldType = 'int' | 'bigint' | 'string';

export interface FlowFieldSpec {
  readonly name: string;
  readonly column: string;
  readonly type: FlowFieldType;
  /** The flow-log version that introduced the field (for TGW fields: 6). */
  readonly version: number;
  /** `vpc`: a column of `vpc_flow_logs`; `tgw`: a Transit Gateway field (kept in `_extra`). */
  readonly kind: 'vpc' | 'tgw';
}

function f(name: string, type: FlowFieldType, version: number, kind: 'vpc' | 'tgw' = 'vpc'): FlowFieldSpec {
  return { name, column: name.replace(/-/g, '_'), type, version, kind };
}

/** VPC flow-log fields in the order of AWS's field table (which is also the "all fields" order). */
export const VPC_FIELDS: readonly FlowFieldSpec[] = [
  f('version', 'int', 2),
  f('account-id', 'string', 2),
  f('interface-id', 'string', 2),
  f('srcaddr', 'string', 2),
  f('dstaddr', 'string', 2),
  f('srcport', 'int', 2),
  f('dstport', 'int', 2),
  f('protocol', 'bigint', 2),
  f('packets', 'bigint', 2),
  f('bytes', 'bigint', 2),
  f('start', 'bigint', 2),
  f('end', 'bigint', 2),
  f('action', 'string', 2),
  f('log-status', 'string', 2),
  f('vpc-id', 'string', 3),
  f('subnet-id', 'string', 3),
  f('instance-id', 'string', 3),
  f('tcp-flags', 'int', 3),
  f('type', 'string', 3),
  f('pkt-srcaddr', 'string', 3),
  f('pkt-dstaddr', 'string', 3),
  f('region', 'string', 4),
  f('az-id', 'string', 4),
  f('sublocation-type', 'string', 4),
  f('sublocation-id', 'string', 4),
  f('pkt-src-aws-service', 'string', 5),
  f('pkt-dst-aws-service', 'string', 5),
  f('flow-direction', 'string', 5),
  f('traffic-path', 'int', 5),
  f('ecs-cluster-arn', 'string', 7),
  f('ecs-cluster-name', 'string', 7),
  f('ecs-container-instance-arn', 'string', 7),
  f('ecs-container-instance-id', 'string', 7),
  f('ecs-container-id', 'string', 7),
  f('ecs-second-container-id', 'string', 7),
  f('ecs-service-name', 'string', 7),
  f('ecs-task-definition-arn', 'string', 7),
  f('ecs-task-arn', 'string', 7),
  f('ecs-task-id', 'string', 7),
  f('reject-reason', 'string', 8),
];

/** Transit Gateway flow-log fields that VPC flow logs do not have (version 6). */
export const TGW_ONLY_FIELDS: readonly FlowFieldSpec[] = [
  f('resource-type', 'string', 6, 'tgw'),
  f('tgw-id', 'string', 6, 'tgw'),
  f('tgw-attachment-id', 'string', 6, 'tgw'),
  f('tgw-src-vpc-account-id', 'string', 6, 'tgw'),
  f('tgw-dst-vpc-account-id', 'string', 6, 'tgw'),
  f('tgw-src-vpc-id', 'string', 6, 'tgw'),
  f('tgw-dst-vpc-id', 'string', 6, 'tgw'),
  f('tgw-src-subnet-id', 'string', 6, 'tgw'),
  f('tgw-dst-subnet-id', 'string', 6, 'tgw'),
  f('tgw-src-eni', 'string', 6, 'tgw'),
  f('tgw-dst-eni', 'string', 6, 'tgw'),
  f('tgw-src-az-id', 'string', 6, 'tgw'),
  f('tgw-dst-az-id', 'string', 6, 'tgw'),
  f('tgw-pair-attachment-id', 'string', 6, 'tgw'),
  f('packets-lost-no-route', 'bigint', 6, 'tgw'),
  f('packets-lost-blackhole', 'bigint', 6, 'tgw'),
  f('packets-lost-mtu-exceeded', 'bigint', 6, 'tgw'),
  f('packets-lost-ttl-expired', 'bigint', 6, 'tgw'),
];

const BY_NAME = new Map<string, FlowFieldSpec>([...VPC_FIELDS, ...TGW_ONLY_FIELDS].map((s) => [s.name, s]));

/** The spec of a field name (`log-status`, or its column spelling `log_status`), or undefined when AWS documents no such field. */
export function fieldSpec(name: string): FlowFieldSpec | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(name.replace(/_/g, '-'));
}

/** The default (version 2) format: the 14 version-2 fields in table order. */
export const DEFAULT_V2_FIELDS: readonly string[] = VPC_FIELDS.filter((s) => s.version === 2).map((s) => s.name);

/** Transit Gateway flow logs' default format (version 6), in AWS's order. */
export const TGW_DEFAULT_FIELDS: readonly string[] = [
  'version',
  'resource-type',
  'account-id',
  'tgw-id',
  'tgw-attachment-id',
  'tgw-src-vpc-account-id',
  'tgw-dst-vpc-account-id',
  'tgw-src-vpc-id',
  'tgw-dst-vpc-id',
  'tgw-src-subnet-id',
  'tgw-dst-subnet-id',
  'tgw-src-eni',
  'tgw-dst-eni',
  'tgw-src-az-id',
  'tgw-dst-az-id',
  'tgw-pair-attachment-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'log-status',
  'type',
  'packets-lost-no-route',
  'packets-lost-blackhole',
  'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
  'tcp-flags',
  'region',
  'flow-direction',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
];

function upTo(version: number): string[] {
  return VPC_FIELDS.filter((s) => s.version <= version).map((s) => s.name);
}

/**
 * Layouts a header-less file is matched against by field count, when no format is given: the
 * default v2 format, and "every field up to version N" in AWS's table order (what the console's
 * select-all produces, and what CloudWatch/Firehose consumers such as Elastic's examples carry).
 * Each count is unique, so a count names one layout.
 */
export const HEADERLESS_LAYOUTS: readonly { readonly name: string; readonly fields: readonly string[] }[] = [
  { name: 'default v2 (14 fields)', fields: DEFAULT_V2_FIELDS },
  { name: 'all fields to v3 (21 fields)', fields: upTo(3) },
  { name: 'all fields to v4 (25 fields)', fields: upTo(4) },
  { name: 'all fields to v5 (29 fields)', fields: upTo(5) },
  { name: 'transit gateway default v6 (36 fields)', fields: TGW_DEFAULT_FIELDS },
  { name: 'all fields to v7 (39 fields)', fields: upTo(7) },
  { name: 'all fields to v8 (40 fields)', fields: upTo(8) },
];

/** The columns of `vpc_flow_logs`, in table order. */
export const VPC_COLUMNS: readonly FlowFieldSpec[] = VPC_FIELDS;

/** Parses a format string: `${version} ${srcaddr} …` (as given to CreateFlowLogs) or `version srcaddr …`. */
export function parseFormatString(format: string): string[] {
  return format
    .trim()
    .split(/\s+/)
    .map((t) => t.replace(/^\$\{(.*)\}$/, '$1'))
    .filter((t) => t.length > 0);
}

/** A value of a parsed flow-log field: text, a number, or null for `-`. */
export type FlowValue = string | number | null;

export interface FlowRecord {
  /** 1-based line (text) or row (Parquet) number in the file. */
  line: number;
  /** `vpc` for VPC flow logs; `tgw` when the format carries Transit Gateway fields. */
  kind: 'vpc' | 'tgw';
  /** Values by Athena column name (`srcport`, `log_status`, …); only the columns the format has. */
  values: Record<string, FlowValue>;
  /** Fields that are not `vpc_flow_logs` columns (unknown names, Transit Gateway fields), by field name. */
  extra: Record<string, string> | null;
}

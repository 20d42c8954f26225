import { TrailbookError } from '../errors.js';
import { DEFAULT_V2_FIELDS, fieldSpec, type FlowFieldType } from '../store/vpcflow-fields.js';

/**
 * `trailbook athena ddl`: the CREATE EXTERNAL TABLE statements for the two tables runbook SQL is
 * written against, in the shape AWS documents for Athena (CloudTrail: "Create the table for
 * CloudTrail logs in Athena using partition projection"; VPC flow logs: "Create and query a table
 * for Amazon VPC flow logs using partition projection"), with projection on account, region and
 * day so nobody runs ALTER TABLE ADD PARTITION. The differences from the local store's tables are
 * in docs/athena.md ("The DDL").
 */
export interface DdlOptions {
  /** `s3://bucket/prefix` above `AWSLogs/` (no trailing slash needed). */
  location: string;
  database?: string;
  /** Account ids the bucket holds (an organisation trail: many). */
  accounts: readonly string[];
  regions: readonly string[];
  /** First day of logs, `YYYY/MM/DD`. */
  since: string;
  /** The flow-log format's fields in order (hyphenated names, as in `${version} ${account-id} …`). */
  flowFields?: readonly string[];
}

/** The CloudTrail record as AWS's Athena table types it; `useridentity`, `resources` and `tlsdetails` are what runbooks read inside. */
export const CLOUDTRAIL_COLUMNS: readonly (readonly [name: string, type: string])[] = [
  ['eventversion', 'STRING'],
  [
    'useridentity',
    'STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING, accesskeyid:STRING, username:STRING, ' +
      'onbehalfof:STRUCT<userid:STRING, identitystorearn:STRING>, ' +
      'sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING, creationdate:STRING>, ' +
      'sessionissuer:STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, username:STRING>, ' +
      'ec2roledelivery:STRING, sourceidentity:STRING, webidfederationdata:STRUCT<federatedprovider:STRING, attributes:MAP<STRING,STRING>>>>',
  ],
  ['eventtime', 'STRING'],
  ['eventsource', 'STRING'],
  ['eventname', 'STRING'],
  ['awsregion', 'STRING'],
  ['sourceipaddress', 'STRING'],
  ['useragent', 'STRING'],
  ['errorcode', 'STRING'],
  ['errormessage', 'STRING'],
  ['requestparameters', 'STRING'],
  ['responseelements', 'STRING'],
  ['additionaleventdata', 'STRING'],
  ['requestid', 'STRING'],
  ['eventid', 'STRING'],
  ['readonly', 'STRING'],
  ['resources', 'ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>'],
  ['eventtype', 'STRING'],
  ['apiversion', 'STRING'],
  ['recipientaccountid', 'STRING'],
  ['serviceeventdetails', 'STRING'],
  ['sharedeventid', 'STRING'],
  ['vpcendpointid', 'STRING'],
  ['vpcendpointaccountid', 'STRING'],
  ['eventcategory', 'STRING'],
  ['addendum', 'STRUCT<reason:STRING, updatedfields:STRING, originalrequestid:STRING, originaleventid:STRING>'],
  ['sessioncredentialfromconsole', 'STRING'],
  ['edgedevicedetails', 'STRING'],
  ['tlsdetails', 'STRUCT<tlsversion:STRING, ciphersuite:STRING, clientprovidedhostheader:STRING>'],
];

const HIVE_TYPE: Record<FlowFieldType, string> = { int: 'INT', bigint: 'BIGINT', string: 'STRING' };

/** The regions of the commercial partition, for `projection.region.values` when none are given. */
// biome-ignore format: a list of names, kept a few to a line
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-southeast-5', 'ap-southeast-7', 'ap-south-1', 'ap-south-2', 'ap-east-1', 'me-south-1', 'me-central-1', 'il-central-1', 'af-south-1',
];

/** The flow-log columns of a format, as Hive columns; a field AWS does not document is refused. */
export function flowColumns(fields: readonly string[] = DEFAULT_V2_FIELDS): [name: string, type: string][] {
  return fields.map((name) => {
    const spec = fieldSpec(name);
    if (!spec || spec.kind !== 'vpc') {
      throw new TrailbookError('USAGE', `--flow-fields: ${name} is not a VPC flow-log field`, {
        hint: 'give the log format as AWS shows it, e.g. version account-id interface-id …',
      });
    }
    return [spec.column, HIVE_TYPE[spec.type]];
  });
}

export function athenaDdl(options: DdlOptions): string {
  const location = checkLocation(options.location);
  const accounts = checkList('--account', options.accounts, /^\d{12}$/);
  const regions = checkList('--region', options.regions, /^[a-z]{2}(-[a-z]+)+-\d$/);
  if (!/^\d{4}\/\d{2}\/\d{2}$/.test(options.since)) throw new TrailbookError('USAGE', `--since must be YYYY/MM/DD, got ${options.since}`);
  const db = options.database ? `${identifier(options.database)}.` : '';
  const enumProjection = (name: string, values: readonly string[]): Property[] => [
    [`projection.${name}.type`, 'enum'],
    [`projection.${name}.values`, values.join(',')],
  ];
  const dayProjection = (name: string): Property[] => [
    [`projection.${name}.type`, 'date'],
    [`projection.${name}.format`, 'yyyy/MM/dd'],
    [`projection.${name}.range`, `${options.since},NOW`],
    [`projection.${name}.interval`, '1'],
    [`projection.${name}.interval.unit`, 'DAYS'],
  ];
  const cloudtrail = createTable({
    name: `${db}cloudtrail_logs`,
    columns: CLOUDTRAIL_COLUMNS,
    partitions: ['account', 'region', 'timestamp'],
    format: [
      "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
      "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
      "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    ],
    location: `${location}/AWSLogs/`,
    properties: [
      ['projection.enabled', 'true'],
      ...enumProjection('account', accounts),
      ...enumProjection('region', regions),
      ...dayProjection('timestamp'),
      ['storage.location.template', `${location}/AWSLogs/\${account}/CloudTrail/\${region}/\${timestamp}`],
    ],
  });
  // The flow-log field `region` (version 4) is a column, so its partition is `awsregion`; AWS's example names it `region` and leaves the column out.
  const flows = createTable({
    name: `${db}vpc_flow_logs`,
    columns: flowColumns(options.flowFields),
    partitions: ['accid', 'awsregion', 'day'],
    format: ["ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '"],
    location: `${location}/AWSLogs/`,
    properties: [
      ['skip.header.line.count', '1'],
      ['projection.enabled', 'true'],
      ...enumProjection('accid', accounts),
      ...enumProjection('awsregion', regions),
      ...dayProjection('day'),
      ['storage.location.template', `${location}/AWSLogs/\${accid}/vpcflowlogs/\${awsregion}/\${day}`],
    ],
  });
  return `${cloudtrail};\n\n${flows};\n`;
}

type Property = [key: string, value: string];

interface TableSpec {
  name: string;
  columns: readonly (readonly [string, string])[];
  partitions: readonly string[];
  format: readonly string[];
  location: string;
  properties: readonly (readonly [string, string])[];
}

function createTable(t: TableSpec): string {
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${t.name} (`,
    t.columns.map(([n, type]) => `  ${identifier(n)} ${type}`).join(',\n'),
    ')',
    `PARTITIONED BY (${t.partitions.map((p) => `${identifier(p)} STRING`).join(', ')})`,
    ...t.format,
    `LOCATION ${literal(t.location)}`,
    'TBLPROPERTIES (',
    t.properties.map(([k, v]) => `  ${literal(k)} = ${literal(v)}`).join(',\n'),
    ')',
  ].join('\n');
}

/** Hive DDL quotes names with backticks (`end` and `timestamp` are reserved). */
function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TrailbookError('USAGE', `not a table or database name: ${name}`);
  return `\`${name}\``;
}

function literal(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function checkLocation(location: string): string {
  const trimmed = location.replace(/\/+$/, '');
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^'\\\s]*)?$/.test(trimmed)) {
    throw new TrailbookError('USAGE', `--location must be s3://bucket[/prefix], got ${location}`, { hint: 'the folder that holds AWSLogs/' });
  }
  return trimmed;
}

function checkList(flag: string, values: readonly string[], shape: RegExp): string[] {
  const bad = values.filter((v) => !shape.test(v));
  if (bad.length) throw new TrailbookError('USAGE', `${flag}: not valid: ${bad.join(', ')}`);
  if (!values.length) throw new TrailbookError('USAGE', `${flag}: give at least one`);
  return [...values];
}

import { CLOUDTRAIL_EVENTS_COLUMNS } from '../../store/schema.js';
import { BIGINT, LIST, listValue, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { BulkFilter } from './bulk-check.js';
import { BULK_MAX_FILE_BYTES } from './file-job.js';

/**
 * flatten.ts in SQL: clean CloudTrail files (bulk-check.ts says which) read by DuckDB's own
 * `read_json`, in parallel, one statement for many files, instead of being flattened in the decode
 * workers and appended value by value. The rows are those of the row path, column for column
 * (test/ingest/bulk-load.test.ts proves it on the corpus and the bench corpus):
 *
 * - every leaf is typed VARCHAR: DuckDB then gives a string's text, and the JSON text of a
 *   number, boolean, object or array, as `text()`/`json()` do (bulk-check.ts rules out the
 *   records whose JSON text DuckDB would write otherwise);
 * - the objects flatten.ts descends into are STRUCTs with its field names (DuckDB matches keys
 *   case-sensitively, as JavaScript does); an absent or null object gives null fields, as `{}`;
 * - `resources_json` is `resourcesJson()`: `[{arn, accountid, type}]` built by `to_json`;
 * - `_key` is `eventID|eventTime|eventName`; `eventtime`, `eventtime_raw` the time as written,
 *   which bulk-check.ts requires to be canonical already, and `_time` that instant;
 * - `_file` is the path as listed (DuckDB's `filename` is the path it was given).
 * The record's position in its file (`_ord`, 1-based) orders the first copy of a repeated key,
 * and the rows are stored in file order, then record order, as the row path stores them.
 */
export interface BulkFile {
  seq: number;
  path: string;
  rows: number;
  compression: 'gzip' | 'uncompressed';
}

const LEAF = 'VARCHAR';
const RECORD_TYPE = `STRUCT(
  eventVersion ${LEAF},
  userIdentity STRUCT(type ${LEAF}, principalId ${LEAF}, arn ${LEAF}, accountId ${LEAF}, invokedBy ${LEAF}, accessKeyId ${LEAF}, userName ${LEAF},
    sessionContext STRUCT(attributes STRUCT(mfaAuthenticated ${LEAF}, creationDate ${LEAF}),
      sessionIssuer STRUCT(type ${LEAF}, principalId ${LEAF}, arn ${LEAF}, accountId ${LEAF}, userName ${LEAF}),
      ec2RoleDelivery ${LEAF}, sourceIdentity ${LEAF})),
  eventTime ${LEAF}, eventSource ${LEAF}, eventName ${LEAF}, awsRegion ${LEAF}, sourceIPAddress ${LEAF}, userAgent ${LEAF},
  errorCode ${LEAF}, errorMessage ${LEAF}, requestParameters ${LEAF}, responseElements ${LEAF}, additionalEventData ${LEAF},
  requestID ${LEAF}, eventID ${LEAF}, resources STRUCT(ARN ${LEAF}, accountId ${LEAF}, type ${LEAF})[],
  eventType ${LEAF}, apiVersion ${LEAF}, readOnly ${LEAF}, recipientAccountId ${LEAF}, serviceEventDetails ${LEAF},
  sharedEventID ${LEAF}, vpcEndpointId ${LEAF}, vpcEndpointAccountId ${LEAF}, eventCategory ${LEAF},
  sessionCredentialFromConsole ${LEAF}, tlsDetails STRUCT(tlsVersion ${LEAF}, cipherSuite ${LEAF}, clientProvidedHostHeader ${LEAF}))[]`.replace(/\s+/g, ' ');

/** Each column of `cloudtrail_events` as an expression over the record `r` and its `filename`. */
const COLUMN_SQL: Record<string, string> = {
  _key: `r.eventID || '|' || r.eventTime || '|' || r.eventName`,
  _time: `strptime(r.eventTime, '%Y-%m-%dT%H:%M:%SZ')`,
  _file: 'filename',
  eventversion: 'r.eventVersion',
  ui_type: 'r.userIdentity.type',
  ui_principalid: 'r.userIdentity.principalId',
  ui_arn: 'r.userIdentity.arn',
  ui_accountid: 'r.userIdentity.accountId',
  ui_invokedby: 'r.userIdentity.invokedBy',
  ui_accesskeyid: 'r.userIdentity.accessKeyId',
  ui_username: 'r.userIdentity.userName',
  ui_mfaauthenticated: 'r.userIdentity.sessionContext.attributes.mfaAuthenticated',
  ui_creationdate: 'r.userIdentity.sessionContext.attributes.creationDate',
  ui_issuer_type: 'r.userIdentity.sessionContext.sessionIssuer.type',
  ui_issuer_principalid: 'r.userIdentity.sessionContext.sessionIssuer.principalId',
  ui_issuer_arn: 'r.userIdentity.sessionContext.sessionIssuer.arn',
  ui_issuer_accountid: 'r.userIdentity.sessionContext.sessionIssuer.accountId',
  ui_issuer_username: 'r.userIdentity.sessionContext.sessionIssuer.userName',
  ui_ec2roledelivery: 'r.userIdentity.sessionContext.ec2RoleDelivery',
  ui_sourceidentity: 'r.userIdentity.sessionContext.sourceIdentity',
  eventtime: 'r.eventTime',
  eventsource: 'r.eventSource',
  eventname: 'r.eventName',
  awsregion: 'r.awsRegion',
  sourceipaddress: 'r.sourceIPAddress',
  useragent: 'r.userAgent',
  errorcode: 'r.errorCode',
  errormessage: 'r.errorMessage',
  requestparameters: 'r.requestParameters',
  responseelements: 'r.responseElements',
  additionaleventdata: 'r.additionalEventData',
  requestid: 'r.requestID',
  eventid: 'r.eventID',
  resources_json: `CAST(to_json(list_transform(r.resources, x -> {'arn': x.ARN, 'accountid': x.accountId, 'type': x.type})) AS VARCHAR)`,
  eventtype: 'r.eventType',
  apiversion: 'r.apiVersion',
  readonly: 'r.readOnly',
  recipientaccountid: 'r.recipientAccountId',
  serviceeventdetails: 'r.serviceEventDetails',
  sharedeventid: 'r.sharedEventID',
  vpcendpointid: 'r.vpcEndpointId',
  vpcendpointaccountid: 'r.vpcEndpointAccountId',
  eventcategory: 'r.eventCategory',
  sessioncredentialfromconsole: 'r.sessionCredentialFromConsole',
  tls_version: 'r.tlsDetails.tlsVersion',
  tls_ciphersuite: 'r.tlsDetails.cipherSuite',
  tls_host: 'r.tlsDetails.clientProvidedHostHeader',
  eventtime_raw: 'r.eventTime',
};

const EVENT_COLUMNS = CLOUDTRAIL_EVENTS_COLUMNS.map(([name]) => name);
for (const column of EVENT_COLUMNS) if (!(column in COLUMN_SQL)) throw new Error(`bulk-load.ts: no SQL for column ${column}`);

/** A statement with its bound values (paths and filters are never spliced into SQL). */
export interface BoundSql {
  sql: string;
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType>;
}

/** `--from/--to/--account/--region` as file-job.ts applies them, in SQL (bulk-check.ts makes the values text). */
function filterSql(filter: BulkFilter, bound: BoundSql): string {
  const terms: string[] = [];
  const bind = (name: string, value: DuckDBValue, type: DuckDBType) => {
    bound.values[name] = value;
    bound.types[name] = type;
    return `$${name}`;
  };
  if (Number.isFinite(filter.fromMs)) terms.push(`epoch_ms(${COLUMN_SQL['_time']}) >= ${bind('from_ms', BigInt(Math.ceil(filter.fromMs)), BIGINT)}`);
  if (Number.isFinite(filter.toMs)) terms.push(`epoch_ms(${COLUMN_SQL['_time']}) <= ${bind('to_ms', BigInt(Math.floor(filter.toMs)), BIGINT)}`);
  if (filter.accounts?.length) {
    const account = 'coalesce(r.recipientAccountId, r.userIdentity.accountId)';
    terms.push(`${account} IS NULL OR list_contains(${bind('accounts', listValue([...filter.accounts]), LIST(VARCHAR))}, ${account})`);
  }
  if (filter.regions?.length)
    terms.push(`r.awsRegion IS NULL OR list_contains(${bind('regions', listValue([...filter.regions]), LIST(VARCHAR))}, r.awsRegion)`);
  return terms.length === 0 ? '' : `WHERE ${terms.map((t) => `(${t})`).join(' AND ')}`;
}

/**
 * The rows of `files` (all of one compression) with the columns of `cloudtrail_events`, then
 * `extra` (over `filename`, `r` and `_ord`), in file order then record order.
 */
export function bulkRowsSql(files: readonly BulkFile[], filter: BulkFilter, extra: readonly string[] = []): BoundSql {
  const compression = files[0]?.compression ?? 'gzip';
  if (files.some((f) => f.compression !== compression)) throw new Error('bulkRowsSql: the files do not share one compression');
  const bound: BoundSql = { sql: '', values: { files: listValue(files.map((f) => f.path)) }, types: { files: LIST(VARCHAR) } };
  const select = [...EVENT_COLUMNS.map((c) => `${COLUMN_SQL[c]} AS ${c}`), ...extra].join(',\n  ');
  // compression and the record type are the code's own constants.
  bound.sql = `SELECT ${select}
FROM (SELECT filename, unnest(Records) AS r, generate_subscripts(Records, 1) AS _ord
  FROM read_json($files, format = 'auto', compression = '${compression}',
    filename = true, maximum_object_size = ${BULK_MAX_FILE_BYTES + 1}, columns = {Records: '${RECORD_TYPE}'}))
${filterSql(filter, bound)}
ORDER BY list_position($files, filename), _ord`;
  return bound;
}

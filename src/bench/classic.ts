/** The classic 8443 query (`SELECT * FROM cloudtrail_logs WHERE requestParameters LIKE '%8443%'`, README.md), verbatim: users paste it, so the benchmark runs it as is. */
export const CLASSIC_QUERY = `SELECT eventTime, sourceIPAddress, eventName, eventSource
FROM cloudtrail_logs
WHERE eventSource LIKE '%:8443%' OR requestParameters LIKE '%8443%'
ORDER BY eventTime DESC`;

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The same question asked of the raw files with DuckDB's own JSON reader: the baseline a DuckDB
 * user would write. Records are typed up front (only the columns the query needs, the parameters
 * kept as JSON text) because schema inference over heterogeneous CloudTrail records is what a
 * careful user avoids. maximum_object_size is raised: a whole `{"Records":[...]}` file is one
 * JSON object, and real delivered files can exceed the 16 MB default.
 */
export function duckdbDirectQuery(root: string): string {
  const glob = `${root.replace(/\/+$/, '')}/**/*.json.gz`;
  return `SELECT eventTime, sourceIPAddress, eventName, eventSource
FROM (
  SELECT unnest(Records, recursive := true)
  FROM read_json(${sqlString(glob)},
    format = 'auto',
    compression = 'gzip',
    maximum_object_size = 1073741824,
    columns = {Records: 'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, sourceIPAddress VARCHAR, requestParameters JSON)[]'})
)
WHERE eventSource LIKE '%:8443%' OR requestParameters LIKE '%8443%'
ORDER BY eventTime DESC`;
}

/**
 * The least any cold answer of the port runbook reads: the events that can carry a port change
 * (`EXPOSURE_EVENT_NAMES`), with the columns their judgement needs, straight from the files —
 * no store, no judging. A lower bound for `investigate` on logs it has never seen.
 */
export function duckdbCandidatesQuery(root: string, eventNames: readonly string[]): string {
  const glob = `${root.replace(/\/+$/, '')}/**/*.json.gz`;
  return `SELECT r.* FROM (
  SELECT unnest(Records) AS r
  FROM read_json(${sqlString(glob)}, format = 'auto', compression = 'gzip', maximum_object_size = 1073741824,
    columns = {Records: 'STRUCT(eventID VARCHAR, eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userIdentity JSON, errorCode VARCHAR, requestParameters JSON, responseElements JSON, recipientAccountId VARCHAR, userAgent VARCHAR)[]'})
)
WHERE r.eventName IN (${eventNames.map(sqlString).join(', ')})`;
}

/** Every top-level CloudTrail field, nested ones kept as JSON text: what an ingest has to keep. */
const ALL_FIELDS =
  'STRUCT(eventVersion VARCHAR, userIdentity JSON, eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, ' +
  'sourceIPAddress VARCHAR, userAgent VARCHAR, errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, ' +
  'additionalEventData JSON, requestID VARCHAR, eventID VARCHAR, readOnly VARCHAR, resources JSON, eventType VARCHAR, apiVersion VARCHAR, ' +
  'managementEvent VARCHAR, recipientAccountId VARCHAR, sharedEventID VARCHAR, vpcEndpointId VARCHAR, eventCategory VARCHAR, tlsDetails JSON)[]';

/**
 * DuckDB's own ingest, for reference: every record, every top-level field, into a table of a
 * database file (what trailbook's ingest also does, minus its ledger, dedupe and flattening).
 */
export function duckdbIngestSql(root: string): string {
  const glob = `${root.replace(/\/+$/, '')}/**/*.json.gz`;
  return `CREATE TABLE cloudtrail_logs AS
SELECT unnest(Records, recursive := true)
FROM read_json(${sqlString(glob)}, format = 'auto', compression = 'gzip', maximum_object_size = 1073741824,
  columns = {Records: ${sqlString(ALL_FIELDS)}})`;
}

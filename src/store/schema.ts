import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { ATHENA_MACROS } from './athena-macros.js';

/**
 * The local store. Ingest appends flat, typed rows to `cloudtrail_events` (fast appends, no
 * nested values to build per row); the Athena-shaped `cloudtrail_logs` view rebuilds the STRUCT
 * columns AWS documents, so `SELECT *` returns what Athena would. DuckDB only computes the view
 * columns a query references, so the rebuilding costs nothing for the columns not asked for.
 *
 * Internal columns start with `_`: `_key` (eventID, or a content hash when a record has none:
 * the dedupe key), `_time` (eventtime as TIMESTAMP, for pruning), `_file` (where it was read).
 * `eventtime` is canonical ISO-8601 UTC text whatever the log wrote (store/event-time.ts),
 * so text comparison orders instants; `eventtime_raw`, last so that older stores gain it by
 * `ALTER TABLE … ADD COLUMN` (store/event-times.ts), is the text as written. It is not in the
 * Athena view (Athena's table has no such column); query it from `cloudtrail_events`.
 */
export const CLOUDTRAIL_EVENTS_COLUMNS: readonly (readonly [name: string, type: string])[] = [
  ['_key', 'VARCHAR'],
  ['_time', 'TIMESTAMP'],
  ['_file', 'VARCHAR'],
  ['eventversion', 'VARCHAR'],
  ['ui_type', 'VARCHAR'],
  ['ui_principalid', 'VARCHAR'],
  ['ui_arn', 'VARCHAR'],
  ['ui_accountid', 'VARCHAR'],
  ['ui_invokedby', 'VARCHAR'],
  ['ui_accesskeyid', 'VARCHAR'],
  ['ui_username', 'VARCHAR'],
  ['ui_mfaauthenticated', 'VARCHAR'],
  ['ui_creationdate', 'VARCHAR'],
  ['ui_issuer_type', 'VARCHAR'],
  ['ui_issuer_principalid', 'VARCHAR'],
  ['ui_issuer_arn', 'VARCHAR'],
  ['ui_issuer_accountid', 'VARCHAR'],
  ['ui_issuer_username', 'VARCHAR'],
  ['ui_ec2roledelivery', 'VARCHAR'],
  ['ui_sourceidentity', 'VARCHAR'],
  ['eventtime', 'VARCHAR'],
  ['eventsource', 'VARCHAR'],
  ['eventname', 'VARCHAR'],
  ['awsregion', 'VARCHAR'],
  ['sourceipaddress', 'VARCHAR'],
  ['useragent', 'VARCHAR'],
  ['errorcode', 'VARCHAR'],
  ['errormessage', 'VARCHAR'],
  ['requestparameters', 'VARCHAR'],
  ['responseelements', 'VARCHAR'],
  ['additionaleventdata', 'VARCHAR'],
  ['requestid', 'VARCHAR'],
  ['eventid', 'VARCHAR'],
  ['resources_json', 'VARCHAR'],
  ['eventtype', 'VARCHAR'],
  ['apiversion', 'VARCHAR'],
  ['readonly', 'VARCHAR'],
  ['recipientaccountid', 'VARCHAR'],
  ['serviceeventdetails', 'VARCHAR'],
  ['sharedeventid', 'VARCHAR'],
  ['vpcendpointid', 'VARCHAR'],
  ['vpcendpointaccountid', 'VARCHAR'],
  ['eventcategory', 'VARCHAR'],
  ['sessioncredentialfromconsole', 'VARCHAR'],
  ['tls_version', 'VARCHAR'],
  ['tls_ciphersuite', 'VARCHAR'],
  ['tls_host', 'VARCHAR'],
  ['eventtime_raw', 'VARCHAR'],
];

const RESOURCES_TYPE = `'[{"arn":"VARCHAR","accountid":"VARCHAR","type":"VARCHAR"}]'`;

/**
 * The Athena-shaped view over a table with the columns of `cloudtrail_events` (or a subquery of
 * one); `temporary`: a view of this connection only, never stored.
 */
export function cloudTrailLogsViewSql(view: string, table: string, options: { temporary?: boolean } = {}): string {
  return `
CREATE OR REPLACE ${options.temporary ? 'TEMP ' : ''}VIEW ${view} AS
SELECT
  eventversion,
  struct_pack(
    type := ui_type, principalid := ui_principalid, arn := ui_arn, accountid := ui_accountid,
    invokedby := ui_invokedby, accesskeyid := ui_accesskeyid, username := ui_username,
    sessioncontext := struct_pack(
      attributes := struct_pack(mfaauthenticated := ui_mfaauthenticated, creationdate := ui_creationdate),
      sessionissuer := struct_pack(type := ui_issuer_type, principalid := ui_issuer_principalid,
        arn := ui_issuer_arn, accountid := ui_issuer_accountid, username := ui_issuer_username),
      ec2roledelivery := ui_ec2roledelivery,
      sourceidentity := ui_sourceidentity)
  ) AS useridentity,
  eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, errorcode,
  errormessage, requestparameters, responseelements, additionaleventdata, requestid, eventid,
  CAST(json_transform(resources_json, ${RESOURCES_TYPE}) AS STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]) AS resources,
  eventtype, apiversion, readonly, recipientaccountid, serviceeventdetails, sharedeventid,
  vpcendpointid, vpcendpointaccountid, eventcategory, sessioncredentialfromconsole,
  struct_pack(tlsversion := tls_version, ciphersuite := tls_ciphersuite, clientprovidedhostheader := tls_host) AS tlsdetails
FROM ${table}`;
}

export const LEDGER_COLUMNS: readonly (readonly [string, string])[] = [
  ['path', 'VARCHAR'],
  ['kind', 'VARCHAR'],
  ['size', 'BIGINT'],
  ['mtime_ms', 'DOUBLE'],
  ['sha256', 'VARCHAR'],
  ['outcome', 'VARCHAR'],
  ['reason', 'VARCHAR'],
  ['records', 'BIGINT'],
  ['records_skipped', 'BIGINT'],
  ['ingested_at', 'TIMESTAMP'],
  // An S3 object's ETag (null for local files): with the s3:// path, what a re-run compares.
  ['etag', 'VARCHAR'],
];

export function createTableSql(name: string, columns: readonly (readonly [string, string])[]): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`;
}

/** Gives a table of a store older than `eventtime_raw` the column, last as in a new one. */
export function addRawEventTimeSql(table: string): string {
  return `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS eventtime_raw VARCHAR`;
}

export interface InstallOptions {
  /** Read-only connections get the (temporary) Athena macros only. */
  macrosOnly?: boolean;
}

/**
 * The statements that create the store's CloudTrail tables and views, in order (idempotent:
 * tables are created if missing, views replaced). Part of the store's layout (store/layout.ts).
 */
export const CLOUDTRAIL_STORE_DDL: readonly string[] = [
  createTableSql('cloudtrail_events', CLOUDTRAIL_EVENTS_COLUMNS),
  addRawEventTimeSql('cloudtrail_events'),
  cloudTrailLogsViewSql('cloudtrail_logs', 'cloudtrail_events'),
  // Insights events are not API calls and have none of the Athena columns' meaning; they are kept
  // whole (nothing is lost) in their own table, as AWS keeps them under their own prefix.
  'CREATE TABLE IF NOT EXISTS cloudtrail_insights (_key VARCHAR, _time TIMESTAMP, _file VARCHAR, eventid VARCHAR, eventtime VARCHAR, eventsource VARCHAR, eventname VARCHAR, awsregion VARCHAR, insighttype VARCHAR, record VARCHAR)',
  // One row per file per ingest run that read or skipped it: the audit trail of what was read.
  createTableSql('ingest_ledger', LEDGER_COLUMNS),
  // A store from before S3 sources gets the column, last as in a new one.
  'ALTER TABLE ingest_ledger ADD COLUMN IF NOT EXISTS etag VARCHAR',
];

export async function installSchema(engine: DuckDBEngine, options: InstallOptions = {}): Promise<void> {
  for (const macro of ATHENA_MACROS) await engine.run(macro);
  if (options.macrosOnly) return;
  for (const statement of CLOUDTRAIL_STORE_DDL) await engine.run(statement);
}

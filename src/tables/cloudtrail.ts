/**
 * The Athena-compatible `cloudtrail_logs` row, as the engines return it (docs/runbook-format.md, "Tables"): lowercase
 * column names, leaf values strings, `requestparameters` / `responseelements` JSON text. This is
 * the shape every judging stage (ports, runbook) receives from SQL.
 */
export interface SessionIssuer {
  type: string | null;
  principalid: string | null;
  arn: string | null;
  accountid: string | null;
  username: string | null;
}

export interface UserIdentity {
  type: string | null;
  principalid: string | null;
  arn: string | null;
  accountid: string | null;
  invokedby: string | null;
  accesskeyid: string | null;
  username: string | null;
  sessioncontext: {
    attributes: { mfaauthenticated: string | null; creationdate: string | null } | null;
    sessionissuer: SessionIssuer | null;
    ec2roledelivery: string | null;
    sourceidentity: string | null;
  } | null;
}

export interface CloudTrailRow {
  eventversion: string | null;
  useridentity: UserIdentity | null;
  eventtime: string | null;
  eventsource: string | null;
  eventname: string | null;
  awsregion: string | null;
  sourceipaddress: string | null;
  useragent: string | null;
  errorcode: string | null;
  errormessage: string | null;
  requestparameters: string | null;
  responseelements: string | null;
  additionaleventdata: string | null;
  requestid: string | null;
  eventid: string | null;
  resources: { arn: string | null; accountid: string | null; type: string | null }[] | null;
  eventtype: string | null;
  apiversion: string | null;
  readonly: string | null;
  recipientaccountid: string | null;
  serviceeventdetails: string | null;
  sharedeventid: string | null;
  vpcendpointid: string | null;
  vpcendpointaccountid: string | null;
  eventcategory: string | null;
  sessioncredentialfromconsole: string | null;
  tlsdetails: { tlsversion: string | null; ciphersuite: string | null; clientprovidedhostheader: string | null } | null;
}

/**
 * `useridentity` read whole, the same text on both engines: a struct (DuckDB) or row (Athena) cast
 * to JSON and formatted as JSON text. Selected bare, Athena would render the row as `{arn=…, …}`,
 * which cannot be parsed back (docs/athena.md, "Results"); read with `userIdentityOf`.
 */
export const USERIDENTITY_JSON = 'json_format(CAST(useridentity AS JSON)) AS useridentity';

/** The `useridentity` value of a row read with USERIDENTITY_JSON (JSON text), or already an object. */
export function userIdentityOf(value: unknown): UserIdentity | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return JSON.parse(value) as UserIdentity | null;
  return value as UserIdentity;
}

/** Column order of the Athena table, as `SELECT *` returns it. */
export const CLOUDTRAIL_COLUMNS = [
  'eventversion',
  'useridentity',
  'eventtime',
  'eventsource',
  'eventname',
  'awsregion',
  'sourceipaddress',
  'useragent',
  'errorcode',
  'errormessage',
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'requestid',
  'eventid',
  'resources',
  'eventtype',
  'apiversion',
  'readonly',
  'recipientaccountid',
  'serviceeventdetails',
  'sharedeventid',
  'vpcendpointid',
  'vpcendpointaccountid',
  'eventcategory',
  'sessioncredentialfromconsole',
  'tlsdetails',
] as const;

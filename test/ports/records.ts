import type { CloudTrailRow } from '../../src/tables/cloudtrail.js';

/**
 * A raw CloudTrail record (camelCase JSON, as in the log files and the peers' fixtures) turned
 * into the Athena row shape the normalizers receive: lowercase columns, JSON columns as text.
 * Test-only: ingestion does this for real data.
 */
export function rowFromRecord(record: Record<string, any>): CloudTrailRow {
  const ui = record['userIdentity'] ?? null;
  const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return {
    eventversion: str(record['eventVersion']),
    useridentity: ui && {
      type: str(ui.type),
      principalid: str(ui.principalId),
      arn: str(ui.arn),
      accountid: str(ui.accountId),
      invokedby: str(ui.invokedBy),
      accesskeyid: str(ui.accessKeyId),
      username: str(ui.userName),
      sessioncontext: null,
    },
    eventtime: str(record['eventTime']),
    eventsource: str(record['eventSource']),
    eventname: str(record['eventName']),
    awsregion: str(record['awsRegion']),
    sourceipaddress: str(record['sourceIPAddress']),
    useragent: str(record['userAgent']),
    errorcode: str(record['errorCode']),
    errormessage: str(record['errorMessage']),
    requestparameters: json(record['requestParameters']),
    responseelements: json(record['responseElements']),
    additionaleventdata: json(record['additionalEventData']),
    requestid: str(record['requestID']),
    eventid: str(record['eventID']),
    resources: null,
    eventtype: str(record['eventType']),
    apiversion: str(record['apiVersion']),
    readonly: str(record['readOnly']),
    recipientaccountid: str(record['recipientAccountId']),
    serviceeventdetails: null,
    sharedeventid: null,
    vpcendpointid: null,
    vpcendpointaccountid: null,
    eventcategory: str(record['eventCategory']),
    sessioncredentialfromconsole: null,
    tlsdetails: null,
  };
}

let counter = 0;
/** A minimal successful event; override what the case is about. */
export function event(eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}): Record<string, any> {
  counter += 1;
  return {
    eventVersion: '1.09',
    eventID: `evt-${String(counter).padStart(4, '0')}`,
    eventTime: `2024-08-01T12:${String(counter % 60).padStart(2, '0')}:00Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE' },
    recipientAccountId: '111122223333',
    requestParameters,
    responseElements: { _return: true },
    ...extra,
  };
}

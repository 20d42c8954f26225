import { createHash } from 'node:crypto';
import { parseEventTime } from '../../store/event-time.js';

/**
 * One CloudTrail event (as AWS writes it, camelCase) → the flat values of `cloudtrail_events`, in
 * the order of CLOUDTRAIL_EVENTS_COLUMNS after the three internal ones. Pure.
 *
 * Athena's table declares every leaf a string and the free-form parts (requestParameters,
 * responseElements, additionalEventData, serviceEventDetails) JSON text, so values of other types
 * are kept as their JSON text rather than dropped: a number where a string belongs stays readable.
 */
export type FlatValue = string | null;

export interface FlatEvent {
  key: string;
  /** Epoch milliseconds of eventTime (store/event-time.ts). */
  timeMs: number;
  values: FlatValue[];
}

function text(value: unknown): FlatValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function json(value: unknown): FlatValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function object(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** CloudTrail writes `resources` as `[{ARN, accountId, type}]`; Athena's struct fields are lowercase. */
function resourcesJson(value: unknown): FlatValue {
  if (!Array.isArray(value)) return value === undefined || value === null ? null : JSON.stringify([]);
  return JSON.stringify(
    value.map((item) => {
      const r = object(item);
      return { arn: text(r['ARN'] ?? r['arn']), accountid: text(r['accountId'] ?? r['accountid']), type: text(r['type']) };
    }),
  );
}

/**
 * The dedupe key. CloudTrail's eventID identifies an event, and a re-delivered event repeats it
 * with the same time and name; test corpora reuse ids across different events, so time and name
 * are part of the key too, which keeps those apart at no cost for real logs.
 */
export function eventKey(event: Record<string, unknown>): string {
  const id = event['eventID'];
  if (typeof id === 'string' && id !== '') return `${id}|${String(event['eventTime'])}|${String(event['eventName'])}`;
  return 'sha256:' + createHash('sha256').update(JSON.stringify(event)).digest('hex');
}

export function isInsightsEvent(event: Record<string, unknown>): boolean {
  return event['eventType'] === 'AwsCloudTrailInsight' || 'insightDetails' in event;
}

/**
 * `eventtime` is the canonical text of the time (store/event-time.ts) and `eventtime_raw`, the last
 * column, the text as the log wrote it. The record must have passed decode.ts, which skips
 * records whose time does not parse.
 */
export function flattenEvent(event: Record<string, unknown>): FlatEvent {
  const time = parseEventTime(event['eventTime']);
  if (!time.ok) throw new Error(`flattenEvent: a record decode.ts should have skipped: ${time.reason}`);
  const identity = object(event['userIdentity']);
  const session = object(identity['sessionContext']);
  const attributes = object(session['attributes']);
  const issuer = object(session['sessionIssuer']);
  const tls = object(event['tlsDetails']);
  const values: FlatValue[] = [
    text(event['eventVersion']),
    text(identity['type']),
    text(identity['principalId']),
    text(identity['arn']),
    text(identity['accountId']),
    text(identity['invokedBy']),
    text(identity['accessKeyId']),
    text(identity['userName']),
    text(attributes['mfaAuthenticated']),
    text(attributes['creationDate']),
    text(issuer['type']),
    text(issuer['principalId']),
    text(issuer['arn']),
    text(issuer['accountId']),
    text(issuer['userName']),
    text(session['ec2RoleDelivery']),
    text(session['sourceIdentity']),
    time.canonical,
    text(event['eventSource']),
    text(event['eventName']),
    text(event['awsRegion']),
    text(event['sourceIPAddress']),
    text(event['userAgent']),
    text(event['errorCode']),
    text(event['errorMessage']),
    json(event['requestParameters']),
    json(event['responseElements']),
    json(event['additionalEventData']),
    text(event['requestID']),
    text(event['eventID']),
    resourcesJson(event['resources']),
    text(event['eventType']),
    text(event['apiVersion']),
    text(event['readOnly']),
    text(event['recipientAccountId']),
    json(event['serviceEventDetails']),
    text(event['sharedEventID']),
    text(event['vpcEndpointId']),
    text(event['vpcEndpointAccountId']),
    text(event['eventCategory']),
    text(event['sessionCredentialFromConsole']),
    text(tls['tlsVersion']),
    text(tls['cipherSuite']),
    text(tls['clientProvidedHostHeader']),
    text(event['eventTime']),
  ];
  return { key: eventKey(event), timeMs: time.ms, values };
}

import type { Rng } from '../prng.js';
import type { Account, RoleSession, User } from './accounts.js';

/**
 * How one CloudTrail record is put together: who called (the actor) and what was called (the
 * call), assembled in the key order AWS writes, so the corpus looks like a delivered log file to
 * a reader that cares about shapes (nesting, nulls, absent-vs-null keys).
 */
export interface Actor {
  identity: Record<string, unknown>;
  ip: string;
  userAgent: string;
  /** AWS services calling on their own behalf carry no tlsDetails. */
  tls: boolean;
  arn: string;
}

export interface Call {
  source: string;
  name: string;
  readOnly: boolean;
  request: Record<string, unknown> | null;
  response: Record<string, unknown> | null;
  resources?: Record<string, unknown>[];
  additional?: Record<string, unknown>;
  eventType?: string;
  category?: 'Management' | 'Data';
  sharedEventID?: boolean;
  apiVersion?: string;
  errorCode?: string;
  errorMessage?: string;
  /** The host the client named (defaults to `<service>.<region>.amazonaws.com`). */
  host?: string;
}

export interface EventContext {
  rng: Rng;
  account: Account;
  region: string;
  /** Epoch milliseconds, whole seconds. */
  time: number;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The "Mar 1, 2024, 6:12:03 PM" style AWS uses inside responseElements. */
export function awsDisplayTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

export function userActor(ctx: EventContext, user: User): Actor {
  const arn = `arn:aws:iam::${ctx.account.id}:user/${user.name}`;
  return {
    identity: {
      type: 'IAMUser',
      principalId: user.principalId,
      arn,
      accountId: ctx.account.id,
      accessKeyId: user.accessKeyId,
      userName: user.name,
    },
    ip: user.ip,
    userAgent: user.userAgent,
    tls: true,
    arn,
  };
}

export function roleActor(ctx: EventContext, s: RoleSession): Actor {
  const acct = ctx.account.id;
  const rolePath = s.role.startsWith('AWSReservedSSO_') ? `aws-reserved/sso.amazonaws.com/${s.role}` : s.role;
  const arn = `arn:aws:sts::${acct}:assumed-role/${s.role}/${s.session}`;
  const sessionContext: Record<string, unknown> = {
    sessionIssuer: { type: 'Role', principalId: s.roleId, arn: `arn:aws:iam::${acct}:role/${rolePath}`, accountId: acct, userName: s.role },
    webIdFederationData: {},
    // Sessions are refreshed hourly: the creation date is the top of the event's hour.
    attributes: { creationDate: isoSeconds(ctx.time - (ctx.time % 3_600_000)), mfaAuthenticated: s.mfa ? 'true' : 'false' },
  };
  if (s.ec2Instance) sessionContext['ec2RoleDelivery'] = '2.0';
  return {
    identity: { type: 'AssumedRole', principalId: `${s.roleId}:${s.session}`, arn, accountId: acct, accessKeyId: s.accessKeyId, sessionContext },
    ip: s.ip,
    userAgent: s.userAgent,
    tls: true,
    arn,
  };
}

export function serviceActor(service: string): Actor {
  return { identity: { type: 'AWSService', invokedBy: service }, ip: service, userAgent: service, tls: false, arn: service };
}

export function rootActor(ctx: EventContext, ip: string): Actor {
  const arn = `arn:aws:iam::${ctx.account.id}:root`;
  return {
    identity: { type: 'Root', principalId: ctx.account.id, arn, accountId: ctx.account.id, accessKeyId: '' },
    ip,
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
    tls: true,
    arn,
  };
}

/** One record, keys in the order CloudTrail writes them; optional keys are absent, not null. */
export function assemble(ctx: EventContext, actor: Actor, call: Call): Record<string, unknown> {
  const { rng } = ctx;
  const r: Record<string, unknown> = {
    eventVersion: call.category === 'Data' ? '1.10' : '1.09',
    userIdentity: actor.identity,
    eventTime: isoSeconds(ctx.time),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: ctx.region,
    sourceIPAddress: actor.ip,
    userAgent: actor.userAgent,
  };
  if (call.errorCode) {
    r['errorCode'] = call.errorCode;
    r['errorMessage'] = call.errorMessage;
  }
  r['requestParameters'] = call.request;
  r['responseElements'] = call.response;
  if (call.additional) r['additionalEventData'] = call.additional;
  r['requestID'] = call.source === 's3.amazonaws.com' ? rng.upper(16) : rng.uuid();
  r['eventID'] = rng.uuid();
  r['readOnly'] = call.readOnly;
  if (call.resources) r['resources'] = call.resources;
  r['eventType'] = call.eventType ?? 'AwsApiCall';
  if (call.apiVersion) r['apiVersion'] = call.apiVersion;
  r['managementEvent'] = call.category !== 'Data';
  r['recipientAccountId'] = ctx.account.id;
  if (call.sharedEventID) r['sharedEventID'] = rng.uuid();
  r['eventCategory'] = call.category ?? 'Management';
  if (actor.tls) {
    const tls13 = rng.chance(0.8);
    r['tlsDetails'] = {
      tlsVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2',
      cipherSuite: tls13 ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256',
      clientProvidedHostHeader: call.host ?? `${call.source.replace('.amazonaws.com', '')}.${ctx.region}.amazonaws.com`,
    };
  }
  return r;
}

import type { Engine } from '../engines/engine.js';
import type { CarryColumn } from '../ports/index.js';
import type { CloudTrailRow } from '../tables/cloudtrail.js';

export interface CallerIdentity {
  eventId: string;
  identityType: string | null;
  arn: string | null;
  accessKeyId: string | null;
  mfa: boolean | null;
  /** Set when `mfa` is inferred rather than read from the event. */
  mfaReason?: string;
  via: 'api' | 'console' | 'service';
  issuer: string | null;
  /** An EC2 instance-profile session (`ec2RoleDelivery`, or a role session named after an instance). */
  instanceCredentials: boolean;
}

/** The columns `identityOf` reads beyond those `findExposures` reads anyway (`useridentity`, `sourceipaddress`). */
export const IDENTITY_CARRY: readonly CarryColumn[] = ['useragent', 'sessioncredentialfromconsole', 'additionaleventdata'];

/** The columns `identityOf` reads. */
const IDENTITY_COLUMNS = 'eventid, useridentity, useragent, sourceipaddress, sessioncredentialfromconsole, additionaleventdata';

/**
 * The event-id lookup: a semi-join on the bound id list (one hash probe per row), not a list
 * search per row. The ids are one bound JSON array, never spliced into the SQL.
 */
export const EVENTS_BY_ID_SQL = `SELECT ${IDENTITY_COLUMNS}
FROM cloudtrail_logs
WHERE eventid IN (SELECT unnest(CAST(json($ids) AS VARCHAR[])))`;

/**
 * The identity behind each CloudTrail event of the findings (Q4). Identities already `known`
 * (read with the events by an earlier step) are taken as they are; the rest are read from
 * `cloudtrail_logs` in one query.
 */
export async function lookupIdentities(
  engine: Engine,
  eventIds: readonly string[],
  known?: ReadonlyMap<string, CallerIdentity>,
): Promise<Map<string, CallerIdentity>> {
  const out = new Map<string, CallerIdentity>();
  const missing: string[] = [];
  for (const id of eventIds) {
    const identity = known?.get(id);
    if (identity) out.set(id, identity);
    else missing.push(id);
  }
  if (missing.length === 0) return out;
  const { rows } = await engine.all(EVENTS_BY_ID_SQL, { ids: JSON.stringify(missing) });
  for (const row of rows) out.set(String(row['eventid']), identityOf(row as unknown as CloudTrailRow));
  return out;
}

const LONG_TERM_KEY = /^AKIA[A-Z0-9]{12,}$/;

/**
 * A call signed with a long-term access key (AKIA…) itself carries no MFA: AWS has no way to
 * attach MFA to such a request. MFA with a long-term key means calling GetSessionToken with the
 * MFA code and using the temporary ASIA… key it returns, which CloudTrail records as a session.
 */
const LONG_TERM_NO_MFA = 'a long-term access key (AKIA…) used directly: such a call cannot carry MFA (MFA needs a GetSessionToken session, whose key is ASIA…)';

export function identityOf(
  row: Pick<CloudTrailRow, 'eventid' | 'useridentity' | 'useragent' | 'sourceipaddress' | 'sessioncredentialfromconsole' | 'additionaleventdata'>,
): CallerIdentity {
  const ui = row.useridentity;
  const session = ui?.sessioncontext;
  const mfaText = session?.attributes?.mfaauthenticated ?? mfaFromLogin(row.additionaleventdata);
  const service = !!ui?.invokedby || /\.amazonaws\.com$/i.test(row.sourceipaddress ?? '') || ui?.type === 'AWSService';
  const console =
    row.sessioncredentialfromconsole === 'true' || /^(AWS Internal|signin\.amazonaws\.com)/.test(row.useragent ?? '') || /Mozilla\//.test(row.useragent ?? '');
  const via = service ? 'service' : console ? 'console' : 'api';
  const stated = mfaText === null || mfaText === undefined ? null : mfaText === 'true' || mfaText === 'Yes';
  const longTermDirect = stated === null && via === 'api' && LONG_TERM_KEY.test(ui?.accesskeyid ?? '') && (ui?.type === 'IAMUser' || ui?.type === 'Root');
  return {
    eventId: String(row.eventid),
    identityType: ui?.type ?? null,
    arn: ui?.arn ?? ui?.invokedby ?? null,
    accessKeyId: ui?.accesskeyid ?? null,
    mfa: longTermDirect ? false : stated,
    ...(longTermDirect ? { mfaReason: LONG_TERM_NO_MFA } : {}),
    via,
    issuer: session?.sessionissuer?.arn ?? null,
    instanceCredentials: !!session?.ec2roledelivery || /:i-[0-9a-f]{8,17}$/.test(ui?.principalid ?? ''),
  };
}

function mfaFromLogin(additional: string | null): string | null {
  if (!additional) return null;
  try {
    const value = (JSON.parse(additional) as { MFAUsed?: unknown }).MFAUsed;
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

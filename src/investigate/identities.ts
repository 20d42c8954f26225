import type { Engine } from '../engines/engine.js';
import type { CarryColumn } from '../ports/index.js';
import { USERIDENTITY_JSON, userIdentityOf, type CloudTrailRow } from '../tables/cloudtrail.js';

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
const IDENTITY_COLUMNS = `eventid, ${USERIDENTITY_JSON}, useragent, sourceipaddress, sessioncredentialfromconsole, additionaleventdata`;

/**
 * The event-id lookup: `eventid IN ($id0, $id1, …)`, one bound parameter per id (never spliced
 * into the SQL), which both engines read alike: DuckDB hashes the list, Athena gets each id as an
 * ExecutionParameters literal. A DuckDB list type (`VARCHAR[]`) would not translate to Trino.
 */
export function eventsByIdSql(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => `$id${i}`).join(', ');
  return `SELECT ${IDENTITY_COLUMNS}
FROM cloudtrail_logs
WHERE eventid IN (${ids})`;
}

/** Ids per lookup query: Athena's query text has a size limit (262,144 bytes), so a long id list is read in several queries. */
export const IDS_PER_LOOKUP = 500;

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
  for (let start = 0; start < missing.length; start += IDS_PER_LOOKUP) {
    const chunk = missing.slice(start, start + IDS_PER_LOOKUP);
    const params = Object.fromEntries(chunk.map((id, i) => [`id${i}`, id]));
    const { rows } = await engine.all(eventsByIdSql(chunk.length), params);
    for (const row of rows)
      out.set(String(row['eventid']), identityOf({ ...(row as unknown as CloudTrailRow), useridentity: userIdentityOf(row['useridentity']) }));
  }
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

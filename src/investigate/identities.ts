import type { Engine } from '../engines/engine.js';
import type { CloudTrailRow } from '../tables/cloudtrail.js';
import type { CallerIdentity } from './assemble.js';

/** The identity behind each CloudTrail event of the findings (Q4), read from `cloudtrail_logs`. */
export async function lookupIdentities(engine: Engine, eventIds: readonly string[]): Promise<Map<string, CallerIdentity>> {
  const out = new Map<string, CallerIdentity>();
  if (eventIds.length === 0) return out;
  const { rows } = await engine.all(
    `SELECT eventid, useridentity, useragent, sourceipaddress, sessioncredentialfromconsole, additionaleventdata
     FROM cloudtrail_logs WHERE list_contains(CAST(json($ids) AS VARCHAR[]), eventid)`,
    { ids: JSON.stringify(eventIds) },
  );
  for (const row of rows) out.set(String(row['eventid']), identityOf(row as unknown as CloudTrailRow));
  return out;
}

export function identityOf(row: Pick<CloudTrailRow, 'eventid' | 'useridentity' | 'useragent' | 'sourceipaddress' | 'sessioncredentialfromconsole' | 'additionaleventdata'>): CallerIdentity {
  const ui = row.useridentity;
  const session = ui?.sessioncontext;
  const mfaText = session?.attributes?.mfaauthenticated ?? mfaFromLogin(row.additionaleventdata);
  const service = !!ui?.invokedby || /\.amazonaws\.com$/i.test(row.sourceipaddress ?? '') || ui?.type === 'AWSService';
  const console = row.sessioncredentialfromconsole === 'true' || /^(AWS Internal|signin\.amazonaws\.com)/.test(row.useragent ?? '') || /Mozilla\//.test(row.useragent ?? '');
  return {
    eventId: String(row.eventid),
    identityType: ui?.type ?? null,
    arn: ui?.arn ?? ui?.invokedby ?? null,
    accessKeyId: ui?.accesskeyid ?? null,
    mfa: mfaText === null || mfaText === undefined ? null : mfaText === 'true' || mfaText === 'Yes',
    via: service ? 'service' : console ? 'console' : 'api',
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

import type { Row } from '../engines/engine.js';
import type { SourceAssessment } from '../report/contract.js';
import type { CallerIdentity } from './identities.js';
import type { StepRows } from './steps.js';

/**
 * Adds the columns every row carries besides its step's own (runbook/row-columns.ts lists them
 * with their meanings), so that finding rules, signals and answers written in a runbook can test
 * who called and what intel says of the address without any TypeScript knowing the runbook.
 * Rows are enriched in place, once per run.
 */

/** A party's assessment plus whether a threat feed named it (evidence of hostility, not mere absence from a list). */
export type JudgedSource = SourceAssessment & { hostile: boolean };

export interface EnrichContext {
  identities: ReadonlyMap<string, CallerIdentity>;
  /** Verdict of an address or service principal at a time; `principalArn` for an API caller. */
  judge(value: string, at: string | null, principalArn?: string): JudgedSource;
  isApprovedPrincipal(arn: string): boolean;
}

export function evidenceOf(row: Row): 'cloudtrail' | 'flow' | null {
  const ref = row['source_ref'];
  if (typeof ref !== 'string') return null;
  return ref.startsWith('flow:') ? 'flow' : 'cloudtrail';
}

export function keyKind(accessKeyId: string | null | undefined): 'long-term' | 'session' | 'none' {
  if (!accessKeyId) return 'none';
  if (accessKeyId.startsWith('AKIA')) return 'long-term';
  if (accessKeyId.startsWith('ASIA')) return 'session';
  return 'none';
}

const IP_LIKE = /^[0-9a-fA-F:.]+$/;

export function enrichRows(steps: StepRows, context: EnrichContext): void {
  const approved = new Map<string, boolean>();
  const isApproved = (arn: string) => {
    let value = approved.get(arn);
    if (value === undefined) approved.set(arn, (value = context.isApprovedPrincipal(arn)));
    return value;
  };
  for (const [stepId, rows] of steps) {
    for (const row of rows) {
      row['step'] = stepId;
      const evidence = evidenceOf(row);
      row['evidence'] = evidence;
      const identity = evidence === 'cloudtrail' ? context.identities.get(String(row['source_ref'])) : undefined;
      if (identity) {
        row['caller_type'] = identity.identityType;
        row['caller_arn'] = identity.arn;
        row['caller_key'] = identity.accessKeyId;
        row['caller_key_kind'] = keyKind(identity.accessKeyId);
        row['caller_mfa'] = identity.mfa;
        row['caller_via'] = identity.via;
        row['caller_issuer'] = identity.issuer;
        row['caller_instance_credentials'] = identity.instanceCredentials;
        row['caller_approved'] = identity.arn ? isApproved(identity.arn) : false;
      }
      const ip = row['source_ip'];
      if (typeof ip === 'string' && ip !== '') {
        // An API caller is judged with its principal (an approved CI role from a runner's changing
        // address is allowed); a connection peer by its address alone.
        const judged = context.judge(ip, typeof row['ts'] === 'string' ? row['ts'] : null, identity?.arn ?? undefined);
        row['source_verdict'] = judged.verdict;
        row['source_hostile'] = judged.hostile;
        row['source_reasons'] = judged.reasons;
        row['source_is_address'] = IP_LIKE.test(ip) && (ip.includes('.') || ip.includes(':'));
      }
    }
  }
}

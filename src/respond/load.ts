import type { Engine } from '../engines/engine.js';
import { findExposures } from '../ports/query.js';
import type { Finding } from '../report/contract.js';
import type { OpenedRule } from './plan.js';

/**
 * What the planner needs beyond the report: the exact rules the finding's CloudTrail events
 * opened (the report's rows say `tcp port 8443 from 0.0.0.0/0`, not the `securityGroupRuleId`
 * AWS returned), read again from the store's judged exposure changes (ports/query.ts, bound
 * parameters only) and matched to the finding by event id, each with the later change that
 * closed it, if any.
 */
export async function openedRules(engine: Engine, finding: Finding, to?: string): Promise<OpenedRule[]> {
  const ids = new Set(finding.eventIds);
  for (const row of finding.evidence) if (!row.source_ref.startsWith('flow:')) ids.add(row.source_ref);
  if (ids.size === 0) return [];
  const { changes, windows } = await findExposures(engine, to ? { to } : {});
  const closedBy = new Map(windows.map((w) => [w.opened, w.closed]));
  return changes
    .filter((c) => c.action === 'open' && c.eventId !== null && ids.has(c.eventId))
    .map((opened) => ({ opened, closed: closedBy.get(opened) ?? null }));
}

import { actionSeverity, type Action } from '../decide/actions.js';
import type { Finding, Report } from '../report/contract.js';
import type { Alert, AlertChange } from './alert.js';

/** What was last alerted per finding identity (`<runbook id>/<finding id>`): the `alert_state` table, as a map. */
export type AlertState = ReadonlyMap<string, Action>;

export interface PlanContext {
  /** Where the run's HTML report was written, when it was. */
  reportPath?: string | null;
}

/** A finding's identity across runs: the runbook's id and the finding's id (docs/watch.md says where it can shift). */
export function findingIdentity(runbookId: string, findingId: string): string {
  return `${runbookId}/${findingId}`;
}

/** The alert id, the receivers' dedup key: one per identity and action, so a re-send carries the same id. */
export function alertId(identity: string, action: Action): string {
  return `${identity}@${action}`;
}

/**
 * The alerts a report raises given what was alerted before (pure; docs/watch.md):
 * - `new`: a finding never alerted, unless it is decided false-positive (nothing to say);
 * - `escalated`: alerted before at a less severe decision;
 * - `resolved`: alerted before (at anything but false-positive), now decided false-positive;
 * - nothing when the decision is as severe as, or less severe than, the one alerted (no re-alert
 *   for a finding that calms down short of false-positive), and nothing for a finding that is no
 *   longer in the report (the logs are only ever added to; the window may have moved past it).
 * In the report's finding order, which is stable for the same store.
 */
export function planAlerts(previous: AlertState, report: Report, context: PlanContext = {}): Alert[] {
  const alerts: Alert[] = [];
  for (const finding of report.findings) {
    const identity = findingIdentity(report.runbook.id, finding.id);
    const action = finding.decision.action;
    const before = previous.get(identity);
    const change = changeOf(before, action);
    if (change === null) continue;
    alerts.push(alertFor(report, finding, change, before ?? null, context.reportPath ?? null));
  }
  return alerts;
}

/** One finding of a report as the alert of a change (the shape every sink receives). */
export function alertFor(report: Report, finding: Finding, change: AlertChange, previousAction: Action | null, reportPath: string | null): Alert {
  const identity = findingIdentity(report.runbook.id, finding.id);
  return {
    id: alertId(identity, finding.decision.action),
    identity,
    change,
    action: finding.decision.action,
    previousAction,
    raisedAt: report.generatedAt,
    runbook: report.runbook,
    subject: report.subject,
    finding,
    questions: report.questions,
    answers: report.answers,
    reportPath,
  };
}

function changeOf(before: Action | undefined, now: Action): AlertChange | null {
  if (before === undefined) return now === 'false-positive' ? null : 'new';
  if (now === 'false-positive') return before === 'false-positive' ? null : 'resolved';
  // 0 is the most severe: a smaller severity number than the one alerted is worse.
  return actionSeverity(now) < actionSeverity(before) ? 'escalated' : null;
}

/** The state after the alerts are recorded: each alerted identity at its alerted action. */
export function stateAfter(previous: AlertState, alerts: readonly Alert[]): Map<string, Action> {
  const next = new Map(previous);
  for (const alert of alerts) next.set(alert.identity, alert.action);
  return next;
}

import type { Action } from '../decide/actions.js';
import type { Finding, Report } from '../report/contract.js';

/**
 * An alert: what `trailbook watch` hands to the sinks (docs/alerts.md) when a run of a runbook
 * finds something new, or finds a known thing worse or cleared. One finding, one alert per
 * change: a finding already alerted at the same severity raises nothing.
 *
 * `identity` is the finding's identity across runs, `<runbook id>/<finding id>`: the finding id
 * is the runbook's finding rule and a hash of its grouping key (src/investigate/assemble.ts), so
 * the same incident keeps it while logs are added. It is the dedup key downstream (PagerDuty's
 * `dedup_key`, the webhook's `X-Trailbook-Alert-Id` prefix).
 */
export type AlertChange =
  /** First seen, at any decision other than false-positive. */
  | 'new'
  /** Seen before at a less severe decision. */
  | 'escalated'
  /** Alerted before, now decided false-positive: sinks that can, close it (PagerDuty `resolve`). */
  | 'resolved';

export interface Alert {
  /** Unique per identity and change: `<identity>@<action>`; a re-send of the same alert carries the same id. */
  id: string;
  identity: string;
  change: AlertChange;
  action: Action;
  /** The decision alerted before, or null for a new finding. */
  previousAction: Action | null;
  /** When the run that raised it made its report (ISO-8601 UTC). */
  raisedAt: string;
  runbook: Report['runbook'];
  subject: string | null;
  finding: Finding;
  /** The run's questions and answers (the five answers for the port runbook). */
  questions: Report['questions'];
  answers: Report['answers'];
  /** Where the full report of that run was written (HTML), when it was. */
  reportPath: string | null;
}

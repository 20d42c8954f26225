import type { Action } from '../../decide/actions.js';
import type { Alert } from '../alert.js';
import { postJson, type Sink } from '../sink.js';
import { alertFacts } from './facts.js';

/** PagerDuty Events API v2: one endpoint for every event, the integration chosen by `routing_key`. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyOptions {
  name: string;
  /** The integration's routing key, read from an environment variable by the caller. */
  routingKey: string;
  /** The endpoint; PagerDuty's unless a test (or a proxy) says otherwise. */
  url?: string;
  /** `payload.source`: what is affected; `trailbook` unless the configuration says. */
  source?: string;
}

/** The decision → PagerDuty severity (critical, error, warning, info). */
export const PAGERDUTY_SEVERITY: Record<Exclude<Action, 'false-positive'>, 'critical' | 'error' | 'warning'> = {
  isolate: 'critical',
  escalate: 'error',
  ticket: 'warning',
};

/** PagerDuty's limits: `summary` 1024 characters, `dedup_key` 255. */
const SUMMARY_LIMIT = 1024;
const DEDUP_KEY_LIMIT = 255;

/**
 * The Events API v2 body of an alert: `trigger` for a new or escalated finding (same `dedup_key`:
 * an escalation updates the open incident), `resolve` when the finding is now a false positive.
 * PagerDuty renders these as plain text, so values need no escaping beyond `plain`.
 */
export function pagerDutyEvent(alert: Alert, routingKey: string, source = 'trailbook'): Record<string, unknown> {
  const dedupKey = alert.identity.length <= DEDUP_KEY_LIMIT ? alert.identity : alert.identity.slice(0, DEDUP_KEY_LIMIT);
  if (alert.change === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const facts = alertFacts(alert);
  const summary = `trailbook ${facts.headline}: ${facts.title}`;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: summary.length <= SUMMARY_LIMIT ? summary : `${summary.slice(0, SUMMARY_LIMIT - 1)}…`,
      source,
      severity: PAGERDUTY_SEVERITY[alert.action as Exclude<Action, 'false-positive'>] ?? 'info',
      timestamp: alert.raisedAt,
      component: alert.runbook.id,
      class: alert.finding.label ?? alert.finding.kind,
      custom_details: {
        alert_id: alert.id,
        decision: alert.action,
        previous_decision: alert.previousAction,
        subject: facts.subject,
        reasons: facts.reasons,
        answers: Object.fromEntries(facts.answers.map((a) => [a.label, a.answer])),
        evidence_rows: facts.evidence,
        first_seen: facts.firstSeen,
        last_seen: facts.lastSeen,
        ...(facts.reportPath ? { report: facts.reportPath } : {}),
      },
    },
  };
}

export function pagerDutySink(options: PagerDutyOptions): Sink {
  const url = options.url ?? PAGERDUTY_EVENTS_URL;
  return {
    name: options.name,
    async send(alert: Alert) {
      await postJson(options.name, url, JSON.stringify(pagerDutyEvent(alert, options.routingKey, options.source)));
    },
  };
}

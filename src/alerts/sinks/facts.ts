import type { AnswerView } from '../../report/render/model.js';
import { questionViews } from '../../report/render/model.js';
import { plain } from '../../report/render/safe.js';
import type { Alert } from '../alert.js';

/**
 * What every human-facing sink (Slack, an issue, a page) says about an alert, as one-line texts
 * made visible by `plain` (control, invisible and reordering characters shown as escapes). Each
 * sink then escapes them for its medium (Slack's `&<>`, Markdown code spans, Jira's noformat):
 * a log field is attacker-controlled in all of them.
 */
export interface AlertFacts {
  /** `ISOLATE (new)`, `ESCALATE (was ticket)`, `RESOLVED (false positive, was isolate)`: ours, never from a log. */
  headline: string;
  title: string;
  runbook: string;
  subject: string;
  /** The run's questions, each with its answer (and its details) as one line. */
  answers: { label: string; answer: string }[];
  evidence: number;
  firstSeen: string;
  lastSeen: string;
  reportPath: string | null;
  reasons: string[];
}

/** Longest answer text a sink shows; the rest is in the report. */
const ANSWER_LIMIT = 300;

export function alertFacts(alert: Alert): AlertFacts {
  // The renderers' question model reads answers (and, for a time answer, its row: not needed here).
  const views = questionViews({ questions: alert.questions, answers: alert.answers, answerRows: {}, findings: [alert.finding] });
  return {
    headline: headline(alert),
    title: plain(alert.finding.title),
    runbook: plain(alert.runbook.title || alert.runbook.id),
    subject: plain(alert.subject ?? alert.runbook.title),
    answers: views.map((q) => ({
      label: plain(q.label),
      answer: cut([answerText(q.answer), ...q.details.map(answerText)].filter((t) => t !== '').join('; ')),
    })),
    evidence: alert.finding.evidence.length,
    firstSeen: plain(alert.finding.firstSeen),
    lastSeen: plain(alert.finding.lastSeen),
    reportPath: alert.reportPath === null ? null : plain(alert.reportPath),
    reasons: alert.finding.decision.reasons.map(plain),
  };
}

function headline(alert: Alert): string {
  const action = alert.action.toUpperCase();
  switch (alert.change) {
    case 'new':
      return `${action} (new)`;
    case 'escalated':
      return `${action} (was ${alert.previousAction ?? 'not alerted'})`;
    case 'resolved':
      return `RESOLVED (${alert.action.replace('-', ' ')}, was ${alert.previousAction ?? 'not alerted'})`;
  }
}

function cut(text: string): string {
  return text.length <= ANSWER_LIMIT ? text : `${text.slice(0, ANSWER_LIMIT - 1)}…`;
}

/** One answer as a line, as the text report reads it (src/report/render/text.ts), shortened. */
function answerText(view: AnswerView): string {
  const label = view.label ? `${plain(view.label)}: ` : '';
  switch (view.type) {
    case 'time':
      return view.value === null ? (view.label ? '' : 'never (no finding)') : `${label}${plain(view.value)}`;
    case 'list':
      return `${label}${view.value.length ? view.value.map(plain).join(', ') : 'none'}`;
    case 'number':
    case 'direction':
      return `${label}${plain(String(view.value))}`;
    case 'yes-no':
      return `${label}${view.value ? 'yes' : 'no'}`;
    case 'credentials':
      return `${label}${view.value.length ? view.value.map((c) => plain(c.arn ?? c.accessKeyId ?? c.identityType ?? 'unknown')).join(', ') : 'none'}`;
    case 'parties':
      return `${label}${view.value.length ? view.value.map((p) => `${plain(p.ip)} (${p.verdict})`).join(', ') : 'none'}`;
  }
}

import type { Alert } from '../alert.js';
import { postJson, type Sink } from '../sink.js';
import { alertFacts } from './facts.js';

export interface SlackOptions {
  name: string;
  /** The incoming-webhook URL, read from an environment variable by the caller: it is itself a secret. */
  url: string;
}

/**
 * Slack's three control characters. In `mrkdwn` (and the `text` fallback) `<…>` is how links and
 * mentions are written (`<!channel>`, `<http://evil|click>`), so a log value with them escaped
 * can neither ping a channel nor show a disguised link; `&` is escaped so an entity cannot be
 * spelled out either. Slack asks for exactly these three, and no more.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's limits: a header's text 150 characters, a section's 3000, a field's 2000, ten fields a section. */
const HEADER_LIMIT = 150;
const SECTION_LIMIT = 3000;
const FIELD_LIMIT = 2000;
const FIELDS_PER_SECTION = 10;

/** Escaped and within `limit`: the raw text is cut (then marked `…`), never the escaped one, so no entity is cut in half. */
function fit(text: string, limit: number): string {
  for (let keep = text.length; ; ) {
    const shown = keep < text.length ? `${slackEscape(text.slice(0, keep))}…` : slackEscape(text);
    if (shown.length <= limit) return shown;
    keep -= Math.max(1, shown.length - limit);
  }
}

/** The Block Kit message of an alert (exported for tests and docs/alerts.md). */
export function slackMessage(alert: Alert): Record<string, unknown> {
  const facts = alertFacts(alert);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: fit(`*${label}*\n${value}`, FIELD_LIMIT) });
  // Labels come from the runbook (trusted content) but through templates with parameters: escaped too.
  const answerFields = facts.answers.map((a) => ({ type: 'mrkdwn', text: `*${fit(a.label, 300)}*\n${fit(a.answer, FIELD_LIMIT - 310)}` }));
  const factFields = [
    field('Evidence', `${facts.evidence} rows`),
    field('First seen', facts.firstSeen),
    field('Last seen', facts.lastSeen),
    field('Runbook', facts.runbook),
  ];
  const fieldSections = [];
  for (const fields of [answerFields, factFields]) {
    for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) fieldSections.push({ type: 'section', fields: fields.slice(i, i + FIELDS_PER_SECTION) });
  }
  const blocks: Record<string, unknown>[] = [
    // plain_text: Slack shows it as written, no mrkdwn, no mentions; the headline is ours.
    { type: 'header', text: { type: 'plain_text', text: `trailbook: ${facts.headline}`.slice(0, HEADER_LIMIT) } },
    { type: 'section', text: { type: 'mrkdwn', text: fit(`*${facts.title}*\n${facts.subject}`, SECTION_LIMIT) } },
    ...fieldSections,
  ];
  if (facts.reportPath) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(`Report: ${facts.reportPath}`, SECTION_LIMIT) }] });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(`Alert ${alert.id}`, SECTION_LIMIT) }] });
  return {
    // The fallback for notifications and clients without blocks: mrkdwn too, so escaped the same way.
    text: fit(`trailbook ${facts.headline}: ${facts.title}`, SECTION_LIMIT),
    blocks,
  };
}

export function slackSink(options: SlackOptions): Sink {
  return {
    name: options.name,
    async send(alert: Alert) {
      await postJson(options.name, options.url, JSON.stringify(slackMessage(alert)));
    },
  };
}

import type { Alert } from '../alert.js';
import { postJson, type Sink } from '../sink.js';
import { alertFacts } from './facts.js';

export interface JiraOptions {
  name: string;
  /** `https://example.atlassian.net`. */
  baseUrl: string;
  /** The project key (`SEC`). */
  project: string;
  issueType?: string;
  /** Basic auth: the account's email and an API token, read from environment variables by the caller. */
  email: string;
  token: string;
}

/** Jira's summary is one line of at most 255 characters. */
const SUMMARY_LIMIT = 255;

/**
 * Log-derived text inside a `{noformat}` block, where Jira's wiki renderer reads no markup
 * (links, `[~mentions]`, macros): only the block's own end tag could escape it, so that is broken.
 */
function noformatSafe(text: string): string {
  return text.replace(/\{noformat\}/gi, '{ noformat}');
}

/** The `POST /rest/api/2/issue` body of an alert (wiki-markup description). */
export function jiraIssue(alert: Alert, project: string, issueType = 'Task'): { fields: Record<string, unknown> } {
  const facts = alertFacts(alert);
  const summary = `trailbook ${facts.headline}: ${facts.title}`.replace(/[\r\n]+/g, ' ');
  const details = [
    `finding:     ${facts.title}`,
    `subject:     ${facts.subject}`,
    `runbook:     ${facts.runbook}`,
    ...facts.answers.map((a) => `${a.label}: ${a.answer}`),
    `evidence:    ${facts.evidence} rows`,
    `first seen:  ${facts.firstSeen}`,
    `last seen:   ${facts.lastSeen}`,
    ...(facts.reportPath ? [`report:      ${facts.reportPath}`] : []),
    'why:',
    ...facts.reasons.map((r) => `  - ${r}`),
    `identity:    ${alert.identity}`,
  ];
  return {
    fields: {
      project: { key: project },
      issuetype: { name: issueType },
      summary: summary.length <= SUMMARY_LIMIT ? summary : `${summary.slice(0, SUMMARY_LIMIT - 1)}…`,
      description: `h3. ${facts.headline}\n\n{noformat}\n${noformatSafe(details.join('\n'))}\n{noformat}\n`,
      labels: ['trailbook'],
    },
  };
}

export function jiraSink(options: JiraOptions): Sink {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/rest/api/2/issue`;
  const authorization = `Basic ${Buffer.from(`${options.email}:${options.token}`).toString('base64')}`;
  return {
    name: options.name,
    async send(alert: Alert) {
      await postJson(options.name, url, JSON.stringify(jiraIssue(alert, options.project, options.issueType)), { authorization, accept: 'application/json' });
    },
  };
}

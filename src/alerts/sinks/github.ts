import { mdCode } from '../../report/render/markdown.js';
import type { Alert } from '../alert.js';
import { postJson, type Sink } from '../sink.js';
import { alertFacts } from './facts.js';

export const GITHUB_API_URL = 'https://api.github.com';

export interface GitHubOptions {
  name: string;
  /** `owner/name`. */
  repo: string;
  /** A token that may create issues, read from an environment variable by the caller. */
  token: string;
  apiUrl?: string;
  labels?: string[];
}

/** The hidden marker that carries the identity: a later search (`in:body trailbook-identity`) finds the issue of a finding. */
export function identityMarker(identity: string): string {
  // `--` cannot appear inside an HTML comment; the identity is ours (runbook id and a hash), kept safe regardless.
  return `<!-- trailbook-identity: ${identity.replace(/-{2,}/g, '-').replace(/[<>]/g, '')} -->`;
}

/** GitHub shows at most 256 characters of a title. */
const TITLE_LIMIT = 256;

/**
 * The issue of an alert. Every log-derived value in the body is a code span (`mdCode`: the fence
 * outgrows any backticks inside), where GitHub resolves neither links, mentions (`@everyone`),
 * issue references nor HTML; the title is plain text, which GitHub does not render as Markdown.
 */
export function githubIssue(alert: Alert, labels: readonly string[] = []): { title: string; body: string; labels: string[] } {
  const facts = alertFacts(alert);
  const title = `trailbook ${facts.headline}: ${facts.title}`;
  const lines = [
    `**${facts.headline}** (runbook ${mdCode(alert.runbook.id)})`,
    '',
    `Finding: ${mdCode(facts.title)}`,
    `Subject: ${mdCode(facts.subject)}`,
    '',
    '| question | answer |',
    '| --- | --- |',
    ...facts.answers.map((a) => `| ${mdCode(a.label, true)} | ${mdCode(a.answer, true)} |`),
    '',
    `- evidence rows: ${facts.evidence}`,
    `- first seen: ${mdCode(facts.firstSeen)}`,
    `- last seen: ${mdCode(facts.lastSeen)}`,
    ...(facts.reportPath ? [`- report: ${mdCode(facts.reportPath)}`] : []),
    '',
    'Why:',
    ...facts.reasons.map((r) => `- ${mdCode(r)}`),
    '',
    identityMarker(alert.identity),
    '',
  ];
  return {
    title: title.length <= TITLE_LIMIT ? title : `${title.slice(0, TITLE_LIMIT - 1)}…`,
    body: lines.join('\n'),
    labels: [...labels],
  };
}

export function githubSink(options: GitHubOptions): Sink {
  const url = `${(options.apiUrl ?? GITHUB_API_URL).replace(/\/+$/, '')}/repos/${options.repo}/issues`;
  return {
    name: options.name,
    async send(alert: Alert) {
      await postJson(options.name, url, JSON.stringify(githubIssue(alert, options.labels)), {
        authorization: `Bearer ${options.token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      });
    },
  };
}

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Alert, AlertChange } from '../../src/alerts/alert.js';
import { alertFor } from '../../src/alerts/plan.js';
import type { Action } from '../../src/decide/actions.js';
import type { Finding, Report } from '../../src/report/contract.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { demoArgs } from '../investigate/demo-args.js';

let sample: Promise<Report> | undefined;

/** The bundled sample's report (`npm run demo` as JSON), run once per test file. */
export function sampleReport(t: { after: (fn: () => void) => void }): Promise<Report> {
  sample ??= (async () => {
    const db = join(tempDir(t, 'trailbook-alerts-'), 'store.duckdb');
    const result = await runInProcess([...demoArgs(db, 'json'), '--schema', 'v2']);
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Report;
  })();
  return sample;
}

/** The sample's finding decided `action`. */
export function findingDecided(report: Report, action: Action): Finding {
  const finding = report.findings.find((f) => f.decision.action === action);
  assert.ok(finding, `the sample has a ${action} finding`);
  return finding;
}

/** An alert as watch would raise it for a finding of a real report. */
export function alertOf(
  report: Report,
  finding: Finding,
  change: AlertChange = 'new',
  options: { previousAction?: Action | null; reportPath?: string | null } = {},
): Alert {
  return alertFor(report, finding, change, options.previousAction ?? null, options.reportPath ?? null);
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 for one test: records every request and answers `status` (200 unless told). */
export async function receiver(t: { after: (fn: () => Promise<void> | void) => void }, status = 200): Promise<{ url: string; requests: Received[] }> {
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end('{"echo":"not shown"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A 127.0.0.1 port nothing listens on (a server bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Hostile text a log can carry: Slack mentions and links, HTML, a Markdown link, a GitHub mention, a bidi override. */
export const HOSTILE = {
  channel: '<!channel>',
  link: '<http://evil.example|click>',
  script: '<script>alert(1)</script>',
  markdownLink: '[x](javascript:alert(1))',
  everyone: '@everyone',
  bidi: 'user\u202egpj.exe',
  noformat: '{noformat}[~admin]',
} as const;

/** A copy of a finding with every hostile text in its title, reasons and an answer. */
export function hostile(report: Report, finding: Finding): Alert {
  const all = Object.values(HOSTILE).join(' ');
  const bad: Finding = structuredClone(finding);
  bad.title = `${finding.title} ${all}`;
  bad.decision.reasons = [...finding.decision.reasons, all];
  const alert = alertOf(report, bad);
  const answers = structuredClone(report.answers);
  const list = Object.entries(answers).find(([, v]) => Array.isArray(v) && v.every((x) => typeof x === 'string'));
  assert.ok(list, 'the sample has a list answer');
  (answers[list[0]] as string[]).push(all);
  return { ...alert, answers };
}

import type { FindingTree } from '../decide/taken-path.js';
import type { VerifyResult } from '../evidence/verify.js';
import type { Finding, Report, ReportInputs } from '../report/contract.js';
// The server's own types of what it sends (type-only: nothing of the server is bundled).
import type { RunbookEntry, RunbookParameter } from '../serve/runbooks.js';
import type { RunDetail, RunStatus, RunSummary } from '../serve/runs.js';

export type { VerifyResult };

/**
 * The workspace's calls to its server (docs/web.md lists the API). The session cookie rides
 * along by itself (same origin); every non-GET is JSON, which the server requires. Errors come
 * back as `{ error: { code, message, hint? } }` and are thrown as `ApiError` for the page to show.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    /** A runbook's parameter problems (400 on POST /api/runs), when the server lists them. */
    readonly problems?: unknown,
  ) {
    super(message);
  }
}

function send(path: string, init?: { method: 'POST'; body: unknown }): Promise<Response> {
  return fetch(path, {
    method: init?.method ?? 'GET',
    headers: init ? { 'Content-Type': 'application/json' } : {},
    body: init ? JSON.stringify(init.body) : null,
    credentials: 'same-origin',
  });
}

/** The server's error body as an ApiError (or the status text when the body is not the API's). */
async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  let error: Record<string, unknown> = {};
  try {
    const body = JSON.parse(text) as { error?: Record<string, unknown> };
    error = body.error ?? {};
  } catch {
    // A text page (401 outside /api, a proxy's error): its first words say enough.
  }
  return new ApiError(
    response.status,
    String(error['code'] ?? response.status),
    String(error['message'] ?? (text.slice(0, 300) || response.statusText)),
    typeof error['hint'] === 'string' ? error['hint'] : undefined,
    error['problems'],
  );
}

async function call<T>(path: string, init?: { method: 'POST'; body: unknown }): Promise<T> {
  const response = await send(path, init);
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

export interface Session {
  version: string;
  db: string;
  readOnly: boolean;
  features: { evidence: boolean };
}

export type { RunbookEntry, RunbookParameter, RunDetail, RunStatus, RunSummary };

/** The report as the API gives it: each finding with its runbook's tree and the path it took. */
export type WorkspaceFinding = Finding & Partial<FindingTree>;
export type WorkspaceReport = Omit<Report, 'findings'> & { findings: WorkspaceFinding[] };

export interface SourceRecord {
  file: string;
  line: number;
  kind: 'cloudtrail' | 'vpcflow';
  text: string;
  record?: unknown;
}

export type PivotKind = 'address' | 'key' | 'principal' | 'resource';

export interface RowSet {
  rows: Record<string, unknown>[];
  total: number;
  truncated: boolean;
}

export interface Pivot {
  kind: PivotKind;
  value: string;
  intel?: { verdict: string; reasons: string[] };
  cloudtrail: RowSet;
  flows: RowSet;
  findings: { runId: string; findingId: string; title: string; action: string }[];
}

export interface SqlResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  truncated: boolean;
  elapsedMs: number;
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

export const api = {
  session: () => call<Session>('/api/session'),
  store: () => call<ReportInputs>('/api/store'),
  runbooks: () => call<RunbookEntry[]>('/api/runbooks'),
  runs: () => call<RunSummary[]>('/api/runs'),
  startRun: (runbook: string, parameters: Record<string, unknown>) => call<{ id: string }>('/api/runs', { method: 'POST', body: { runbook, parameters } }),
  run: (id: string) => call<RunDetail>(`/api/runs/${encodeURIComponent(id)}`),
  report: (id: string) => call<WorkspaceReport>(`/api/runs/${encodeURIComponent(id)}/report`),
  reportHtmlUrl: (id: string) => `/api/runs/${encodeURIComponent(id)}/report.html?download=1`,
  record: (ref: string) => call<SourceRecord>(`/api/record?${query({ ref })}`),
  recordAt: (file: string, line: number) => call<SourceRecord>(`/api/record?${query({ file, line: String(line) })}`),
  pivot: (kind: PivotKind, value: string) => call<Pivot>(`/api/pivot?${query({ kind, value })}`),
  sql: (sql: string) => call<SqlResult>('/api/sql', { method: 'POST', body: { sql } }),
  /** The CSV as text: the page offers it as a download (a form POST could not send JSON). */
  sqlCsv: async (sql: string): Promise<string> => {
    const response = await send('/api/sql', { method: 'POST', body: { sql, format: 'csv' } });
    if (!response.ok) throw await failure(response);
    return response.text();
  },
  commitEvidence: (runId: string) =>
    call<{ commit: string; caseId: string; path: string; files: unknown }>('/api/evidence/commit', { method: 'POST', body: { runId } }),
  verifyEvidence: () => call<VerifyResult>('/api/evidence/verify', { method: 'POST', body: {} }),
};

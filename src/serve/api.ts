import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { withDecisionTrees } from '../decide/taken-path.js';
import { checkAnalystStatement, consoleError } from '../engines/duckdb/analyst-console.js';
import { commitEvidence } from '../evidence/bundle.js';
import { recordAt, recordOf } from '../evidence/record-lookup.js';
import { verifyEvidence } from '../evidence/verify.js';
import { TrailbookError } from '../errors.js';
import type { IntelIndex } from '../intel/index.js';
import { logsCoverage, storeInputs } from '../investigate/inputs.js';
import { findingsNaming, isPivotKind, PIVOT_KINDS, pivot } from '../pivot/pivot.js';
import { judgementFingerprint } from '../ports/fingerprint.js';
import { CONTENT_SECURITY_POLICY, renderReport } from '../report/render/index.js';
import { formatCsv } from '../report/tabular.js';
import { TRAILBOOK_VERSION } from '../version.js';
import { ApiError, notFound, optionalString, readJsonBody, requiredString, send, sendJson } from './http.js';
import { type RunbookShelf, runbookEntry } from './runbooks.js';
import type { Run, RunDetail, RunQueue, RunSummary } from './runs.js';
import type { WorkspaceStore } from './store.js';

/** What the API reads and runs on: the open store, the run queue, and the settings it started with. */
export interface Workspace {
  store: WorkspaceStore;
  runs: RunQueue;
  intel: IntelIndex;
  /** The intel feeds and trusted file as given (the evidence bundle copies them). */
  intelFiles: readonly string[];
  trustedFile?: string;
  /** The --runbooks folders, ./runbooks and the bundled ones, in that order. */
  runbooks: RunbookShelf;
  /** Whether `git` is here: evidence commit needs it. */
  git: boolean;
}

/** The rows the SQL console shows as JSON; the CSV download has them all. */
export const SQL_ROW_LIMIT = 10_000;

type Handler = (workspace: Workspace, request: IncomingMessage, response: ServerResponse, url: URL, match: RegExpExecArray) => Promise<void>;

const ROUTES: { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'GET', path: /^\/api\/session$/, handler: session },
  { method: 'GET', path: /^\/api\/store$/, handler: store },
  { method: 'GET', path: /^\/api\/runbooks$/, handler: async (w, _q, r) => sendJson(r, 200, (await w.runbooks.list()).map(runbookEntry)) },
  { method: 'POST', path: /^\/api\/runs$/, handler: submitRun },
  { method: 'GET', path: /^\/api\/runs$/, handler: async (w, _q, r) => sendJson(r, 200, w.runs.list().map(listed)) },
  { method: 'GET', path: /^\/api\/runs\/([A-Za-z0-9-]+)$/, handler: runDetail },
  { method: 'GET', path: /^\/api\/runs\/([A-Za-z0-9-]+)\/report$/, handler: reportJson },
  { method: 'GET', path: /^\/api\/runs\/([A-Za-z0-9-]+)\/report\.html$/, handler: reportHtml },
  { method: 'GET', path: /^\/api\/record$/, handler: record },
  { method: 'GET', path: /^\/api\/pivot$/, handler: pivotRoute },
  { method: 'POST', path: /^\/api\/sql$/, handler: sql },
  { method: 'POST', path: /^\/api\/evidence\/commit$/, handler: evidenceCommit },
  { method: 'POST', path: /^\/api\/evidence\/verify$/, handler: evidenceVerify },
];

/** Routes one /api request; a path or method it does not know is a 404/405 in the API's shape. */
export async function handleApi(workspace: Workspace, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
  const matching = ROUTES.filter((route) => route.path.test(url.pathname));
  if (!matching.length) throw notFound(`no API endpoint ${url.pathname}`);
  const route = matching.find((r) => r.method === method);
  if (!route) throw new ApiError(405, 'USAGE', `${method} is not allowed on ${url.pathname}`);
  await route.handler(workspace, request, response, url, route.path.exec(url.pathname)!);
}

async function session(workspace: Workspace, _request: IncomingMessage, response: ServerResponse): Promise<void> {
  sendJson(response, 200, { version: TRAILBOOK_VERSION, db: workspace.store.db, readOnly: true, features: { evidence: workspace.git } });
}

/** The report's inputs for the store (the ledger's counts and skips), and the span its logs cover. */
async function store(workspace: Workspace, _request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await workspace.store.reads.use(async (engine) => ({ ...(await storeInputs(engine)), coverage: await logsCoverage(engine) }));
  sendJson(response, 200, body);
}

async function submitRun(workspace: Workspace, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request);
  const id = requiredString(body['runbook'], 'runbook');
  const parameters = body['parameters'] ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) throw new ApiError(400, 'USAGE', 'parameters must be an object');
  const runbook = await workspace.runbooks.find(id);
  if (!runbook) throw notFound(`no runbook "${id}"`, 'GET /api/runbooks lists them');
  const run = workspace.runs.submit(runbook, parameters as Record<string, unknown>);
  sendJson(response, 202, { id: run.id });
}

function listed(run: Run): RunSummary {
  const { id, runbook, parameters, status, startedAt, finishedAt, summary } = run;
  return { id, runbook, parameters, status, startedAt, ...(finishedAt ? { finishedAt } : {}), ...(summary ? { summary } : {}) };
}

function runOf(workspace: Workspace, match: RegExpExecArray): Run {
  const run = workspace.runs.get(match[1]!);
  if (!run) throw notFound(`no run ${match[1]}`, 'GET /api/runs lists them');
  return run;
}

function doneRun(workspace: Workspace, match: RegExpExecArray): Run & { report: NonNullable<Run['report']> } {
  const run = runOf(workspace, match);
  if (!run.report)
    throw new ApiError(409, 'USAGE', `run ${run.id} has no report (${run.status})`, run.status === 'failed' ? run.error?.message : 'wait until it is done');
  return run as Run & { report: NonNullable<Run['report']> };
}

async function runDetail(workspace: Workspace, _request: IncomingMessage, response: ServerResponse, _url: URL, match: RegExpExecArray): Promise<void> {
  const run = runOf(workspace, match);
  const detail: RunDetail = { ...listed(run), progress: run.progress, ...(run.error ? { error: run.error } : {}) };
  sendJson(response, 200, detail);
}

/** The v2 JSON `trailbook run --format json` prints, each finding with its decision tree and taken path. */
async function reportJson(workspace: Workspace, _request: IncomingMessage, response: ServerResponse, _url: URL, match: RegExpExecArray): Promise<void> {
  const run = doneRun(workspace, match);
  const report = JSON.parse(renderReport(run.report, 'json', { schema: 'v2' }));
  sendJson(response, 200, withDecisionTrees(report, run.loaded.runbook.decision));
}

/** The static HTML report, under its own policy (it has no script; its style is inline). */
async function reportHtml(workspace: Workspace, _request: IncomingMessage, response: ServerResponse, url: URL, match: RegExpExecArray): Promise<void> {
  const run = doneRun(workspace, match);
  // The runbook's tree too, as `trailbook run --format html` passes it, where the renderer draws it.
  const options = { ...(run.coverage ? { coverage: run.coverage } : {}), decisionTree: run.loaded.runbook.decision };
  const html = renderReport(run.report, 'html', options);
  const disposition = url.searchParams.get('download') === '1' ? 'attachment' : 'inline';
  send(response, 200, 'text/html; charset=utf-8', html, {
    'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'Content-Disposition': `${disposition}; filename="${run.id}-${run.runbook}.html"`,
  });
}

/** A raw record: `file` and `line` (from a pivot row), or `ref` (an evidence row's source_ref). */
async function record(workspace: Workspace, _request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const ref = url.searchParams.get('ref');
  const lookup = await workspace.store.reads.use(async (engine) => {
    if (ref !== null) return recordOf(engine, ref);
    const file = requiredString(url.searchParams.get('file'), 'file');
    const line = Number(url.searchParams.get('line'));
    if (!Number.isInteger(line) || line < 1) throw new ApiError(400, 'USAGE', 'line must be a whole number from 1');
    return recordAt(engine, file, line);
  });
  if (!lookup.found) throw notFound(lookup.reason);
  sendJson(response, 200, lookup.view);
}

async function pivotRoute(workspace: Workspace, _request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const kind = url.searchParams.get('kind') ?? '';
  if (!isPivotKind(kind)) throw new ApiError(400, 'USAGE', `kind must be one of ${PIVOT_KINDS.join(', ')}`);
  const value = requiredString(url.searchParams.get('value'), 'value');
  const result = await workspace.store.reads.use((engine) => pivot(engine, kind, value, workspace.intel));
  const reports = workspace.runs.list().flatMap((run) => (run.report ? [{ runId: run.id, report: run.report }] : []));
  sendJson(response, 200, { ...result, findings: findingsNaming(reports, value) });
}

/**
 * One query on the locked console engine, checked as `trailbook sql` checks it (no --allow-files
 * here). The result is read whole, as the CLI reads it: DuckDB's streamed results end silently
 * when a query fails part-way (the C API's fetch returns nothing for both), so a stream could
 * show a cut result as complete. JSON shows the first SQL_ROW_LIMIT rows; CSV has them all.
 */
async function sql(workspace: Workspace, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request);
  const text = requiredString(body['sql'], 'sql');
  const format = optionalString(body['format'], 'format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new ApiError(400, 'USAGE', 'format must be json or csv');
  const started = performance.now();
  const result = await workspace.store.console.use(async (engine) => {
    try {
      await checkAnalystStatement(engine, text);
      return await engine.all(text);
    } catch (error) {
      throw workspaceHint(await consoleError(engine, error, { allowFiles: false }));
    }
  });
  if (format === 'csv') {
    send(response, 200, 'text/csv; charset=utf-8', formatCsv(result.columns, result.rows), {
      'Content-Disposition': 'attachment; filename="trailbook-query.csv"',
    });
    return;
  }
  const shown = result.rows.slice(0, SQL_ROW_LIMIT);
  sendJson(response, 200, {
    columns: result.columns.map((name, i) => ({ name, type: result.types?.[i] ?? 'unknown' })),
    rows: shown.map((row) => result.columns.map((c) => row[c] ?? null)),
    truncated: result.rows.length > shown.length,
    elapsedMs: Math.round(performance.now() - started),
  });
}

/** `trailbook sql`'s hint names a flag the workspace does not have: say where files can be read instead. */
function workspaceHint(error: unknown): unknown {
  if (error instanceof TrailbookError && error.code === 'SQL_REFUSED' && error.hint?.includes('--allow-files')) {
    return new TrailbookError('SQL_REFUSED', error.message, {
      hint: 'the workspace never reads files or the network: `trailbook sql --allow-files` in a terminal can',
      cause: error,
    });
  }
  return error;
}

/** The request's repository, else the store's default. */
function evidenceRepo(workspace: Workspace, given: string | undefined): string {
  return given ?? defaultEvidenceRepo(workspace.store.db);
}

/**
 * `.trailbook/evidence` beside the store: for the default store (`.trailbook/trailbook.duckdb`)
 * that is the folder `npm run demo:evidence` commits to; `case.duckdb` gets `./.trailbook/evidence`.
 */
export function defaultEvidenceRepo(db: string): string {
  const folder = dirname(db);
  return basename(folder) === '.trailbook' ? join(folder, 'evidence') : join(folder, '.trailbook', 'evidence');
}

async function evidenceCommit(workspace: Workspace, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request);
  const run = doneRun(workspace, /(.*)/.exec(requiredString(body['runId'], 'runId'))!);
  const repo = evidenceRepo(workspace, optionalString(body['repo'], 'repo'));
  const caseId = optionalString(body['caseId'], 'caseId');
  const result = await workspace.store.reads.use((engine) =>
    commitEvidence(engine, run.report, {
      repo,
      ...(caseId ? { caseId } : {}),
      inputs: { intelFiles: workspace.intelFiles, ...(workspace.trustedFile ? { trustedFile: workspace.trustedFile } : {}), runbookDir: run.loaded.dir },
      trailbook: { version: TRAILBOOK_VERSION, judgementFingerprint: judgementFingerprint() },
    }),
  );
  sendJson(response, 200, { commit: result.commit, caseId: result.caseId, path: result.caseDir, files: result.files, records: result.records, repo });
}

async function evidenceVerify(workspace: Workspace, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request);
  const repo = evidenceRepo(workspace, optionalString(body['repo'], 'repo'));
  const caseId = optionalString(body['caseId'], 'caseId');
  if (!existsSync(repo)) throw notFound(`no evidence repository at ${repo}`, 'commit evidence first');
  sendJson(response, 200, verifyEvidence(repo, caseId ? { caseId } : {}));
}

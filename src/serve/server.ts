import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { feedsWithInstalledRanges } from '../intel/aws-ranges.js';
import { loadIntel } from '../intel/index.js';
import type { Report } from '../report/contract.js';
import { handleApi, type Workspace } from './api.js';
import { errorResponse, send, sendJson } from './http.js';
import { BUNDLED_RUNBOOKS } from '../runbook/resolve.js';
import { RunbookShelf } from './runbooks.js';
import { RunQueue } from './runs.js';
import { allowedHosts, checkRequest, newToken, sessionCookie, sessionCookieName, WORKSPACE_CSP } from './security.js';
import { staticFile, WEB_ROOT } from './static.js';
import { openWorkspaceStore } from './store.js';

export interface ServeOptions {
  db: string;
  /** 0: a free port (tests). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  intel?: readonly string[];
  trusted?: string;
  runbooks?: readonly string[];
  /** Where the settings came from (the reports' `inputs.config`). */
  config?: NonNullable<Report['inputs']['config']>;
  /** The built web app; default dist/web. */
  webRoot?: string;
  /** A fixed token (tests); default 32 random bytes. */
  token?: string;
  cwd?: string;
  /** Told of errors that are bugs (default: stderr). */
  onBug?: (error: unknown) => void;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  /** Stops listening, lets the run in progress finish (queued ones never start), then closes the store. */
  close(): Promise<void>;
  /** For tests: resolves when every run asked for so far has finished. */
  settled(): Promise<void>;
}

/** Headers on every response (docs/serve.md, "Security"): no CORS header is ever sent. */
const COMMON_HEADERS: Record<string, string> = {
  'Content-Security-Policy': WORKSPACE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** `trailbook serve`: the web workspace over one store (docs/serve.md). The CLI command only wraps this. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const onBug = options.onBug ?? ((error: unknown) => process.stderr.write(`trailbook serve: bug: ${error instanceof Error ? error.stack : String(error)}\n`));
  const intelFiles = feedsWithInstalledRanges(options.intel ?? [], options.db);
  const intel = await loadIntel({ feeds: intelFiles, trusted: options.trusted });
  const store = await openWorkspaceStore(options.db);
  const runs = new RunQueue({ engine: store.runs, db: options.db, intel, onBug, ...(options.config ? { config: options.config } : {}) });
  const workspace: Workspace = {
    store,
    runs,
    intel,
    intelFiles,
    ...(options.trusted ? { trustedFile: options.trusted } : {}),
    runbooks: new RunbookShelf(() => {
      const local = join(options.cwd ?? process.cwd(), 'runbooks');
      return [...(options.runbooks ?? []), ...(existsSync(local) ? [local] : []), BUNDLED_RUNBOOKS];
    }),
    git: spawnSync('git', ['--version']).status === 0,
  };
  const webRoot = options.webRoot ?? WEB_ROOT;
  let hosts = new Set<string>();
  let cookie = '';

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      onBug(error);
      if (!response.headersSent) sendJson(response, 500, errorResponse(error).body);
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) response.setHeader(name, value);
    const url = new URL(request.url ?? '/', 'http://workspace.invalid');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (isApi) response.setHeader('Cache-Control', 'no-store');
    const gate = checkRequest(request, url, { token, hosts, cookie });
    if (!gate.ok) {
      if (isApi) sendJson(response, gate.status, { error: { code: gate.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: gate.message } });
      else send(response, gate.status, 'text/plain; charset=utf-8', `trailbook workspace: ${gate.message}\n`);
      return;
    }
    if (gate.viaQuery) {
      // The token leaves the address bar (and the history) for an HttpOnly cookie.
      send(response, 303, 'text/plain; charset=utf-8', 'see /\n', { 'Set-Cookie': sessionCookie(cookie, token), Location: '/' });
      return;
    }
    if (isApi) {
      try {
        await handleApi(workspace, request, response, url);
      } catch (error) {
        const { status, body } = errorResponse(error);
        if (status >= 500 && body.error.code === 'BUG') onBug(error);
        sendJson(response, status, body);
      }
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'only GET here\n');
      return;
    }
    const file = await staticFile(webRoot, url.pathname);
    if (!file) send(response, 503, 'text/plain; charset=utf-8', 'the web app is not built: run `npm run build` (it writes dist/web)\n');
    else send(response, 200, file.type, file.body, { 'Cache-Control': 'no-cache' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  cookie = sessionCookieName(port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    settled: () => runs.settled(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runs.stop();
      await store.close();
    },
  };
}

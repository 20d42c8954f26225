import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, type ServeOptions, startServer } from '../../src/serve/server.js';
import { runInProcess } from '../helpers/in-process.js';
import { sample } from '../investigate/demo-args.js';

/** A store ingested from the bundled sample, in a temp folder (removed by `dispose`). */
export async function sampleStore(): Promise<{ dir: string; db: string; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-serve-'));
  const db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', sample('cloudtrail'), sample('vpcflow'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
  return { dir, db, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The demo's intel and trusted networks, as the server takes them. */
export const DEMO_INTEL = { intel: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') };

/** A workspace on 127.0.0.1, a free port, and a client that speaks to it as the app does. */
export async function serve(options: Partial<ServeOptions> & { db: string }): Promise<Client> {
  const bugs: unknown[] = [];
  const server = await startServer({ port: 0, onBug: (e) => bugs.push(e), ...options });
  return new Client(server, bugs);
}

export class Client {
  readonly base: string;
  constructor(
    readonly server: RunningServer,
    readonly bugs: unknown[],
  ) {
    this.base = `http://127.0.0.1:${server.port}`;
  }

  /** A request with the bearer token (unless `headers` says otherwise). */
  fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(this.base + path, { redirect: 'manual', ...init, headers: { Authorization: `Bearer ${this.server.token}`, ...init.headers } });
  }

  async json<T = Record<string, unknown>>(
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T; response: Response }> {
    const response = await this.fetch(path, init);
    return { status: response.status, body: (await response.json()) as T, response };
  }

  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<{ status: number; body: T; response: Response }> {
    return this.json<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** Asks for a run and polls it (as the app does) until it is done or failed; every status seen, in order. */
  async run(runbook: string, parameters: Record<string, unknown>): Promise<{ id: string; statuses: string[]; run: Record<string, unknown> }> {
    const asked = await this.post<{ id: string }>('/api/runs', { runbook, parameters });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    const statuses: string[] = [];
    for (;;) {
      const { body } = await this.json(`/api/runs/${asked.body.id}`);
      if (statuses.at(-1) !== body['status']) statuses.push(String(body['status']));
      if (body['status'] === 'done' || body['status'] === 'failed') return { id: asked.body.id, statuses, run: body };
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * A real `moto_server` on 127.0.0.1 for tests of AWS calls (S3, EC2, IAM): the state really
 * changes there. One server per test file, on a free port; `reset()` empties it between tests.
 * Athena through moto returns canned results, so tests that use it check only the request
 * lifecycle and say so.
 */
export interface Moto {
  /** `http://127.0.0.1:<port>`: give it to an SDK client as `endpoint`, or as AWS_ENDPOINT_URL. */
  endpoint: string;
  /** Environment for a client or CLI run against this server (fake keys, a region, the endpoint). */
  env: Record<string, string>;
  /** Forgets every resource the server holds. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Fake credentials moto accepts; never real ones. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function motoInstalled(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

async function waitUntilUp(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${log()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within 20 s: ${log()}`);
}

/**
 * Starts moto_server for the test (stopped when the test ends), or marks the test skipped with
 * the reason when moto_server is not installed. Never a silent skip.
 */
export async function startMoto(t: TestContext): Promise<Moto | undefined> {
  if (!motoInstalled()) {
    t.skip('moto_server is not installed on this machine (pip install "moto[server]")');
    return undefined;
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitUntilUp(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  t.after(stop);
  return {
    endpoint,
    env: {
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
    },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop,
  };
}

// Slow suite (`npm run test:slow`, after `npm run build`): `trailbook serve` and `investigate --serve` as real processes.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../helpers/corpus.js';
import { sample } from '../investigate/demo-args.js';
import { sampleStore } from './helpers.js';

const CLI = join(REPO_ROOT, 'bin', 'trailbook.js');
let store: Awaited<ReturnType<typeof sampleStore>>;

before(async () => {
  store = await sampleStore();
});
after(() => store?.dispose());

/** The CLI started with `args`; resolves with the URL it prints (or rejects with what it said). */
function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: store.dir, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /trailbook workspace: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})\n/.exec(out)?.[1];
      if (url) resolve({ child, url, stdout: () => out, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing a URL: ${out}${err}`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

test('trailbook serve prints a tokened loopback URL, answers with the token only, and stops on SIGINT with status 0', async () => {
  const { child, url } = await startCli(['serve', '--db', store.db, '--port', '0', '--no-open']);
  const exited = exitOf(child);
  const token = new URL(url).searchParams.get('token')!;
  const origin = new URL(url).origin;
  assert.equal((await fetch(`${origin}/api/session`)).status, 401);
  const session = await fetch(`${origin}/api/session`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(session.status, 200);
  assert.equal(((await session.json()) as { db: string }).db, store.db);
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('a port in use is a usage error (exit 2) that names --port', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const child = spawn(process.execPath, [CLI, 'serve', '--db', store.db, '--port', String(port), '--no-open']);
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    assert.equal(await exitOf(child as ChildProcessWithoutNullStreams), 2);
    assert.match(err, new RegExp(`port ${port} is in use[\\s\\S]*--port`));
  } finally {
    blocker.close();
  }
});

test('investigate --serve prints the report, then serves the same store', async (t) => {
  const args = [
    'investigate',
    sample('cloudtrail'),
    sample('vpcflow'),
    '--db',
    store.db,
    '--to',
    '2024-05-15T00:00:00Z',
    '--no-progress',
    '--quiet',
    '--serve',
  ];
  // Port 7443 is --serve's; a machine already using it cannot run this test, and says so.
  const probe = createServer();
  const free = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(7443, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  if (!free) {
    t.skip('port 7443 (the port --serve uses) is taken on this machine');
    return;
  }
  const { child, url, stdout } = await startCli(args);
  const exited = exitOf(child);
  assert.match(stdout(), /^OUTCOME: ESCALATE — 4 findings/);
  const token = new URL(url).searchParams.get('token')!;
  const runbooks = await fetch(`${new URL(url).origin}/api/runbooks`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(runbooks.status, 200);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

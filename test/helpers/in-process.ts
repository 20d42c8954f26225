import { AsyncLocalStorage } from 'node:async_hooks';
import { main } from '../../src/cli/program.js';
import type { CliResult } from './fixtures.js';

/** Writes of the command being run, by async context. */
const capture = new AsyncLocalStorage<{ out: string[]; err: string[] }>();

/** A `write` that captures inside a command's async context and passes everything else on. */
function capturing(original: typeof process.stdout.write, stream: NodeJS.WriteStream, into: 'out' | 'err'): typeof process.stdout.write {
  return ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const captured = capture.getStore();
    if (!captured) return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    captured[into].push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
}

/**
 * Runs one command line through the real CLI (src/cli/program.ts) in this process: the same
 * commander program, error sorting and exit statuses as `bin/trailbook.js`, without a Node
 * start and a build per call. stdout/stderr are captured; `cwd` and `env` are set for the call
 * and restored after it (TRAILBOOK_* variables are cleared unless given, so the machine's own
 * settings never leak into a test). Only writes made by the command (its async context) are
 * captured: the test runner's own reporter writes to the same stdout meanwhile.
 */
export async function runInProcess(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const cwd = process.cwd();
  const savedEnv = { ...process.env };
  // The suite's own engine setting (scripts/test.mjs) is kept: it changes how fast, never what.
  for (const name of Object.keys(process.env)) if (name.startsWith('TRAILBOOK_') && name !== 'TRAILBOOK_DUCKDB_THREADS') delete process.env[name];
  Object.assign(process.env, { NO_COLOR: '1' }, options.env);
  process.stdout.write = capturing(writeOut, process.stdout, 'out');
  process.stderr.write = capturing(writeErr, process.stderr, 'err');
  process.exitCode = undefined;
  try {
    if (options.cwd) process.chdir(options.cwd);
    const status = await capture.run({ out, err }, () => main(['node', 'trailbook', ...args]));
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
    process.chdir(cwd);
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  }
}

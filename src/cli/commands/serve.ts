import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { TrailbookError } from '../../errors.js';
import { startServer } from '../../serve/server.js';
import { collectList, DB_HELP, settingsFor } from '../options.js';

export interface ServeFlags {
  db?: string;
  port: string;
  host: string;
  runbooks?: string[];
  intel?: string[];
  trusted?: string;
  open: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** `trailbook serve`: the web workspace over the store (src/serve, docs/serve.md), until Ctrl-C. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('open a local web workspace over the store: run runbooks, read reports, pivot, query, commit evidence (docs/serve.md)')
    .option('--db <file>', DB_HELP)
    .option('--port <port>', 'the port to listen on (0: any free port)', '7443')
    .option('--host <address>', 'the address to listen on; anything but loopback lets other machines try the token', '127.0.0.1')
    .option('--runbooks <dir>', 'a folder of runbooks to offer besides ./runbooks and the bundled ones (repeat)', collectList)
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML')
    .option('--no-open', 'do not open the workspace in a browser')
    .action(async (flags: ServeFlags) => {
      await serveUntilStopped(flags);
    });
}

/** Starts the workspace, prints its URL, and resolves when SIGINT or SIGTERM stops it. */
export async function serveUntilStopped(flags: ServeFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TrailbookError('USAGE', `--port "${flags.port}" is not a port`, { hint: 'a whole number from 0 to 65535' });
  const settings = settingsFor({ db: flags.db, intel: flags.intel, trusted: flags.trusted }, ['db', 'intel', 'trusted']);
  if (WILDCARD.has(flags.host)) {
    // The Host check admits only the names the server was given: a wildcard would refuse every browser.
    throw new TrailbookError('USAGE', `--host ${flags.host} listens everywhere, and the workspace answers only to the address it was given`, {
      hint: 'give the address other machines will use (e.g. --host 10.0.0.5), or leave --host out for this machine only',
    });
  }
  if (!LOOPBACK.has(flags.host)) {
    process.stderr.write(
      `trailbook: warning: --host ${flags.host}: the workspace is reachable beyond this machine (over plain HTTP); only the token guards it\n`,
    );
  }
  const server = await startServer({
    db: settings.db,
    port,
    host: flags.host,
    intel: settings.intel,
    ...(settings.trusted ? { trusted: settings.trusted } : {}),
    runbooks: flags.runbooks ?? [],
    config: settings.provenance,
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new TrailbookError('USAGE', `port ${port} is in use`, { hint: 'choose another with --port (0: any free port)' });
    if (code === 'EADDRNOTAVAIL') throw new TrailbookError('USAGE', `--host ${flags.host} is not an address of this machine`);
    throw error;
  });
  process.stdout.write(`trailbook workspace: ${server.url}\n`);
  process.stderr.write('the URL carries the access token: share it with no one; Ctrl-C stops the workspace\n');
  if (flags.open && process.stdout.isTTY) openBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
}

/** The desktop's opener, detached; a machine without one just keeps the printed URL. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener: the URL is printed above.
  }
}

// The fast suite (`npm test`): test/**/*.test.ts run by node's test runner from a transpiled tree.
//
// Why not tsx: every test file is its own process, and importing the CLI through tsx's loader
// costs about a second of CPU more per process than importing plain JavaScript (measured: 1.8 s
// against 0.9 s); over 80 files on 2 cores that was a third of the run. esbuild transpiles src/
// and test/ (and scripts/) into .tsbuild/ in about a second (types are `npm run typecheck`'s job), and every other
// top-level entry of the checkout is linked in (runbooks/, sample/, docs/…), so paths relative to
// the repository still hold.
//
//   node scripts/test.mjs [suffix]     suffix: .test.ts (default)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.tsbuild');
const suffix = process.argv[2] ?? '.test.ts';
/** Files that take longest start first, so no core idles at the end waiting for one of them. */
const FIRST = ['test/runbook/'];

function walk(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else found.push(path);
  }
  return found;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
// scripts/ too: tests import the case generators (scripts/make-*-cases.ts).
const TRANSPILED = ['src', 'test', 'scripts'];
const sources = TRANSPILED.flatMap((folder) => walk(join(root, folder)));
// Fixtures, golden files and other data beside the tests are copied, never linked: a test that
// copies a fixture folder and edits the copy must not write through a link into the checkout.
for (const file of sources.filter((f) => !f.endsWith('.ts'))) {
  const target = join(out, relative(root, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
for (const entry of readdirSync(root)) {
  if (![...TRANSPILED, '.tsbuild', '.git'].includes(entry)) symlinkSync(join(root, entry), join(out, entry));
}
await build({
  entryPoints: sources.filter((f) => f.endsWith('.ts')),
  outdir: out,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'error',
});

const rank = (file) => (FIRST.some((prefix) => file.startsWith(prefix)) ? 0 : 1);
const tests = sources
  .map((f) => relative(root, f).split('\\').join('/'))
  .filter((f) => f.endsWith(suffix))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  .map((f) => join('.tsbuild', f.replace(/\.ts$/, '.js')));
// Two test files run at once on two cores: one DuckDB thread each spares the pool's overhead on
// the small stores tests use (measured: 9% less CPU, 117 s → 108 s).
const env = { ...process.env, TRAILBOOK_DUCKDB_THREADS: process.env.TRAILBOOK_DUCKDB_THREADS ?? '1' };
const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', '--test-concurrency=2', ...tests], {
  cwd: root,
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);

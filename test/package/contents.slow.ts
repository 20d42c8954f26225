// Slow suite (`npm run test:slow`, after the build): what `npm pack` would publish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/corpus.js';

test('the package ships the CLI, the runbooks and the sample, and neither the benchmarks nor test oracles', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const needed of [
    'bin/trailbook.js',
    'dist/cli/main.js',
    'dist/web/index.html',
    'dist/web/app.js',
    'dist/web/app.css',
    'runbooks/port-exposure/runbook.yaml',
    'sample/GROUND_TRUTH.md',
  ]) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  assert.deepEqual(
    files.filter((f) => f.startsWith('dist/bench/') || /naive/.test(f) || f.startsWith('test/')),
    [],
    'no benchmark code, oracle or test',
  );
});

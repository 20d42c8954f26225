// Slow suite (`npm run test:slow`): runs the built CLI under a pseudo-terminal and piped, which needs real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { ctEvent, records, runCli, tempDir, writeTree } from '../helpers/fixtures.js';

// A progress bar on a terminal, none when piped: run the built CLI under a real pseudo-terminal
// (util-linux `script`), then piped.
test('ingest shows a progress bar on a terminal and stays quiet when piped', (t) => {
  if (!existsSync('/usr/bin/script')) {
    t.skip('util-linux `script` not installed: cannot give the CLI a terminal');
    return;
  }
  const dir = tempDir(t);
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`logs/f${i}.json`] = records(ctEvent(), ctEvent());
  writeTree(dir, files);
  const cli = join(REPO_ROOT, 'bin', 'trailbook.js');
  const command = `${process.execPath} ${cli} ingest ${join(dir, 'logs')} --db ${join(dir, 'tty.duckdb')}`;
  const tty = spawnSync('/usr/bin/script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm' } });
  assert.equal(tty.status, 0, tty.stderr);
  assert.match(tty.stdout, /ingest .*%/);
  // After the last file, the line says what is still being done rather than sitting at 100%.
  assert.match(tty.stdout, /30\/30 files, 60 events; writing the/); // cut at the width of `script`'s terminal
  assert.match(tty.stdout, /files: 30 seen/);

  const piped = runCli(['ingest', join(dir, 'logs'), '--db', join(dir, 'piped.duckdb')]);
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /%/);
  assert.doesNotMatch(piped.stderr + piped.stdout, /\x1b\[/);
});

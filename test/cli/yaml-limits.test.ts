import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigFile } from '../../src/config/file.js';
import { TrailbookError } from '../../src/errors.js';
import { parseRunbookText } from '../../src/runbook/structure.js';
import { loadTestCase } from '../../src/runbook/test-case.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

/**
 * Files a user names are input, never a reason for exit 70: a YAML alias bomb in a runbook, a
 * test case's expected.yaml or trailbook.yaml is a located problem of that file, and a query file
 * that is not there is an input error.
 */
const BOMB =
  ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n') + '\n';

test('a YAML alias bomb in runbook.yaml is a YAML problem at file:1:1, not a crash', () => {
  const parsed = parseRunbookText('bomb/runbook.yaml', BOMB);
  assert.equal(parsed.runbook, undefined);
  assert.equal(parsed.problems.length, 1);
  assert.equal(parsed.problems[0]!.code, 'YAML_SYNTAX');
  assert.match(parsed.problems[0]!.message, /cannot be expanded: Excessive alias count/);
});

test("a YAML alias bomb in a test case's expected.yaml fails that case with its location", async (t) => {
  const dir = join(tempDir(t), 'case');
  mkdirSync(dir);
  writeFileSync(join(dir, 'expected.yaml'), BOMB);
  const loaded = await loadTestCase(dir, 'case');
  assert.equal(loaded.ok, false);
  if (!loaded.ok) assert.match(loaded.problems[0]!.message, /Excessive alias count/);
});

test('a YAML alias bomb in trailbook.yaml is a configuration error (exit 10) at the file', (t) => {
  const path = join(tempDir(t), 'trailbook.yaml');
  writeFileSync(path, BOMB);
  assert.throws(
    () => readConfigFile(path),
    (error: unknown) =>
      error instanceof TrailbookError && error.exitCode === 10 && /Excessive alias count/.test(error.message) && error.location === `${path}:1:1`,
  );
});

test('sql --file naming a missing file is an input error (exit 3), not a bug', async () => {
  const result = await runInProcess(['sql', '--file', '/no/such/query.sql']);
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, /cannot read --file \/no\/such\/query\.sql: ENOENT/);
});

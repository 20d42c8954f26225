import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CHECKOUT } from '../helpers/corpus.js';

/**
 * A clone stands alone: code and docs cite the project's own docs, never a design file beside the
 * checkout, and name no folder of the machine they were written on.
 */
const ROOTS = ['src', 'test', 'scripts', 'docs', 'runbooks', 'README.md', 'ARCHITECTURE.md', 'package.json'];
const TEXT = /\.(ts|mjs|js|md|yaml|yml|json)$/;

function textFiles(path: string): string[] {
  const entries = (() => {
    try {
      return readdirSync(path, { withFileTypes: true });
    } catch {
      return undefined;
    }
  })();
  if (!entries) return TEXT.test(path) ? [path] : [];
  return entries.flatMap((e) => textFiles(join(path, e.name)));
}

test('no file cites a design document outside the repository or a path of the machine', () => {
  const files = ROOTS.flatMap((r) => textFiles(join(CHECKOUT, r)));
  assert.ok(files.length > 300, `${files.length} files read`);
  const offending = files.filter((f) => /DESIGN\.md|\/work\/main|\/home\/[a-z]/.test(readFileSync(f, 'utf8'))).map((f) => relative(CHECKOUT, f));
  // This file names the patterns it looks for.
  assert.deepEqual(
    offending.filter((f) => f !== 'test/architecture/self-contained.test.ts'),
    [],
  );
});

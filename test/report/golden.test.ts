import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { renderText } from '../../src/report/render/text.js';
import { hostileReport, sampleReport } from './fixtures.js';

/**
 * Golden files: the exact text of each format for the sample report (fixed times, so nothing
 * needs scrubbing) and for the hostile one, where a reviewer can see every escape.
 * `UPDATE_GOLDEN=1 node --import tsx --test test/report/golden.test.ts` rewrites them; review the diff.
 */
const GOLDEN = join(import.meta.dirname, 'golden');

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}

test('golden: terminal text, 100 columns, no colour', () => golden('sample.txt', renderText(sampleReport(), { color: false, width: 100 })));
test('golden: terminal text, 200 columns (one-line evidence rows)', () => golden('sample-wide.txt', renderText(sampleReport(), { color: false, width: 200 })));
test('golden: Markdown', () => golden('sample.md', renderMarkdown(sampleReport())));
test('golden: hostile Markdown', () => golden('hostile.md', renderMarkdown(hostileReport())));
test('golden: hostile terminal text', () => golden('hostile.txt', renderText(hostileReport(), { color: false, width: 100 })));

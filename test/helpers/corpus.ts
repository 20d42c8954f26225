import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** The repository root (tests run from anywhere). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The checkout itself: REPO_ROOT, or the folder its package.json links to when the tests run from
 * the transpiled tree (`npm test` runs test/ compiled into .tsbuild/, where every other top-level
 * entry is a link back to the checkout).
 */
export const CHECKOUT = dirname(realpathSync(join(REPO_ROOT, 'package.json')));

/** `../shared/corpus` beside the checkout: real data written by others (see its SOURCES.md). */
export const CORPUS_ROOT = resolve(CHECKOUT, '..', 'shared', 'corpus');

/**
 * The path of a corpus file, or undefined after marking the test skipped with a notice when the
 * shared corpus is not beside this checkout. Never a silent skip: the reason is in the report.
 */
export function corpusFile(t: TestContext, relative: string): string | undefined {
  const path = join(CORPUS_ROOT, relative);
  if (!existsSync(path)) {
    t.skip(`shared corpus not found at ${path}: clone with ../shared beside the checkout`);
    return undefined;
  }
  return path;
}

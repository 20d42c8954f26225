import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findRunbookFolders, readRunbookFolder, RUNBOOK_FILE } from './load.js';
import { describeReview, reviewState, type ReviewState } from './review.js';
import { parseRunbookText } from './structure.js';

/** One line of `trailbook runbook list`: who owns a runbook and whether its review is current. */
export interface RunbookListing {
  id: string | null;
  version: string | null;
  owner: string | null;
  reviewed: string | null;
  reviewInterval: string | null;
  /** `ok`, `due in N days`, `overdue by N days`, or why it is unknown. */
  review: string;
  reviewState: ReviewState['state'] | null;
  /** The day the next review is due, when `reviewed` is set. */
  reviewDue: string | null;
  dir: string;
  tests: number;
  /** `ok`, or `invalid (N problems)` when runbook.yaml does not pass the structure check. */
  status: string;
}

/**
 * The runbooks of `roots`: each root is a runbook folder itself or a folder of runbook folders.
 * A folder reached twice (the bundled `runbooks/` seen also as `./runbooks`) is listed once.
 */
export async function listRunbooks(roots: readonly string[], now: Date): Promise<RunbookListing[]> {
  const out: RunbookListing[] = [];
  for (const dir of await runbookFolders(roots)) out.push(await listing(dir, now));
  return out;
}

/** The runbook folders of `roots`, in order, each once (by real path). */
export async function runbookFolders(roots: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const root of roots) {
    const isRunbook = await stat(join(root, RUNBOOK_FILE)).then(
      (s) => s.isFile(),
      () => false,
    );
    for (const dir of isRunbook ? [root] : await findRunbookFolders(root)) {
      const key = await realpath(dir);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(dir);
    }
  }
  return out;
}

async function listing(dir: string, now: Date): Promise<RunbookListing> {
  const folder = await readRunbookFolder(dir);
  const parsed = parseRunbookText(folder.file, folder.text);
  const r = parsed.runbook;
  const review = r ? reviewState(r, now) : undefined;
  const count = parsed.problems.length;
  return {
    id: r?.id ?? null,
    version: r?.version ?? null,
    owner: r?.owner ?? null,
    reviewed: r?.reviewed ?? null,
    reviewInterval: r?.reviewInterval ?? null,
    review: review ? describeReview(review) : 'unknown (invalid runbook)',
    reviewState: review?.state ?? null,
    reviewDue: review && review.state !== 'unknown' ? review.dueOn : null,
    dir,
    tests: folder.testCases.length,
    status: r ? 'ok' : `invalid (${count} problem${count === 1 ? '' : 's'})`,
  };
}

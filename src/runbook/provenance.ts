import { git } from '../git.js';
import { RUNBOOK_FILE } from './load.js';

/** Where a runbook folder's content came from, when the folder is inside a git work tree. */
export interface RunbookGitSource {
  /** The commit checked out (HEAD) in the repository holding the folder. */
  commit: string;
  /** True when files under the folder differ from that commit (modified, staged, deleted or untracked). */
  uncommittedChanges: boolean;
}

/**
 * One `git status` call answers both: `--branch` prints HEAD's commit (`# branch.oid`), and the
 * pathspec `.` limits the change lines to the folder (paths relative to it). `--no-optional-locks`
 * keeps it from refreshing the index, so it never writes to the user's repository or waits on its
 * lock. Quietly undefined when git is not installed, the folder is not in a work tree, the
 * repository has no commit yet, or runbook.yaml is not tracked there: a runbook installed under
 * an ignored `node_modules/` or copied in untracked is not what that repository's HEAD holds, and
 * citing HEAD would mislead. A report without provenance is still a report.
 */
export function runbookGitSource(dir: string): RunbookGitSource | undefined {
  let status: string;
  try {
    status = git(dir, ['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '--untracked-files=all', '--ignored=matching', '--', '.']);
  } catch {
    return undefined;
  }
  const commit = /^# branch\.oid ([0-9a-f]{40,64})$/m.exec(status)?.[1];
  if (commit === undefined) return undefined;
  const entries = status.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  // `? runbook.yaml`: untracked; `! runbook.yaml`, `! ./` or `! ../…/`: ignored, itself or a folder above it.
  const untrackedRunbook = entries.some((line) => line === `? ${RUNBOOK_FILE}` || line === `! ${RUNBOOK_FILE}` || line === '! ./' || line.startsWith('! ../'));
  if (untrackedRunbook) return undefined;
  // Ignored files inside the folder (a `*.log` next to a case) are not part of the runbook.
  return { commit, uncommittedChanges: entries.some((line) => !line.startsWith('! ')) };
}

const known = new WeakMap<object, RunbookGitSource | null>();

/**
 * `runbookGitSource` of a loaded runbook, asked once per load: `runbook test` runs every case
 * with the same loaded runbook, so dozens of cases still cost one git process.
 */
export function gitSourceOf(loaded: { dir: string }): RunbookGitSource | undefined {
  if (!known.has(loaded)) known.set(loaded, runbookGitSource(loaded.dir) ?? null);
  return known.get(loaded) ?? undefined;
}

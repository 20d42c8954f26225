import { git } from '../git.js';

/** Where a runbook folder's content came from, when the folder is inside a git work tree. */
export interface RunbookGitSource {
  /** The commit checked out (HEAD) in the repository holding the folder. */
  commit: string;
  /** True when files under the folder differ from that commit (modified, staged, deleted or untracked). */
  uncommittedChanges: boolean;
}

/**
 * One `git status` call answers both: `--branch` prints HEAD's commit (`# branch.oid`), and the
 * pathspec `.` limits the change lines to the folder. `--no-optional-locks` keeps it from
 * refreshing the index, so it never writes to the user's repository or waits on its lock.
 * Quietly undefined when git is not installed, the folder is not in a work tree, or the
 * repository has no commit yet: a report without provenance is still a report.
 */
export function runbookGitSource(dir: string): RunbookGitSource | undefined {
  let status: string;
  try {
    status = git(dir, ['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '--untracked-files=normal', '--', '.']);
  } catch {
    return undefined;
  }
  const lines = status.split('\n');
  const commit = /^# branch\.oid ([0-9a-f]{40,64})$/m.exec(status)?.[1];
  if (commit === undefined) return undefined;
  return { commit, uncommittedChanges: lines.some((line) => line !== '' && !line.startsWith('#')) };
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

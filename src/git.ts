import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { TrailbookError } from './errors.js';
import { makeOutputDir } from './files.js';

/**
 * The one way trailbook runs git: the user's own `git` CLI, so their identity, hooks and commit
 * signing (`commit.gpgsign`) apply to evidence commits, and anyone can check the result with the
 * same tool years later. Arguments are passed as an array, never through a shell. Used by the
 * evidence repository (src/evidence/) and for where a runbook came from (src/runbook/provenance.ts).
 */
export function git(repo: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    if (e.code === 'ENOENT')
      throw new TrailbookError('CONFIG', 'git is not installed', { hint: 'install git (apt-get install git): evidence is committed to a git repository' });
    throw new TrailbookError('INTEGRITY', `git ${args[0]} failed in ${repo}: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

/** Bytes of a file at a commit, exactly as stored. */
export function gitShow(repo: string, commit: string, path: string): Buffer {
  return execFileSync('git', ['-C', repo, 'show', `${commit}:${path}`], { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Bytes of many `commit:path` objects in one `git cat-file --batch` process (a bundle has
 * hundreds of files; one process each would dominate a verify). Missing objects map to null.
 */
export function gitShowMany(repo: string, specs: readonly string[]): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  if (specs.length === 0) return out;
  const raw = execFileSync('git', ['-C', repo, 'cat-file', '--batch'], {
    input: `${specs.join('\n')}\n`,
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let at = 0;
  for (const spec of specs) {
    const eol = raw.indexOf(0x0a, at);
    const header = raw.subarray(at, eol).toString('utf8');
    at = eol + 1;
    const size = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!size) {
      out.set(spec, null); // "<spec> missing" (or not a blob)
      continue;
    }
    const length = Number(size[1]);
    out.set(spec, raw.subarray(at, at + length));
    at += length + 1;
  }
  return out;
}

/**
 * Whether `dir` is the top of a git work tree. A folder inside another repository (a checkout,
 * a project) is not: the evidence gets a repository of its own rather than joining that one.
 */
export function isRepository(dir: string): boolean {
  if (!existsSync(dir)) return false;
  try {
    return realpathSync(git(dir, ['rev-parse', '--show-toplevel']).trim()) === realpathSync(dir);
  } catch {
    return false;
  }
}

export function ensureRepository(dir: string): void {
  makeOutputDir(dir, 'the evidence repository');
  if (!isRepository(dir)) git(dir, ['init', '-q']);
}

/** False for a repository with no commit yet (where `git log` fails). */
export function hasCommits(repo: string): boolean {
  try {
    git(repo, ['rev-parse', '--verify', '-q', 'HEAD']);
    return true;
  } catch {
    return false;
  }
}

/** Who commits: the user's git identity when set; otherwise the OS user at this host (said in the manifest too). */
export function identityArgs(repo: string): string[] {
  const configured = (key: string) => {
    try {
      return git(repo, ['config', '--get', key]).trim();
    } catch {
      return '';
    }
  };
  if (configured('user.name') && configured('user.email')) return [];
  const user = userInfo().username;
  return ['-c', `user.name=${user}`, '-c', `user.email=${user}@${hostname()}`];
}

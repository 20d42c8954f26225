import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TrailbookError } from '../errors.js';
import { CASES_DIR } from '../evidence/bundle.js';
import { makeOutputDir, writeOutputFile } from '../files.js';
import { git, identityArgs, isRepository } from '../git.js';
import type { ResponseResult } from './result-schema.js';

/**
 * `respond apply --evidence <repo>`: the plan (its exact bytes) and the result committed to the
 * evidence repository of `trailbook evidence commit` (docs/evidence.md), so the response is part
 * of the forensic record beside the cases it answers. They go under `responses/`, outside
 * `cases/`, so a case's manifest and `evidence verify` are untouched; git's history holds them.
 */
export const RESPONSES_DIR = 'responses';

export interface RecordedResponse {
  /** The folder in the repository, relative to its top. */
  path: string;
  commit: string;
}

/** Refuses, before anything runs, a folder that is not an evidence repository. */
export function checkEvidenceRepository(repo: string): void {
  if (!isRepository(repo) || !existsSync(join(repo, CASES_DIR)))
    throw new TrailbookError('INPUT', `${repo} is not an evidence repository (a git repository with ${CASES_DIR}/)`, {
      hint: 'make one with `trailbook evidence commit --repo <dir>` for the report the plan came from',
    });
}

export function recordResponse(repo: string, planBytes: Uint8Array, result: ResponseResult): RecordedResponse {
  checkEvidenceRepository(repo);
  // A finding id holds ':' (exposure:dbe90ba0): not a character every file system takes in a name.
  const finding = result.plan.finding.id.replace(/[^A-Za-z0-9._-]/g, '-');
  const when = result.startedAt.replace(/[:.]/g, '-');
  const path = `${RESPONSES_DIR}/${finding}/${when}-${result.mode}`;
  const dir = join(repo, path);
  makeOutputDir(dir, 'the response record');
  writeOutputFile(join(dir, 'plan.json'), planBytes, 'the recorded plan', { exclusive: true });
  writeOutputFile(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`, 'the recorded result', { exclusive: true });
  git(repo, ['add', '--', path]);
  const message = `respond ${result.mode} ${finding}: ${result.outcome} (${result.steps.filter((s) => s.changed).length} of ${result.steps.length} steps changed)`;
  git(repo, [...identityArgs(repo), 'commit', '-q', '-m', message, '--', path]);
  return { path, commit: git(repo, ['rev-parse', 'HEAD']).trim() };
}

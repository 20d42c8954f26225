import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CASES_DIR, EVIDENCE_SCHEMA, type Manifest } from './bundle.js';
import { git, gitShow, gitShowMany, hasCommits, isRepository } from '../git.js';
import { sha256 } from './source-records.js';

/**
 * Checks an evidence repository (or one bundle folder) without trusting anything in it but the
 * hashes: every file against its manifest, the working tree against the last commit, and each
 * committed version of a case's manifest against its files at that commit and against the
 * version before it (hash and commit), which is how a rewritten history shows.
 */
export type ProblemKind =
  | 'file-changed'
  | 'file-added'
  | 'file-removed'
  | 'manifest-invalid'
  | 'uncommitted'
  | 'chain-broken'
  | 'history-rewritten'
  | 'repository-corrupt';

export interface Problem {
  kind: ProblemKind;
  caseId: string | null;
  /** The file (relative to the case folder), or the commit, concerned. */
  path: string | null;
  detail: string;
}

export interface VerifyResult {
  cases: { caseId: string; versions: number; files: number }[];
  problems: Problem[];
}

export function verifyEvidence(target: string, options: { caseId?: string } = {}): VerifyResult {
  const problems: Problem[] = [];
  const repository = isRepository(target) ? target : null;
  const casesRoot = existsSync(join(target, CASES_DIR)) ? join(target, CASES_DIR) : null;
  // A bundle folder on its own (no cases/ above it): just its files against its manifest.
  if (!casesRoot && existsSync(join(target, 'manifest.json'))) {
    const files = checkFolder(target, readManifest(target, null, problems), null, problems);
    return { cases: [{ caseId: 'bundle', versions: 0, files }], problems };
  }
  if (repository) {
    const fsck = tryGit(repository, ['fsck', '--no-progress', '--no-dangling', '--full']);
    if (fsck.error) problems.push({ kind: 'repository-corrupt', caseId: null, path: null, detail: `git fsck: ${fsck.error}` });
  }
  const ids = casesRoot
    ? readdirSync(casesRoot)
        .filter((name) => statSync(join(casesRoot, name)).isDirectory())
        .sort()
    : [];
  const wanted = options.caseId ? ids.filter((id) => id === options.caseId) : ids;
  if (options.caseId && wanted.length === 0)
    problems.push({ kind: 'file-removed', caseId: options.caseId, path: null, detail: `no case ${options.caseId} under ${CASES_DIR}/` });
  const cases: VerifyResult['cases'] = [];
  for (const caseId of wanted) {
    const dir = join(casesRoot!, caseId);
    const files = checkFolder(dir, readManifest(dir, caseId, problems), caseId, problems);
    const versions = repository ? checkHistory(repository, caseId, problems) : 0;
    cases.push({ caseId, versions, files });
  }
  return { cases, problems };
}

function readManifest(dir: string, caseId: string | null, problems: Problem[]): Manifest | null {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) {
    problems.push({ kind: 'file-removed', caseId, path: 'manifest.json', detail: 'the manifest is missing' });
    return null;
  }
  return parseManifest(readFileSync(path), caseId, 'manifest.json', problems);
}

function parseManifest(bytes: Buffer, caseId: string | null, where: string, problems: Problem[]): Manifest | null {
  try {
    const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    if (manifest.schema !== EVIDENCE_SCHEMA || !Array.isArray(manifest.files)) throw new Error(`not a ${EVIDENCE_SCHEMA} manifest`);
    return manifest;
  } catch (error) {
    problems.push({ kind: 'manifest-invalid', caseId, path: where, detail: (error as Error).message });
    return null;
  }
}

/** Files on disk against the manifest; returns how many files the manifest lists. */
function checkFolder(dir: string, manifest: Manifest | null, caseId: string | null, problems: Problem[]): number {
  if (!manifest) return 0;
  const onDisk = new Set(
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((name) => statSync(join(dir, name)).isFile())
      .map((name) => relative(dir, join(dir, name)).split(sep).join('/'))
      .filter((name) => name !== 'manifest.json'),
  );
  for (const file of manifest.files) {
    const full = join(dir, ...file.path.split('/'));
    if (!onDisk.has(file.path)) {
      problems.push({ kind: 'file-removed', caseId, path: file.path, detail: 'listed in the manifest, not on disk' });
      continue;
    }
    onDisk.delete(file.path);
    const content = readFileSync(full);
    if (sha256(content) !== file.sha256)
      problems.push({
        kind: 'file-changed',
        caseId,
        path: file.path,
        detail: `sha256 ${sha256(content)} (${content.length} bytes), manifest says ${file.sha256} (${file.size} bytes)`,
      });
  }
  for (const extra of [...onDisk].sort()) problems.push({ kind: 'file-added', caseId, path: extra, detail: 'on disk, not in the manifest' });
  return manifest.files.length;
}

/** Each committed version of the case: its files against its manifest, and the chain to the version before. */
function checkHistory(repo: string, caseId: string, problems: Problem[]): number {
  const caseRel = `${CASES_DIR}/${caseId}`;
  const status = git(repo, ['status', '--porcelain=v1', '--untracked-files=all', '--', caseRel]).split('\n').filter(Boolean);
  for (const line of status)
    problems.push({
      kind: 'uncommitted',
      caseId,
      path: line.slice(3).replace(`${caseRel}/`, ''),
      detail: `differs from the last commit (git status: ${line.slice(0, 2).trim()})`,
    });
  const commits = hasCommits(repo)
    ? git(repo, ['log', '--reverse', '--format=%H', '--', `${caseRel}/manifest.json`])
        .split('\n')
        .filter(Boolean)
    : [];
  if (commits.length === 0) problems.push({ kind: 'uncommitted', caseId, path: 'manifest.json', detail: 'the case was never committed' });
  let previous: { commit: string; sha: string } | null = null;
  for (const commit of commits) {
    let bytes: Buffer;
    try {
      bytes = gitShow(repo, commit, `${caseRel}/manifest.json`);
    } catch {
      previous = null; // the manifest was deleted in this commit
      continue;
    }
    const manifest = parseManifest(bytes, caseId, `manifest.json at ${commit.slice(0, 12)}`, problems);
    if (manifest) {
      const expected = previous ? previous.sha : null;
      if (manifest.previousManifestSha256 !== expected) {
        problems.push({
          kind: 'chain-broken',
          caseId,
          path: commit,
          detail: `the manifest of ${commit.slice(0, 12)} names previous manifest ${manifest.previousManifestSha256 ?? 'none'}, history has ${expected ?? 'none'}`,
        });
      }
      if ((manifest.previousCommit ?? null) !== (previous ? previous.commit : null)) {
        problems.push({
          kind: 'history-rewritten',
          caseId,
          path: commit,
          detail: `the manifest of ${commit.slice(0, 12)} was written after commit ${manifest.previousCommit ?? 'none'}, but history has ${previous ? previous.commit : 'none'} before it`,
        });
      }
      const committed = new Set(
        git(repo, ['ls-tree', '-r', '--name-only', commit, '--', caseRel])
          .split('\n')
          .filter(Boolean)
          .map((p) => p.slice(caseRel.length + 1)),
      );
      committed.delete('manifest.json');
      const blobs = gitShowMany(
        repo,
        manifest.files.filter((f) => committed.has(f.path)).map((f) => `${commit}:${caseRel}/${f.path}`),
      );
      for (const file of manifest.files) {
        if (!committed.has(file.path)) {
          problems.push({ kind: 'file-removed', caseId, path: file.path, detail: `not in commit ${commit.slice(0, 12)}` });
          continue;
        }
        committed.delete(file.path);
        const blob = blobs.get(`${commit}:${caseRel}/${file.path}`);
        if (!blob || sha256(blob) !== file.sha256)
          problems.push({ kind: 'file-changed', caseId, path: file.path, detail: `differs from its manifest in commit ${commit.slice(0, 12)}` });
      }
      for (const extra of committed)
        problems.push({ kind: 'file-added', caseId, path: extra, detail: `in commit ${commit.slice(0, 12)}, not in its manifest` });
    }
    previous = { commit, sha: sha256(bytes) };
  }
  return commits.length;
}

function tryGit(repo: string, args: string[]): { error?: string } {
  try {
    git(repo, args);
    return {};
  } catch (error) {
    return { error: (error as Error).message };
  }
}

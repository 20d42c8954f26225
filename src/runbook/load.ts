import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TrailbookError } from '../errors.js';
import type { SourceLocator } from './location.js';
import { formatProblem, type Problem } from './problems.js';
import type { Runbook } from './schema.js';
import { parseRunbookText } from './structure.js';

/**
 * A runbook folder: `runbook.yaml` (required), `README.md`, and `tests/<case>/` folders.
 * Loading reads and checks structure only; meaning is the linter's job.
 */
export const RUNBOOK_FILE = 'runbook.yaml';
export const README_FILE = 'README.md';
export const TESTS_DIR = 'tests';

export interface RunbookFolder {
  dir: string;
  /** Path of runbook.yaml as given (relative paths stay relative, for readable locations). */
  file: string;
  text: string;
  readme: string | undefined;
  /** Names of the case folders under tests/, sorted. */
  testCases: string[];
}

export interface LoadedRunbook extends RunbookFolder {
  runbook: Runbook;
  locator: SourceLocator;
}

export async function readRunbookFolder(dir: string): Promise<RunbookFolder> {
  const file = join(dir, RUNBOOK_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TrailbookError(
      'RUNBOOK_INVALID',
      missing ? `${dir} is not a runbook folder: no ${RUNBOOK_FILE}` : `cannot read ${file}: ${(error as Error).message}`,
      {
        location: file,
        hint: missing ? 'a runbook folder holds runbook.yaml, README.md and tests/' : undefined,
        cause: error,
      },
    );
  }
  const readme = await readFile(join(dir, README_FILE), 'utf8').catch(() => undefined);
  return { dir, file, text, readme, testCases: await listDirectories(join(dir, TESTS_DIR)) };
}

/** Reads and checks the structure; throws RUNBOOK_INVALID listing every structural problem. */
export async function loadRunbook(dir: string): Promise<LoadedRunbook> {
  const folder = await readRunbookFolder(dir);
  const parsed = parseRunbookText(folder.file, folder.text);
  if (!parsed.runbook) throw invalid(parsed.problems);
  return { ...folder, runbook: parsed.runbook, locator: parsed.locator };
}

export function invalid(problems: readonly Problem[]): TrailbookError {
  const first = problems[0];
  return new TrailbookError(
    'RUNBOOK_INVALID',
    `the runbook is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map(formatProblem).join('\n')}`,
    { location: first?.location, hint: 'run `trailbook runbook lint` on the folder; the format is in docs/runbook-format.md' },
  );
}

export async function listDirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Runbook folders directly under `root` (those holding a runbook.yaml), sorted by name. */
export async function findRunbookFolders(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await listDirectories(root)) {
    const isRunbook = await stat(join(root, name, RUNBOOK_FILE)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isRunbook) out.push(join(root, name));
  }
  return out;
}

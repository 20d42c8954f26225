import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { TrailbookError } from '../errors.js';
import { README_FILE, RUNBOOK_FILE, TESTS_DIR } from './load.js';
import { RUNBOOK_ID_PATTERN } from './schema.js';
import { readme, runbookYaml, testCases } from './scaffold-files.js';

/**
 * `trailbook runbook new <dir>`: writes a runbook folder that lints clean and passes its tests
 * as written (README.md, runbook.yaml, tests/<case>/ for each decision leaf). Never writes into
 * a folder that exists: a scaffold must not overwrite anybody's work.
 */
export async function scaffoldRunbook(dir: string, options: { id?: string; now: Date }): Promise<string[]> {
  const id = options.id ?? basename(resolve(dir));
  if (!RUNBOOK_ID_PATTERN.test(id)) {
    throw new TrailbookError('USAGE', `"${id}" cannot be a runbook id: lowercase letters, digits and dashes, starting with a letter or digit`, {
      hint: options.id === undefined ? 'name the folder that way, or pass --id' : undefined,
    });
  }
  if (existsSync(dir)) {
    throw new TrailbookError('USAGE', `${dir} already exists: runbook new only creates a new folder`, {
      location: dir,
      hint: 'choose a folder that does not exist yet',
    });
  }
  const values = { id, reviewed: options.now.toISOString().slice(0, 10) };
  const files: Record<string, string> = { [README_FILE]: readme(values), [RUNBOOK_FILE]: runbookYaml(values) };
  for (const [name, caseFiles] of Object.entries(testCases())) {
    for (const [file, text] of Object.entries(caseFiles)) files[join(TESTS_DIR, name, file)] = text;
  }
  // `recursive: false` on the folder itself: a folder created meanwhile makes this fail rather than be written into.
  await mkdir(resolve(dir, '..'), { recursive: true });
  await mkdir(dir);
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), text, { flag: 'wx' });
    written.push(join(dir, file));
  }
  return written;
}

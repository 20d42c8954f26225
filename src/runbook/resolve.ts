import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrailbookError } from '../errors.js';
import { RUNBOOK_FILE } from './load.js';
import { RUNBOOK_ID_PATTERN } from './schema.js';

/** The runbooks shipped with trailbook (`runbooks/` at the package root). */
export const BUNDLED_RUNBOOKS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runbooks');

/**
 * `trailbook run <runbook>`: a folder holding a runbook.yaml, else the id of a runbook in
 * `./runbooks/<id>` (the team's own, checked out beside its logs) or among the bundled ones.
 */
export function resolveRunbook(reference: string, cwd = process.cwd()): string {
  if (existsSync(join(reference, RUNBOOK_FILE))) return reference;
  if (RUNBOOK_ID_PATTERN.test(reference)) {
    for (const root of [join(cwd, 'runbooks'), BUNDLED_RUNBOOKS]) {
      const dir = join(root, reference);
      if (existsSync(join(dir, RUNBOOK_FILE))) return dir;
    }
  }
  const known = bundledIds();
  throw new TrailbookError('USAGE', `no runbook "${reference}": not a folder with ${RUNBOOK_FILE}, nor a runbook id`, {
    hint: `bundled runbooks: ${known.join(', ') || 'none'} (\`trailbook runbook list\`)`,
  });
}

function bundledIds(): string[] {
  return runbookIdsIn(BUNDLED_RUNBOOKS);
}

/** The ids `run` resolves without a path: ./runbooks/<id> and the bundled ones (shell completion lists them). */
export function knownRunbookIds(cwd = process.cwd()): string[] {
  return [...new Set([...runbookIdsIn(join(cwd, 'runbooks')), ...bundledIds()])].sort();
}

function runbookIdsIn(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && RUNBOOK_ID_PATTERN.test(e.name) && existsSync(join(root, e.name, RUNBOOK_FILE)))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

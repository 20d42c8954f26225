import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runbookFolders } from '../runbook/catalog.js';
import { type LoadedRunbook, loadRunbook, RUNBOOK_FILE } from '../runbook/load.js';

/** One parameter of a runbook, as the workspace's form shows it. */
export interface RunbookParameter {
  name: string;
  type: string;
  description: string;
  default?: unknown;
  required: boolean;
  enum?: unknown[];
}

/** A runbook as the workspace offers it (`GET /api/runbooks`); the web app reads this type too. */
export interface RunbookEntry {
  id: string;
  dir: string;
  title: string;
  description: string;
  version: string;
  parameters: RunbookParameter[];
}

/**
 * The runbooks of the given roots, loaded as `trailbook run` loads them, each read again only when
 * its runbook.yaml changed (the page lists them, and every run names one). The first folder with
 * an id wins; a folder that does not load (invalid) is left out: `trailbook runbook lint` says why.
 */
export class RunbookShelf {
  private readonly loaded = new Map<string, { stamp: string; runbook: LoadedRunbook | null }>();

  constructor(private readonly roots: () => readonly string[]) {}

  async list(): Promise<LoadedRunbook[]> {
    const out: LoadedRunbook[] = [];
    const ids = new Set<string>();
    for (const dir of await runbookFolders(this.roots())) {
      const runbook = await this.load(dir);
      if (!runbook || ids.has(runbook.runbook.id)) continue;
      ids.add(runbook.runbook.id);
      out.push(runbook);
    }
    return out;
  }

  async find(id: string): Promise<LoadedRunbook | undefined> {
    return (await this.list()).find((r) => r.runbook.id === id);
  }

  private async load(dir: string): Promise<LoadedRunbook | null> {
    const file = await stat(join(dir, RUNBOOK_FILE)).catch(() => undefined);
    const stamp = file ? `${file.mtimeMs}:${file.size}` : '';
    const known = this.loaded.get(dir);
    if (known && known.stamp === stamp) return known.runbook;
    const runbook = await loadRunbook(dir).catch(() => null);
    this.loaded.set(dir, { stamp, runbook });
    return runbook;
  }
}

export function runbookEntry(loaded: LoadedRunbook): RunbookEntry {
  const { runbook } = loaded;
  return {
    id: runbook.id,
    dir: loaded.dir,
    title: runbook.title,
    description: runbook.description,
    version: runbook.version,
    parameters: Object.entries(runbook.parameters).map(([name, p]) => ({
      name,
      type: p.type,
      description: p.description,
      ...(p.default !== undefined ? { default: p.default } : {}),
      required: p.default === undefined,
      ...('options' in p && p.options ? { enum: p.options } : {}),
    })),
  };
}

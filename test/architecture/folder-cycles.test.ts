import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CHECKOUT as REPO_ROOT } from '../helpers/corpus.js';

/**
 * One-way dependencies between the top-level folders of `src/` (issue 13 item 4,
 * ARCHITECTURE.md "Known debt"). Every relative import of every `src/**\/*.ts` file (type-only
 * imports too: they couple the folders all the same) is mapped to the folders on both sides, and
 * every elementary cycle of that folder graph is reported. A file directly under `src/`
 * (errors.ts, time.ts, text.ts) is a folder of its own.
 */

/**
 * Today's cycles, written as the folder path starting from the alphabetically first folder.
 * Nobody is to add to this list: the test fails on any cycle not listed here, and on any listed
 * cycle that no longer exists, so that fixing one forces deleting its line and the list only
 * shrinks.
 */
const KNOWN_CYCLES: readonly string[] = [];

const SRC = join(REPO_ROOT, 'src');

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

/** `from './x.js'` of import/export statements (multi-line ones too) and `import('./x.js')`. */
const RELATIVE_IMPORT = /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** Folder → the folders it imports, with one importing file per edge for the failure message. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of typescriptFiles(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const specifier = (match[1] ?? match[2] ?? match[3])!;
      const from = folderOf(file);
      const to = folderOf(resolve(dirname(file), specifier));
      if (from === to || to.startsWith('..')) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, relative(REPO_ROOT, file));
    }
  }
  return graph;
}

/**
 * Every elementary cycle, each once: a depth-first walk from each folder that only visits
 * folders after it in name order, so a cycle is found from its first folder only.
 */
function elementaryCycles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const cycles: string[][] = [];
  const folders = [...graph.keys()].sort();
  for (const start of folders) {
    const path = [start];
    const walk = (at: string) => {
      for (const next of [...(graph.get(at)?.keys() ?? [])].sort()) {
        if (next === start) cycles.push([...path, start]);
        else if (next > start && !path.includes(next)) {
          path.push(next);
          walk(next);
          path.pop();
        }
      }
    };
    walk(start);
  }
  return cycles;
}

test('no folder import cycle in src/ beyond the known debt, and the known debt only shrinks', () => {
  const graph = folderGraph();
  assert.ok(graph.size >= 10, `read the folders of src/ (found ${graph.size})`);
  const cycles = elementaryCycles(graph);
  const found = cycles.map((c) => c.join(' -> '));
  const describe = (cycle: string[]) =>
    cycle
      .slice(0, -1)
      .map((from, i) => `${from} -> ${cycle[i + 1]} (${graph.get(from)!.get(cycle[i + 1]!)})`)
      .join(', ');
  const added = cycles.filter((c) => !KNOWN_CYCLES.includes(c.join(' -> ')));
  const gone = KNOWN_CYCLES.filter((c) => !found.includes(c));
  assert.deepEqual(added.map(describe), [], 'new folder cycles: make the dependency one-way (ARCHITECTURE.md "Known debt")');
  assert.deepEqual(gone, [], 'these known cycles are gone: delete them from KNOWN_CYCLES (and from ARCHITECTURE.md) so they cannot come back');
});

test('the cycle finder finds every elementary cycle once, longer ones too', () => {
  const graph = new Map<string, Map<string, string>>([
    [
      'a',
      new Map([
        ['b', 'x'],
        ['c', 'x'],
      ]),
    ],
    [
      'b',
      new Map([
        ['a', 'x'],
        ['c', 'x'],
      ]),
    ],
    ['c', new Map([['d', 'x']])],
    ['d', new Map([['a', 'x']])],
    ['e', new Map([['a', 'x']])],
  ]);
  assert.deepEqual(
    elementaryCycles(graph).map((c) => c.join('')),
    ['aba', 'abcda', 'acda'],
  );
});

import { readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Generated sections of a markdown file, each fenced by its own pair of HTML comments:
 *
 *   <!-- bench:<name>:start -->
 *   ...generated...
 *   <!-- bench:<name>:end -->
 *
 * Several benchmarks share docs/benchmarks.md; each replaces only its own section, so the
 * hand-written prose and the other benchmarks' results are left byte-for-byte as they were.
 */
export function sectionMarkers(name: string): { start: string; end: string } {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`invalid section name: ${JSON.stringify(name)}`);
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

function occurrences(text: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) at.push(i);
  return at;
}

/**
 * Returns `document` with the body of section `name` replaced by `body`. A missing section is
 * appended at the end. Malformed markers (one without the other, duplicates, end before start)
 * are an error rather than a guess: guessing could overwrite hand-written text.
 */
export function replaceSection(document: string, name: string, body: string): string {
  const { start, end } = sectionMarkers(name);
  const starts = occurrences(document, start);
  const ends = occurrences(document, end);
  const content = body.replace(/^\n+|\n+$/g, '');
  const block = `${start}\n${content}\n${end}`;
  if (starts.length === 0 && ends.length === 0) {
    const trimmed = document.replace(/\n*$/, '');
    return `${trimmed}${trimmed ? '\n\n' : ''}${block}\n`;
  }
  if (starts.length !== 1 || ends.length !== 1) {
    throw new Error(`section "${name}": expected one start and one end marker, found ${starts.length} and ${ends.length}`);
  }
  const s = starts[0] as number;
  const e = ends[0] as number;
  if (e < s) throw new Error(`section "${name}": end marker before start marker`);
  return document.slice(0, s) + block + document.slice(e + end.length);
}

/** Reads `path` (missing → empty), replaces one section, writes atomically (temp file + rename). */
export async function updateSectionInFile(path: string, name: string, body: string): Promise<void> {
  let document = '';
  try {
    document = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, replaceSection(document, name, body));
  await rename(temp, path);
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceSection, sectionMarkers, updateSectionInFile } from '../../src/bench/markdown-section.js';

const DOC = `# Benchmarks

Intro text.

<!-- bench:a:start -->
old a
<!-- bench:a:end -->

Between.

<!-- bench:b:start -->
old b
<!-- bench:b:end -->
tail
`;

test('replaces only the named section, keeping everything else byte for byte', () => {
  const out = replaceSection(DOC, 'a', '| new | table |\n');
  assert.equal(out, DOC.replace('old a', '| new | table |'));
  assert.equal(replaceSection(out, 'a', '| new | table |'), out, 'idempotent');
  assert.equal(replaceSection(DOC, 'b', 'new b'), DOC.replace('old b', 'new b'));
});

test('a missing section is appended; an empty document gets just the section', () => {
  const { start, end } = sectionMarkers('intel');
  assert.equal(replaceSection(DOC, 'intel', 'x'), `${DOC.trimEnd()}\n\n${start}\nx\n${end}\n`);
  assert.equal(replaceSection('', 'intel', 'x'), `${start}\nx\n${end}\n`);
});

test('section names are not patterns: a name that prefixes another does not touch it', () => {
  const doc = replaceSection('', 'cloudtrail-ingest', 'one');
  const both = replaceSection(doc, 'cloudtrail', 'two');
  assert.ok(both.includes('one') && both.includes('two'));
});

test('malformed markers are refused rather than guessed', () => {
  const { start, end } = sectionMarkers('a');
  assert.throws(() => replaceSection(`${start}\nx\n`, 'a', 'y'), /one start and one end/);
  assert.throws(() => replaceSection(`${start}\n${end}\n${start}\n${end}\n`, 'a', 'y'), /one start and one end/);
  assert.throws(() => replaceSection(`${end}\n${start}\n`, 'a', 'y'), /end marker before start/);
  assert.throws(() => sectionMarkers('a -->'), /invalid section name/);
});

test('updateSectionInFile creates the file when missing and rewrites one section in place', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'trailbook-md-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'benchmarks.md');
  await updateSectionInFile(path, 'a', 'first');
  await writeFile(path, `# Title\n\n${await readFile(path, 'utf8')}`);
  await updateSectionInFile(path, 'b', 'second');
  await updateSectionInFile(path, 'a', 'third');
  const text = await readFile(path, 'utf8');
  assert.equal(
    text,
    `# Title\n\n${sectionMarkers('a').start}\nthird\n${sectionMarkers('a').end}\n\n${sectionMarkers('b').start}\nsecond\n${sectionMarkers('b').end}\n`,
  );
});

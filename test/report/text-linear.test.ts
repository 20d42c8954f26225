/**
 * The text report costs work in proportion to its input: a log field of a megabyte (a 64 KB group
 * id planted in failed attempts, a giant user agent) is cut with a visible marker pointing at the
 * formats that keep it whole, and wrapping never re-reads a line or a word per character.
 * No timed test: the work is counted as the characters handed to `Array.from` (the code-point
 * split every width computation uses), which a quadratic wrap multiplies by the field's length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from '../../src/report/render/text.js';
import { clipValue, wrap, VALUE_LIMIT } from '../../src/report/render/text-layout.js';
import { formatTable } from '../../src/report/tabular.js';
import { sampleReport } from './fixtures.js';

const MB = 1 << 20;

/** Characters passed to Array.from while `fn` runs. */
function arrayFromWork<T>(fn: () => T): { result: T; chars: number } {
  const original = Array.from;
  let chars = 0;
  (Array as { from: unknown }).from = function counted(this: unknown, source: unknown, ...rest: unknown[]) {
    if (typeof source === 'string') chars += source.length;
    return (original as (...args: unknown[]) => unknown).call(this, source, ...rest);
  };
  try {
    return { result: fn(), chars };
  } finally {
    Array.from = original;
  }
}

test('wrap: a 1 MB word is cut into lines of the width, in one pass over it', () => {
  const word = 'sg-' + 'a'.repeat(MB);
  const { result: lines, chars } = arrayFromWork(() => wrap(word, 100, '  '));
  assert.equal(lines.length, Math.ceil(word.length / 98)); // every line indented by two
  for (const line of lines) assert.ok(line.length <= 100);
  assert.equal(lines.map((l) => l.trimStart()).join(''), word);
  assert.ok(chars <= 2 * word.length, `Array.from read ${chars} characters for a ${word.length}-character word`);
});

test('wrap: a 1 MB text of short words is read once, not once per line', () => {
  const text = Array.from({ length: MB / 8 }, (_, i) => `w${i % 1000}`.padEnd(7, 'x')).join(' ');
  const { result: lines, chars } = arrayFromWork(() => wrap(text, 80, '    - ', '      '));
  for (const line of lines) assert.ok(line.length <= 80);
  assert.equal(lines.map((l) => l.slice(6)).join(' '), text);
  assert.ok(chars <= 2 * text.length, `Array.from read ${chars} characters for ${text.length}`);
});

test('clipValue: a long value keeps both ends and says where the whole value is; code points are never split', () => {
  assert.equal(clipValue('short'), 'short');
  const long = `arn:aws:ec2:us-east-1:111122223333:security-group/${'g'.repeat(MB)}-end`;
  const clipped = clipValue(long);
  assert.ok(clipped.length < VALUE_LIMIT + 120, `${clipped.length}`);
  assert.ok(clipped.startsWith('arn:aws:ec2:us-east-1:111122223333:security-group/'));
  assert.ok(clipped.endsWith('-end'));
  assert.match(clipped, /… \d+ characters cut: the whole value is in --format json or html …/);
  const emoji = '😀'.repeat(VALUE_LIMIT);
  const cut = clipValue(emoji);
  assert.doesNotMatch(cut, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, 'a lone surrogate');
  assert.equal(
    Array.from(cut.split('…')[0]!).every((c) => c === '😀'),
    true,
  );
  assert.equal(
    Array.from(cut.split('…').at(-1)!).every((c) => c === '😀'),
    true,
  );
  assert.match(cut, new RegExp(`… ${VALUE_LIMIT - Array.from(cut.replace(/…[^…]*…/, '')).length} characters cut`));
});

test('text report: 1 MB fields in a finding render small, marked, within the width, linearly, and still escaped', () => {
  const report = sampleReport();
  const huge = 'sg-' + 'b'.repeat(MB);
  const spaced = Array.from({ length: MB / 8 }, () => 'attempt').join(' ');
  const finding = report.findings[0]!;
  finding.title = `Attempts on ${huge}`;
  finding.decision.reasons.push(spaced);
  finding.sources[0]!.reasons.push(`\u001b[31m${spaced}`);
  for (const row of finding.evidence) {
    row.resource = huge;
    row.detail = spaced;
  }
  const input = JSON.stringify(report).length;
  for (const full of [false, true]) {
    const { result: text, chars } = arrayFromWork(() => renderText(report, { color: false, width: 100, full }));
    assert.ok(text.length < 200_000, `full=${full}: ${text.length} characters of output`);
    assert.match(text, /characters cut: the whole value is in --format json or html/);
    for (const line of text.split('\n')) assert.ok(Array.from(line).length <= 100, line.slice(0, 200));
    assert.doesNotMatch(text, /\u001b/, 'a control character from a log reached the terminal');
    assert.match(text, /\\x1b\[31m/);
    assert.ok(chars < input, `full=${full}: Array.from read ${chars} characters for ${input} of input`);
  }
});

test('sql table: many rows no longer overflow the stack when measuring columns', () => {
  const rows = Array.from({ length: 300_000 }, (_, i) => ({ n: i }));
  const table = formatTable(['n'], rows);
  assert.match(table, /\(300000 rows\)\n$/);
});

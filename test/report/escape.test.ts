import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, escapeHtml, sanitizeCell, sanitizeForTerminal } from '../../src/report/escape.js';
import { formatCsv, formatTable } from '../../src/report/tabular.js';

test('terminal: ANSI escapes, bells, carriage returns and C1 CSI become visible text', () => {
  assert.equal(sanitizeForTerminal('a\x1b[31mred\x07\rb\x9b2J'), 'a\\x1b[31mred\\x07\\x0db\\x9b2J');
  assert.equal(sanitizeForTerminal('tab\tand\nnewline stay'), 'tab\tand\nnewline stay');
  assert.equal(sanitizeCell('one\ttwo\nthree'), 'one\\ttwo\\nthree');
});

test('terminal: bidirectional overrides and zero-width characters are shown, not obeyed', () => {
  assert.equal(sanitizeForTerminal('user\u202egpj.exe'), 'user\\u{202e}gpj.exe');
  assert.equal(sanitizeForTerminal('a\u200bb\ufeffc\u2066d'), 'a\\u{200b}b\\u{feff}c\\u{2066}d');
});

test('CSV: formulas are defused, quotes and separators quoted', () => {
  for (const formula of ['=1+1', '+cmd|x', '-2+3', '@SUM(A1)', '\tx']) assert.ok(csvField(formula).replace(/^"/, '').startsWith("'"), formula);
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(formatCsv(['n', 's'], [{ n: -5, s: '-5' }]), "n,s\r\n-5,'-5\r\n");
});

test('HTML: markup characters are escaped', () => {
  assert.equal(escapeHtml(`<img src=x onerror="a('b')">&\``), '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;');
});

test('table: hostile cells stay on one line and are cut at the width', () => {
  const out = formatTable(['ua'], [{ ua: 'x\n\x1b[2Jy' + 'z'.repeat(200) }]);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.ok(lines[2]!.startsWith('x\\ny') === false && lines[2]!.startsWith('x\\n\\x1b[2Jy'));
  assert.ok(lines[2]!.endsWith('…'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_FORMATS, renderReport } from '../../src/report/render/index.js';
import { renderText } from '../../src/report/render/text.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { renderHtml, CONTENT_SECURITY_POLICY } from '../../src/report/render/html.js';
import { sortFindings } from '../../src/report/render/model.js';
import { hostileReport, sampleReport } from './fixtures.js';

/** Asserts that the needles appear in this order (each searched after the previous one). */
function assertOrder(text: string, needles: string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    assert.ok(at >= 0, `${JSON.stringify(needle)} missing after position ${from} (order: ${needles.join(' < ')})`);
    from = at + needle.length;
  }
}

/** Markdown without its code spans (a run of n backticks closes at the next run of exactly n). */
function stripCodeSpans(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    const open = /`+/.exec(md.slice(i));
    if (!open) return out + md.slice(i);
    out += md.slice(i, i + open.index);
    const start = i + open.index + open[0].length;
    const close = new RegExp(`(?<!\`)${open[0]}(?!\`)`).exec(md.slice(start));
    if (!close) return out + md.slice(i + open.index);
    i = start + close.index + open[0].length;
  }
  return out;
}

/** The start tags of an HTML text: since data is escaped, these are all ours. */
const tags = (page: string) => page.match(/<[a-zA-Z][^>]*>/g) ?? [];

const TITLES = {
  isolate: 'Port 8443 opened to the internet',
  escalate: 'Five denied attempts',
  ticket: 'Port 8443 opened to the VPC',
  falsePositive: 'HTTPS listener on 8443',
};

test('sortFindings: isolate > escalate > ticket > false-positive, whatever the input order', () => {
  const sorted = sortFindings(sampleReport().findings);
  assert.deepEqual(
    sorted.map((f) => f.decision.action),
    ['isolate', 'escalate', 'ticket', 'false-positive'],
  );
});

test('every format puts the five answers before the findings, and findings by severity', () => {
  const report = sampleReport();
  const text = renderText(report, { color: false });
  assertOrder(text, ['OUTCOME: ISOLATE', 'Q1 ', 'Q2 ', 'Q3 ', 'Q4 ', 'Q5 ', 'FINDINGS', TITLES.isolate, TITLES.escalate, TITLES.ticket, TITLES.falsePositive]);
  const md = renderMarkdown(report);
  assertOrder(md, [
    '**Outcome: isolate**',
    '### Q1.',
    '### Q2.',
    '### Q3.',
    '### Q4.',
    '### Q5.',
    '## Findings',
    `ISOLATE — ${TITLES.isolate}`,
    `ESCALATE — ${TITLES.escalate}`,
    `TICKET — ${TITLES.ticket}`,
    `FALSE-POSITIVE — ${TITLES.falsePositive}`,
  ]);
  const page = renderHtml(report);
  assertOrder(page, ['<svg', 'id="answers"', 'Q1.', 'Q5.', 'id="findings"', 'id="finding-1"', TITLES.isolate, 'id="finding-4"', TITLES.falsePositive]);
});

test('text: Q1 names the first request (a rejected probe) and the first exposure change', () => {
  const text = renderText(sampleReport(), { color: false });
  assert.match(text, /2024-05-14T08:40:05Z {2}first request: inbound REJECT 198\.51\.100\.23/);
  assert.match(text, /2024-05-14T09:12:07Z {2}first exposure change: AuthorizeSecurityGroupIngress/);
  assert.match(text, /AKIAQEXAMPLELEGACY01 long-term key \(AKIA\) · MFA no · via API/);
  assert.match(text, /decision path: start → exposure_internet_wide → caller_suspicious → isolate_host/);
  assert.match(text, /verify: Ask the owner of svc-legacy-deploy/);
});

test('text: no escape sequence at all without colour; with colour only our own SGR codes', () => {
  const report = hostileReport();
  const plainText = renderText(report, { color: false });
  assert.doesNotMatch(plainText, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.ok(plainText.includes('\\x1b[31mRED'), 'the hostile escape is shown, visibly');
  assert.ok(plainText.includes('ok\\x0dFAKE LINE'), 'a carriage return cannot overwrite the line');
  assert.ok(plainText.includes('user\\u{202e}gpj.exe'), 'a bidi override is shown, not applied');
  assert.ok(plainText.includes('c1\\x9b31m'), 'the C1 CSI is shown');
  const colored = renderText(report, { color: true });
  const escapes = colored.match(/\u001b[^m]*m/g) ?? [];
  assert.ok(escapes.length > 0);
  for (const e of escapes) assert.match(e, /^\u001b\[[0-9;]*m$/);
  assert.doesNotMatch(colored.replace(/\u001b\[[0-9;]*m/g, ''), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
});

test('text: lines fit the width (narrow and wide layouts of the evidence)', () => {
  for (const width of [80, 100, 140]) {
    const text = renderText(sampleReport(), { color: false, width });
    for (const line of text.split('\n')) assert.ok(Array.from(line).length <= width, `${width}: ${line}`);
  }
  const wide = renderText(sampleReport(), { color: false, width: 250 });
  assert.match(wide, /ts {2,}actor {2,}source_ip {2,}action {2,}resource {2,}source_ref/);
});

/** The cells of a Markdown table row: split on pipes that are not escaped. */
const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;

test('markdown: hostile values cannot break a table, open a heading, or inject HTML or links', () => {
  const md = renderMarkdown(hostileReport());
  const lines = md.split('\n');
  // Every table keeps the column count of its header.
  let columns = -1;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      columns = -1;
      continue;
    }
    if (columns < 0) columns = cells(line);
    else assert.equal(cells(line), columns, `broken row: ${line}`);
  }
  assert.ok(!lines.some((l) => l.startsWith('# heading')), 'a newline in a value cannot start a heading');
  // Outside code spans, no raw < (HTML) or [ (link) survives from the data.
  const prose = stripCodeSpans(md);
  assert.doesNotMatch(prose.replace(/<br>/g, ''), /(^|[^\\])</);
  assert.doesNotMatch(prose, /(^|[^\\])\[x\]/);
  assert.doesNotMatch(md, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
  assert.ok(md.includes('\\<script\\>alert("x")\\</script\\>'), 'prose escapes markup');
});

test('markdown: a backtick in an identifier does not end its code span', () => {
  const report = sampleReport();
  report.findings[0]!.evidence[0]!.resource = 'i-``tick`';
  const md = renderMarkdown(report);
  assert.ok(
    md.includes('| ``` i-``tick` ``` |'),
    md.split('\n').find((l) => l.includes('i-`')),
  );
});

test('html: one self-contained file, CSP first, an SVG timeline, no script or handler from the data', () => {
  const page = renderHtml(hostileReport());
  assert.ok(page.startsWith('<!DOCTYPE html>'));
  const csp = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`;
  assert.ok(page.includes(csp), 'CSP meta present');
  assert.ok(page.indexOf(csp) < page.indexOf('<title>'), 'CSP comes before any content');
  assert.match(page, /<svg[^>]*class="timeline"/);
  assert.doesNotMatch(page, /<script/i);
  assert.doesNotMatch(page, /<img/i);
  for (const tag of tags(page)) assert.doesNotMatch(tag, /\s(on\w+|src|href|xlink:href)=/i, tag);
  assert.equal(page.match(/<\/style>/g)?.length, 1, 'only our own stylesheet closes');
  assert.doesNotMatch(page, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
  assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'the payload is shown as text');
});

test('html: the timeline draws windows, accepted and rejected connections, events, and a UTC axis', () => {
  const page = renderHtml(sampleReport());
  const svg = page.slice(page.indexOf('<svg xmlns'), page.indexOf('</svg>', page.indexOf('<svg xmlns')));
  assert.equal(svg.match(/<rect class="window/g)?.length, 4);
  assert.equal(svg.match(/<rect class="window open"/g)?.length, 2, 'the two still-open windows');
  assert.equal(svg.match(/class="conn accepted"/g)?.length, 11);
  assert.equal(svg.match(/class="conn rejected"/g)?.length, 10);
  assert.equal(svg.match(/<line class="event"/g)?.length, 11);
  assert.match(svg, /time \(UTC\)/);
  assert.match(svg, />2024-05-14 09:00</);
});

test('renderReport: json is the contract unchanged; every format renders', () => {
  const report = sampleReport();
  const json = renderReport(report, 'json');
  assert.deepEqual(JSON.parse(json), report);
  assert.equal(json, JSON.stringify(report, null, 2) + '\n');
  for (const format of REPORT_FORMATS) assert.ok(renderReport(report, format).length > 100, format);
  assert.equal(renderReport(report, 'text'), renderText(report, { color: false }));
});

test('an empty report renders in every format', () => {
  const report = sampleReport();
  report.findings = [];
  report.answers = { firstSeen: null, firstRequest: null, firstChange: null, direction: 'none', eventSources: [], credentials: [], sources: [] };
  assert.match(renderReport(report, 'text'), /OUTCOME: nothing found on port 8443/);
  assert.match(renderReport(report, 'md'), /nothing found/);
  assert.match(renderReport(report, 'html'), /Nothing to draw/);
});

/** The sample report with one finding grown to what a noisy trail gives: many rows, parties and windows. */
function longReport() {
  const report = sampleReport();
  const f = report.findings.find((x) => x.decision.action === 'isolate')!;
  const row = f.evidence[0]!;
  f.evidence = Array.from({ length: 40 }, (_, i) => ({ ...row, ts: `2024-05-14T10:${String(i).padStart(2, '0')}:00Z`, source_ref: `event-${i}` }));
  const party = f.sources[0]!;
  f.sources = Array.from({ length: 15 }, (_, i) => ({ ...party, ip: `198.51.100.${i + 1}`, verdict: i < 12 ? 'suspicious' : 'known' }));
  f.windows = Array.from({ length: 20 }, (_, i) => ({
    resource: 'sg-long',
    openedAt: `2024-05-14T11:${String(i).padStart(2, '0')}:00Z`,
    closedAt: i === 9 ? null : `2024-05-14T12:${String(i).padStart(2, '0')}:00Z`,
    rule: 'tcp port 8443 from 0.0.0.0/0',
  }));
  report.answers.sources = f.sources;
  return report;
}

test('text and md show the first and last of a long list and count the rest; --full and json keep everything', () => {
  const report = longReport();
  for (const width of [100, 220]) {
    const text = renderText(report, { color: false, width });
    assert.match(text, /evidence \(40 rows, times on 2024-05-14, 17 shown\)/);
    for (const i of [0, 11, 35, 39]) assert.ok(text.includes(`event-${i}`), `row ${i} shown`);
    for (const i of [12, 20, 34]) assert.ok(!text.includes(`event-${i}\n`) && !text.includes(`event-${i} `), `row ${i} left out`);
    assertOrder(text, ['event-11', '… 23 more rows, 2024-05-14T10:12:00Z → 2024-05-14T10:34:00Z (--full, or --format json | html)', 'event-35']);
    assert.match(text, /… 5 more \(2 suspicious, 3 known; --full/);
    assertOrder(text, ['11:07:00Z', '… 9 more windows, 1 still open', '11:17:00Z']);
    assert.ok(!text.includes('11:08:00Z'));
  }
  const full = renderText(report, { color: false, width: 100, full: true });
  for (let i = 0; i < 40; i++) assert.ok(full.includes(`event-${i}`));
  assert.doesNotMatch(full, /more rows|more windows|more \(/);

  const md = renderMarkdown(report);
  assert.match(md, /Evidence \(40 rows, 17 shown\)/);
  assertOrder(md, ['event-11', '| … |', '23 more rows', 'event-35']);
  assert.match(md, /- … 5 more \(2 suspicious, 3 known; every one: `--full`/);
  assert.match(md, /- … 9 more windows, 1 still open/);
  assert.equal((renderMarkdown(report, { full: true }).match(/event-\d+/g) ?? []).length, 40);
  assert.equal(
    JSON.parse(renderReport(report, 'json')).findings.find((x: { id: string }) => x.id === report.findings.find((f) => f.evidence.length === 40)!.id).evidence
      .length,
    40,
  );
});

test('html: the time axis labels stay clear of the row labels, the right edge and each other, over hours or days', () => {
  const multiDay = longReport();
  const f = multiDay.findings.find((x) => x.evidence.length === 40)!;
  f.evidence.forEach((r, i) => (r.ts = new Date(Date.UTC(2024, 4, 1) + i * 7 * 3600_000).toISOString().replace('.000Z', 'Z')));
  for (const [report, dates] of [
    [sampleReport(), false],
    [multiDay, true],
  ] as const) {
    const page = renderHtml(report);
    const labels = [...page.matchAll(/<text class="tick" x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), text: m[2]! }));
    assert.ok(labels.length >= 3, `${labels.length} labels`);
    const half = (text: string) => (text.length * 6.5) / 2;
    for (const l of labels) assert.ok(l.x - half(l.text) >= 330 && l.x + half(l.text) <= 1120, `${l.text} at ${l.x} fits`);
    labels.slice(1).forEach((l, i) => assert.ok(l.x - half(l.text) >= labels[i]!.x + half(labels[i]!.text), `${labels[i]!.text} and ${l.text} do not overlap`));
    if (dates)
      assert.ok(
        labels.every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l.text)),
        labels.map((l) => l.text).join(', '),
      );
    else assert.match(labels[0]!.text, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  }
});

test('html: each evidence row has its reference and detail on a full-width line under it, not in a column past the scroll', () => {
  const report = sampleReport();
  const page = renderHtml(report);
  const rows = report.findings.reduce((n, f) => n + f.evidence.length, 0);
  assert.equal(page.match(/<tr class="detail"><td colspan="[57]">/g)?.length, rows);
  assert.doesNotMatch(page, /<th>detail<\/th>|<th>source_ref<\/th>/);
  const withDetail = report.findings.flatMap((f) => f.evidence).find((r) => r.detail)!;
  assert.ok(page.includes(`title="${withDetail.source_ref}"`), 'the raw reference stays in the title');
});

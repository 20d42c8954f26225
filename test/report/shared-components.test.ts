import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { DecisionTree } from '../../src/decide/tree-schema.js';
import type { Finding, Report } from '../../src/report/contract.js';
import { DecisionTreeView } from '../../src/report/render/decision-tree.js';
import { renderHtml } from '../../src/report/render/html.js';
import { axisLayout, domainOf, LABEL, PLOT, tickLabelWidth, WIDTH } from '../../src/report/render/timeline.js';
import { Timeline } from '../../src/report/render/timeline-svg.js';
import { HOSTILE, hostileReport, sampleReport } from './fixtures.js';

const leaf = (id: string, action: 'isolate' | 'escalate' | 'ticket' | 'false-positive', label = id) => ({ id, label, action, reasons: [id], verify: 'look' });
const when = { field: 'kind', op: 'eq' as const, value: 'exposure' };

/** A tree the fixtures' isolate and escalate findings' decision paths follow to the leaf. */
function fixtureTree(label = 'Open to the internet?'): DecisionTree {
  return {
    root: 'start',
    nodes: [
      { id: 'start', label, when, then: 'exposure_internet_wide', else: 'attempt' },
      { id: 'exposure_internet_wide', when, then: 'caller_suspicious', else: 'ticket_review_change' },
      { id: 'caller_suspicious', when, then: 'isolate_host', else: 'ticket_review_change' },
      { id: 'attempt', when, then: 'identity_looks_compromised', else: 'false_positive_deployment' },
      { id: 'identity_looks_compromised', when, then: 'escalate_credential_theft', else: 'false_positive_deployment' },
      leaf('isolate_host', 'isolate'),
      leaf('escalate_credential_theft', 'escalate'),
      leaf('ticket_review_change', 'ticket'),
      leaf('false_positive_deployment', 'false-positive'),
    ],
  };
}

/** The tick labels of a page or fragment, with where they are drawn. */
function tickLabels(markup: string): { x: number; text: string }[] {
  return [...markup.matchAll(/<text class="tick" x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), text: m[2]! }));
}

function assertReadableAxis(labels: { x: number; text: string }[], what: string): void {
  assert.ok(labels.length >= 3 && labels.length <= 10, `${what}: ${labels.length} labels`);
  const edges = labels.map((l) => ({ ...l, left: l.x - tickLabelWidth(l.text) / 2, right: l.x + tickLabelWidth(l.text) / 2 }));
  for (const e of edges) assert.ok(e.left >= LABEL && e.right <= WIDTH, `${what}: ${e.text} at ${e.x} inside the plot`);
  edges.slice(1).forEach((e, i) => assert.ok(e.left > edges[i]!.right, `${what}: ${edges[i]!.text} and ${e.text} do not overlap`));
}

/** The sample report with its first finding's rows spread evenly from `from` over `days`. */
function spreadReport(from: string, days: number): Report {
  const report = sampleReport();
  const finding = [...report.findings].sort((a, b) => b.evidence.length - a.evidence.length)[0]!;
  const rows = finding.evidence;
  rows.forEach((r, i) => (r.ts = new Date(Date.parse(from) + (i / Math.max(1, rows.length - 1)) * days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z')));
  report.findings = [finding];
  finding.firstSeen = rows[0]!.ts;
  finding.lastSeen = rows.at(-1)!.ts;
  finding.windows = [];
  return report;
}

test('the static report draws the shared timeline component, unchanged', () => {
  const report = sampleReport();
  const fragment = renderToString(h(Timeline, { findings: report.findings }));
  assert.match(fragment, /^<svg [^>]*data-testid="timeline"/);
  assert.ok(renderHtml(report).includes(fragment), 'the page embeds exactly what the component renders');
});

test('the static report draws each finding decision as the tree, the taken path highlighted', () => {
  const report = sampleReport();
  const tree = fixtureTree();
  const page = renderHtml(report, undefined, tree);
  assert.equal(page.match(/data-testid="decision-tree"/g)?.length, report.findings.length, 'one tree per finding');
  const isolate = page.slice(page.indexOf('<article class="finding" id="finding-1"'), page.indexOf('id="finding-2"'));
  const taken = [...isolate.matchAll(/<li class="node taken[^"]*"><span class="node-box" data-testid="tree-node-taken" title="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(taken, ['start', 'exposure_internet_wide', 'caller_suspicious', 'isolate_host']);
  assert.match(isolate, /<span class="answer yes">yes<\/span>/);
  assert.match(isolate, /<span class="leaf action-isolate">isolate<\/span>/);
  // The branch not taken at the root is folded under its first node, with how much it holds.
  assert.match(isolate, /<details><summary><span class="node-box" title="attempt"><span class="answer no">no<\/span>.*?\(4 more\)<\/summary>/);
  // Without a tree the page is as before: the path as text, no drawing.
  assert.doesNotMatch(renderHtml(report), /data-testid="decision-tree"/);
});

test('the axis stays readable on a 3-day and on a 10-year trail: at most ten labels, none overlapping, sensible units', () => {
  const threeDays = tickLabels(renderHtml(spreadReport('2024-05-12T06:00:00Z', 3)));
  assertReadableAxis(threeDays, '3 days');
  assert.ok(
    threeDays.every((l) => /^\d{4}-\d\d-\d\d( \d\d:\d\d)?$|^\d\d:\d\d$/.test(l.text)),
    threeDays.map((l) => l.text).join(', '),
  );
  const tenYears = tickLabels(renderHtml(spreadReport('2014-03-01T00:00:00Z', 3650)));
  assertReadableAxis(tenYears, '10 years');
  assert.ok(
    tenYears.every((l) => /^\d{4}$/.test(l.text)),
    tenYears.map((l) => l.text).join(', '),
  );
});

test('zoomed into any span, the axis drops labels that would overlap instead of drawing them over each other', () => {
  const [lo, hi] = domainOf(spreadReport('2024-05-12T06:00:00Z', 3).findings)!;
  for (const fraction of [1, 0.5, 0.2, 0.07, 0.01, 0.001]) {
    const end = lo + (hi - lo) * fraction;
    const x = (ms: number) => LABEL + ((ms - lo) / (end - lo)) * PLOT;
    const labels = axisLayout(lo, end, x).filter((t) => t.label !== null);
    assertReadableAxis(
      labels.map((t) => ({ x: t.x, text: t.label! })),
      `zoom ${fraction}`,
    );
  }
});

test('the timeline component leaves out marks outside the span it is given', () => {
  const report = sampleReport();
  const all = renderToString(h(Timeline, { findings: report.findings }));
  const [lo, hi] = domainOf(report.findings)!;
  const half = renderToString(h(Timeline, { findings: report.findings, domain: [lo, lo + (hi - lo) / 2] }));
  const marks = (s: string) => (s.match(/<polygon|<line class="event"/g) ?? []).length;
  assert.ok(marks(half) < marks(all), `${marks(half)} of ${marks(all)} marks in the first half`);
});

test('hostile values in the report and the runbook tree render as text in the static report', () => {
  const report = hostileReport();
  const hostileLink = '[x](javascript:alert(1))';
  const tree = fixtureTree(`${HOSTILE.script} ${hostileLink} ${HOSTILE.bidi}`);
  // The decision paths of the hostile report end in a hostile node id: the drawing stops at the tree's edge.
  const page = renderHtml(report, undefined, tree);
  assert.doesNotMatch(page, /<script/i);
  assert.doesNotMatch(page, /<img/i);
  // No element from the data: no handler, link or source attribute in any tag.
  for (const tag of page.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.doesNotMatch(tag, /\s(on\w+|href|src)=/i, tag);
  assert.ok(!page.includes('\u202e'), 'the bidi override never reaches the page as a character');
  assert.ok(page.includes('user\\u{202e}gpj.exe'), 'it is shown, visibly');
  assert.ok(page.includes('&lt;script>alert(&quot;x&quot;)&lt;/script>') || page.includes('&lt;script&gt;alert('), 'the script tag is text');
  const treeMarkup = renderToString(h(DecisionTreeView, { tree, takenPath: ['start'] }));
  assert.ok(treeMarkup.includes('javascript:alert(1)') && !/href/.test(treeMarkup), 'a javascript: URL is text, never a link');
  assert.ok(treeMarkup.includes('\\u{202e}'));
});

test('a finding with no time draws the empty note, not an axis', () => {
  const finding = { ...sampleReport().findings[0]!, firstSeen: '', lastSeen: '', evidence: [], windows: [] } as Finding;
  assert.match(renderToString(h(Timeline, { findings: [finding] })), /Nothing to draw/);
});

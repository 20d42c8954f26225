// Slow suite: the timeline's axis measured in Debian's Chromium, in the workspace and in the static report.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/render/html.js';
import { sampleReport } from '../report/fixtures.js';
import { buildWeb, cloudTrailLogs, ingestedStore, openWorkspace, runFromPage, skipWithoutChromium, tempDir, type Workspace } from './browser.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';

/**
 * The timeline is readable on a 3-day trail and on a 10-year one: at most ten tick labels whose
 * drawn boxes do not overlap, in units that fit the span. In the workspace (a store of openings
 * over ten years, run once over three days and once over everything) and in the static report
 * (the same component pre-rendered).
 */

const skip = skipWithoutChromium;
let temp: ReturnType<typeof tempDir>;
let workspace: Workspace;

const OPENINGS = [
  { id: 1, time: '2014-06-02T10:00:00Z' },
  { id: 2, time: '2017-01-15T08:30:00Z' },
  { id: 3, time: '2024-05-12T07:00:00Z' },
  { id: 4, time: '2024-05-13T16:45:00Z' },
  { id: 5, time: '2024-05-14T22:10:00Z' },
];

before(async () => {
  if (skip) return;
  temp = tempDir('trailbook-web-timeline-');
  const db = await ingestedStore(temp.dir, [cloudTrailLogs(temp.dir, OPENINGS)]);
  workspace = await openWorkspace({ db, webRoot: buildWeb(temp.dir) });
});

after(async () => {
  await workspace?.close();
  temp?.dispose();
});

interface Label {
  text: string;
  left: number;
  right: number;
}

async function tickLabels(page: Page): Promise<Label[]> {
  return page.locator('[data-testid="timeline-tick"]').evaluateAll((nodes) =>
    nodes.map((n) => {
      const box = n.getBoundingClientRect();
      return { text: n.textContent ?? '', left: box.left, right: box.right };
    }),
  );
}

function assertReadable(labels: Label[], shape: RegExp, what: string): void {
  const texts = labels.map((l) => l.text).join(', ');
  assert.ok(labels.length >= 3 && labels.length <= 10, `${what}: ${labels.length} labels (${texts})`);
  for (const l of labels) assert.match(l.text, shape, `${what}: ${texts}`);
  labels.slice(1).forEach((l, i) => assert.ok(l.left >= labels[i]!.right, `${what}: "${labels[i]!.text}" and "${l.text}" overlap`));
}

const DAYS = /^(\d{4}-\d\d-\d\d( \d\d:\d\d)?|\d\d:\d\d)$/;
const YEARS = /^\d{4}$/;

test('workspace: the axis of a 3-day run and of a 10-year run', { skip }, async () => {
  const { page, problems } = workspace;
  await runFromPage(page, 'port-exposure', { from: '2024-05-12T00:00:00Z', to: '2024-05-15T00:00:00Z' });
  assertReadable(await tickLabels(page), DAYS, '3 days');
  await page.screenshot({ path: join(temp.dir, 'three-days.png') });
  await runFromPage(page, 'port-exposure', { from: '2014-01-01T00:00:00Z', to: '2024-05-15T00:00:00Z' });
  assertReadable(await tickLabels(page), YEARS, '10 years');
  // Narrow windows scale the drawing down: the labels still keep apart.
  await page.setViewportSize({ width: 700, height: 900 });
  assertReadable(await tickLabels(page), YEARS, '10 years, narrow window');
  assert.deepEqual(problems, []);
});

test('static report: the same axis on a 3-day and a 10-year trail', { skip }, async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const [days, shape, what] of [
      [3, DAYS, '3 days'],
      [3650, YEARS, '10 years'],
    ] as const) {
      const report = sampleReport();
      const finding = report.findings.find((f) => f.evidence.length > 3)!;
      finding.evidence.forEach((r, i) => {
        r.ts = new Date(Date.parse('2014-05-12T00:00:00Z') + (i / (finding.evidence.length - 1)) * days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
      });
      report.findings = [{ ...finding, windows: [], firstSeen: finding.evidence[0]!.ts, lastSeen: finding.evidence.at(-1)!.ts }];
      await page.setContent(renderHtml(report));
      assertReadable(await tickLabels(page), shape, `static ${what}`);
    }
  } finally {
    await browser.close();
  }
});

// Slow suite (`npm run test:slow`): starts Debian's Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { renderHtml } from '../../src/report/render/html.js';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../web/chromium.js';
import { hostileReport, sampleReport } from './fixtures.js';

/**
 * The HTML report in a real browser (real Chromium, no mocks). Skipped with a
 * notice where /usr/bin/chromium is absent. The screenshot is kept at $TRAILBOOK_REPORT_PNG when
 * set, for a human to look at the timeline.
 */
const FLAGS = [...CHROMIUM_FLAGS, '--disable-extensions'];
const skip = skipWithoutChromium;

function chromium(args: string[]): string {
  const result = spawnSync(CHROMIUM, [...FLAGS, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('html in Chromium: the hostile report builds no script, image or handler element', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-html-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hostile.html');
  writeFileSync(file, renderHtml(hostileReport()));
  const dom = chromium(['--dump-dom', `file://${file}`]);
  assert.match(dom, /<svg[^>]*class="timeline"/);
  assert.doesNotMatch(dom, /<script/i);
  assert.doesNotMatch(dom, /<img/i);
  for (const tag of dom.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.doesNotMatch(tag, /\son\w+=/i, tag);
  assert.ok(dom.includes('&lt;script&gt;alert("x")&lt;/script&gt;'), 'the payload is text on the page');
});

test('html in Chromium: the sample report renders to a PNG', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-html-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sample.html');
  const png = process.env['TRAILBOOK_REPORT_PNG'] ?? join(dir, 'sample.png');
  writeFileSync(file, renderHtml(sampleReport()));
  chromium([`--screenshot=${png}`, '--window-size=1280,1600', `file://${file}`]);
  assert.ok(statSync(png).size > 20_000, 'a non-trivial screenshot');
});

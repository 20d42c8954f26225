// Slow suite: Debian's Chromium drives the workspace served in process over a store ingested from sample/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { sample } from '../investigate/demo-args.js';
import { buildWeb, ingestedStore, openWorkspace, runFromPage, skipWithoutChromium, tempDir, type Workspace } from './browser.js';

/**
 * The main path of issue 19 on the bundled sample, asserted on the DOM: open the URL with the
 * token, run the port runbook, open the isolate finding and its decision tree, open a raw event,
 * pivot on its source address, zoom and brush the timeline. Screenshots go to a temp folder
 * ($TRAILBOOK_WEB_PNG_DIR keeps them for a person to look at).
 */

const skip = skipWithoutChromium;
let temp: ReturnType<typeof tempDir>;
let workspace: Workspace;

before(async () => {
  if (skip) return;
  temp = tempDir('trailbook-web-');
  const db = await ingestedStore(temp.dir, [sample('cloudtrail'), sample('vpcflow')]);
  workspace = await openWorkspace({ db, webRoot: buildWeb(temp.dir), intel: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });
});

after(async () => {
  await workspace?.close();
  temp?.dispose();
});

const shots = () => process.env['TRAILBOOK_WEB_PNG_DIR'] ?? temp.dir;

/** The visible tick labels of the timeline, text and box. */
async function ticks(page: Page): Promise<{ text: string; left: number; right: number }[]> {
  return page.getByTestId('timeline-tick').evaluateAll((nodes) =>
    nodes.map((n) => {
      const box = n.getBoundingClientRect();
      return { text: n.textContent ?? '', left: box.left, right: box.right };
    }),
  );
}

function assertApart(labels: { text: string; left: number; right: number }[], what: string): void {
  assert.ok(labels.length >= 2 && labels.length <= 10, `${what}: ${labels.length} labels`);
  labels.slice(1).forEach((l, i) => assert.ok(l.left > labels[i]!.right, `${what}: ${labels[i]!.text} and ${l.text} overlap`));
}

test('the main path: run the port runbook, open the isolate finding, a raw event, a pivot, zoom the timeline', { skip }, async () => {
  const { page, problems } = workspace;
  // The token in the address became a cookie and the address lost it.
  await page.waitForURL((url) => !url.search.includes('token'));
  await page.getByTestId('runbook-list').waitFor();
  await page.getByTestId('runbook-port-exposure').click();
  await page.screenshot({ path: join(shots(), 'runbooks.png') });
  assert.equal(await page.getByTestId('param-port').inputValue(), '8443', 'the default is filled in');
  await page.getByTestId('param-to').fill('2024-05-15T00:00:00Z');
  await page.getByTestId('run-button').click();
  await page.waitForURL(/#\/runs\/[^/]+$/);
  await page.getByTestId('answers').waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(shots(), 'report.png'), fullPage: true });
  // The run's steps, as its progress told them, stay on the page once it is done.
  const steps = await page.getByTestId('run-log').locator('li code').allTextContents();
  assert.ok(steps.length >= 3, `steps: ${steps.join(', ')}`);

  // Findings by severity: the first is the isolate one.
  await page.getByTestId('finding-1').click();
  assert.equal(await page.getByTestId('finding-1').getByTestId('finding-action').textContent(), 'isolate');
  const tree = page.getByTestId('decision-tree');
  await tree.waitFor();
  const taken = await tree.getByTestId('tree-node-taken').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('title')));
  assert.ok(taken.length >= 2, `taken: ${taken.join(' → ')}`);
  assert.equal(taken[0], 'hostile-exposure', 'the path starts at the root');
  assert.equal(await tree.locator('li.taken > .node-box .leaf').textContent(), 'isolate', 'one taken leaf: the isolate action');

  // A raw CloudTrail event behind the row of the change that opened the port.
  const row = page.getByTestId('evidence-row').filter({ hasText: 'AuthorizeSecurityGroupIngress' }).first();
  await row.locator('td').first().click();
  const raw = page.getByTestId('raw-record');
  await raw.locator('pre').waitFor();
  assert.match((await raw.locator('pre').textContent()) ?? '', /"eventName": "AuthorizeSecurityGroupIngress"/);

  // From the keyboard: Enter on another row shows that row's record instead.
  const next = page.getByTestId('evidence-row').filter({ hasText: 'RevokeSecurityGroupIngress' }).first();
  await next.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('raw-record').locator('pre', { hasText: '"eventName": "RevokeSecurityGroupIngress"' }).waitFor();
  assert.equal(await page.getByTestId('raw-record').count(), 1, 'one raw record open at a time');

  // Pivot on that row's source address: intel verdict, rows, and the findings it appears in.
  const address = row.locator('button.pivot-address');
  const value = (await address.textContent()) ?? '';
  assert.match(value, /^\d+\.\d+\.\d+\.\d+$/);
  await address.click();
  const panel = page.getByTestId('pivot-panel');
  await panel.getByTestId('pivot-value').waitFor();
  assert.equal(await panel.getByTestId('pivot-value').textContent(), value);
  await panel.locator('h3', { hasText: 'CloudTrail events' }).waitFor();
  assert.match((await panel.textContent()) ?? '', /CloudTrail events \([1-9]/);
  await panel.getByTestId('pivot-intel').waitFor();
  assert.match((await panel.getByTestId('pivot-intel').textContent()) ?? '', /suspicious|known|allowed/);
  await page.screenshot({ path: join(shots(), 'finding-pivot.png'), fullPage: true });
  await page.locator('article.finding.open').screenshot({ path: join(shots(), 'finding.png') });
  // A finding the pivot lists opens in its run's report.
  await panel.getByTestId('pivot-finding').filter({ hasText: 'failed attempts' }).click();
  await page.waitForURL(/#\/runs\/[^/]+\/findings\/[^/]+$/);
  await page.locator('article.finding.open').getByTestId('decision-tree').waitFor();
  assert.equal(await page.locator('article.finding.open').getByTestId('finding-action').textContent(), 'escalate');
  // The evidence's detail column is reached without a horizontal scroll, pivot panel open or not,
  // and in a narrower window.
  for (const width of [1400, 1000]) {
    await page.setViewportSize({ width, height: 1000 });
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - window.innerWidth,
      tables: [...document.querySelectorAll('table.evidence')].map((t) => t.scrollWidth - (t.parentElement?.clientWidth ?? 0)),
    }));
    assert.ok(overflow.page <= 0, `${width}px: the page scrolls sideways by ${overflow.page}px`);
    for (const extra of overflow.tables) assert.ok(extra <= 0, `${width}px: an evidence table is ${extra}px wider than its place`);
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
  await panel.screenshot({ path: join(shots(), 'pivot.png') });

  // A mark on the timeline opens its finding and that row's raw record.
  await page.locator('svg.timeline polygon.conn.clickable').last().click();
  await page
    .getByTestId('raw-record')
    .locator('pre', { hasText: /ACCEPT|REJECT/ })
    .waitFor();
  assert.ok(await page.getByTestId('raw-record').isVisible());

  // Zoom: the labels change and never overlap; then a brush across part of the plot.
  const before = await ticks(page);
  assertApart(before, 'whole span');
  await page.getByTestId('timeline-zoom-in').click();
  const zoomed = await ticks(page);
  assertApart(zoomed, 'zoomed in');
  assert.notDeepEqual(
    zoomed.map((t) => t.text),
    before.map((t) => t.text),
  );
  const brush = await page.getByTestId('timeline-brush').boundingBox();
  assert.ok(brush);
  await page.mouse.move(brush.x + brush.width * 0.2, brush.y + 12);
  await page.mouse.down();
  await page.mouse.move(brush.x + brush.width * 0.4, brush.y + 12, { steps: 5 });
  await page.mouse.up();
  const brushed = await ticks(page);
  assertApart(brushed, 'brushed');
  assert.notDeepEqual(
    brushed.map((t) => t.text),
    zoomed.map((t) => t.text),
  );
  await page.screenshot({ path: join(shots(), 'zoomed.png') });

  // The static report of the run downloads, with the same decision tree drawn.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the HTML report' }).click();
  const html = readFileSync((await (await download).path())!, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /data-testid="tree-node-taken" title="hostile-exposure"/);

  // The run's evidence committed to the repository beside the store, then verified.
  await page.getByTestId('evidence-commit').click();
  await page.getByTestId('evidence-result').waitFor({ timeout: 60_000 });
  assert.match((await page.getByTestId('evidence-result').textContent()) ?? '', /^Committed [0-9a-f]{12} as case /);
  await page.getByTestId('evidence-verify').click();
  await page.getByTestId('evidence-result').filter({ hasText: 'Verify' }).waitFor();
  assert.match((await page.getByTestId('evidence-result').textContent()) ?? '', /^Verify: intact — \S+ \(1 versions?, \d+ files\)/);

  assert.deepEqual(problems, [], 'no dialog, page error, CSP violation or remote request');
  assert.deepEqual(workspace.bugs, []);
});

test('the SQL console runs a query into a table and offers it as CSV', { skip }, async () => {
  const { page, problems } = workspace;
  await page.goto(`${new URL(workspace.server.url).origin}/#/sql`);
  await page.getByTestId('sql-input').fill('SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname ORDER BY n DESC, eventname');
  await page.getByTestId('sql-run').click();
  const result = page.getByTestId('sql-result');
  await result.waitFor();
  assert.match((await result.locator('th').first().textContent()) ?? '', /eventname/);
  assert.ok((await result.locator('tbody tr').count()) > 3);
  const download = page.waitForEvent('download');
  await page.getByTestId('sql-csv').click();
  const file = await download;
  assert.equal(file.suggestedFilename(), 'trailbook-query.csv');
  // A refused statement shows the server's reason.
  await page.getByTestId('sql-input').fill("COPY (SELECT 1) TO '/tmp/x.csv'");
  await page.getByTestId('sql-input').press('Control+Enter');
  await page.locator('.error').waitFor();
  assert.match((await page.locator('.error').textContent()) ?? '', /SQL_REFUSED/);
  assert.deepEqual(
    problems.filter((p) => !/status of 400/.test(p)),
    [],
  );
});

test('a parameter the runbook refuses is shown with its problem, and nothing runs', { skip }, async () => {
  const { page } = workspace;
  await page.goto(`${new URL(workspace.server.url).origin}/#/runbooks/port-exposure`);
  await page.getByTestId('param-port').fill('99999');
  await page.getByTestId('run-button').click();
  const error = page.locator('form.run-form .error');
  await error.waitFor();
  assert.match((await error.locator('li').first().textContent()) ?? '', /^port: \S/, 'the parameter, then its problem');
  assert.match(page.url(), /#\/runbooks\/port-exposure$/, 'still on the form');
});

test('the other bundled runbooks run from the page and their answers render by type', { skip }, async () => {
  const { page, problems } = workspace;
  const before = problems.length;
  for (const runbook of ['credential-compromise', 'logging-tampering']) {
    await runFromPage(page, runbook, { to: '2024-05-15T00:00:00Z' });
    const answers = page.getByTestId('answers');
    assert.ok((await answers.locator('h3').count()) >= 3, `${runbook}: its questions`);
    assert.doesNotMatch((await answers.textContent()) ?? '', /undefined|\[object Object\]|NaN/, `${runbook}: every answer reads`);
    await page.getByTestId('timeline').or(page.locator('.timeline-section .empty')).first().waitFor();
    await page.screenshot({ path: join(shots(), `${runbook}.png`), fullPage: true });
  }
  assert.deepEqual(problems.slice(before), []);
});

// Slow suite: Debian's Chromium on a workspace whose store holds hostile CloudTrail events.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildWeb, cloudTrailLogs, ingestedStore, openWorkspace, runFromPage, skipWithoutChromium, tempDir, type Workspace } from './browser.js';

/**
 * Log fields are attacker-controlled. A store with events whose principal, group id, user agent,
 * rule description and source address carry script tags, handler attributes, `javascript:` URLs
 * and a bidi override: every view the workspace has (report, finding, tree, evidence, raw record,
 * pivot, SQL console) shows them as text. Nothing runs (`window.__xss` stays undefined, no
 * dialog), no element is injected, and the CSP reports no violation.
 */

const HOSTILE = {
  principal: 'arn:aws:iam::111122223333:user/<img src=x onerror="window.__xss=1;alert(1)">',
  group: 'sg-0a1b2c3d<script>window.__xss=2</script>',
  agent: 'javascript:window.__xss=3//<a href="javascript:window.__xss=4">click</a>',
  description: 'office user\u202egpj.exe',
  source: '"><svg onload=window.__xss=5>',
};

const skip = skipWithoutChromium;
let temp: ReturnType<typeof tempDir>;
let workspace: Workspace;

before(async () => {
  if (skip) return;
  temp = tempDir('trailbook-web-hostile-');
  const hostile = { group: HOSTILE.group, principal: HOSTILE.principal, agent: HOSTILE.agent, description: HOSTILE.description };
  const logs = cloudTrailLogs(temp.dir, [
    { id: 1, time: '2024-05-14T09:12:07Z', ...hostile },
    { id: 2, time: '2024-05-14T09:20:00Z', ...hostile, source: HOSTILE.source },
  ]);
  const db = await ingestedStore(temp.dir, [logs]);
  workspace = await openWorkspace({ db, webRoot: buildWeb(temp.dir) });
});

after(async () => {
  await workspace?.close();
  temp?.dispose();
});

test('hostile log values render as text in every view; nothing executes or is injected', { skip }, async () => {
  const { page, problems } = workspace;
  await runFromPage(page, 'port-exposure', { to: '2024-05-15T00:00:00Z' });

  // Every finding opened, with its tree and every evidence row's raw record.
  const findings = await page.locator('button.finding-head').count();
  assert.ok(findings >= 1, 'the hostile change is a finding');
  for (let i = 1; i <= findings; i++) await page.getByTestId(`finding-${i}`).click();
  const rows = page.getByTestId('evidence-row');
  assert.ok((await rows.count()) >= 2);
  await rows.first().locator('td').first().click();
  await page.getByTestId('raw-record').locator('pre').waitFor();
  const raw = (await page.getByTestId('raw-record').locator('pre').textContent()) ?? '';
  assert.ok(raw.includes(HOSTILE.group), 'the raw record shows the group id as written');
  assert.ok(raw.includes('user\\u{202e}gpj.exe'), 'the bidi override is made visible in the raw record');

  // Pivot on the hostile principal.
  await page.locator('button.pivot-principal', { hasText: '<img' }).first().click();
  await page.getByTestId('pivot-panel').locator('h3', { hasText: 'CloudTrail events' }).waitFor();
  assert.equal(await page.getByTestId('pivot-value').textContent(), HOSTILE.principal);

  const text = (await page.locator('body').textContent()) ?? '';
  for (const value of [HOSTILE.principal, HOSTILE.group, HOSTILE.source]) assert.ok(text.includes(value), `${value} is shown as text`);
  assert.ok(!text.includes('\u202e'), 'no bidi override reaches the page as a character');
  await page.screenshot({ path: join(process.env['TRAILBOOK_WEB_PNG_DIR'] ?? temp.dir, 'hostile.png'), fullPage: true });

  // The SQL console shows the same values as cells.
  await page.goto(`${new URL(workspace.server.url).origin}/#/sql`);
  await page.getByTestId('sql-input').fill('SELECT useridentity.arn, useragent, sourceipaddress, requestparameters FROM cloudtrail_logs');
  await page.getByTestId('sql-run').click();
  await page.getByTestId('sql-result').waitFor();
  const cells = (await page.getByTestId('sql-result').textContent()) ?? '';
  assert.ok(cells.includes(HOSTILE.agent) && cells.includes(HOSTILE.source));

  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, 'no payload ran');
  const injected = await page.evaluate(() => ({
    images: document.querySelectorAll('img').length,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href') ?? '').filter((h) => !/^(#\/|\/api\/runs\/)/.test(h)),
    handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)),
  }));
  assert.deepEqual(injected, { images: 0, scripts: ['/app.js'], links: [], handlers: [] });
  assert.deepEqual(problems, [], 'no dialog, page error or CSP violation');
  assert.deepEqual(workspace.bugs, []);
});

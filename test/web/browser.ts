import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type RunningServer, type ServeOptions, startServer } from '../../src/serve/server.js';
import { runInProcess } from '../helpers/in-process.js';
import { CHECKOUT } from '../helpers/corpus.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';

export { skipWithoutChromium } from './chromium.js';

/**
 * What the workspace's browser tests share: Debian's Chromium driven by playwright-core (no
 * browser download), the app built into a temp folder, a store ingested by the real CLI, the
 * server started in process on 127.0.0.1 and a free port, and a page that records every dialog,
 * page error and console error (a CSP violation is a console error).
 */

export function tempDir(prefix: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The workspace built as `npm run build` builds it, into `dir`. */
export function buildWeb(dir: string): string {
  const out = join(dir, 'web');
  const built = spawnSync(process.execPath, [join(CHECKOUT, 'scripts/build-web.mjs'), out], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  return out;
}

/** A store in `dir` with the given log folders ingested by the CLI. */
export async function ingestedStore(dir: string, paths: string[]): Promise<string> {
  const db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', ...paths, '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
  return db;
}

export interface Workspace {
  server: RunningServer;
  browser: Browser;
  page: Page;
  /** Dialogs opened, page errors and console errors seen: a clean run leaves it empty. */
  problems: string[];
  bugs: unknown[];
  close(): Promise<void>;
}

export async function openWorkspace(options: Omit<ServeOptions, 'port'>, viewport = { width: 1400, height: 1000 }): Promise<Workspace> {
  const bugs: unknown[] = [];
  const server = await startServer({ port: 0, onBug: (e) => bugs.push(e), ...options });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  // No request leaves 127.0.0.1: anything else is recorded and refused.
  await page.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      problems.push(`remote request: ${route.request().url()}`);
      return route.abort();
    },
  );
  await page.goto(server.url);
  return {
    server,
    browser,
    page,
    problems,
    bugs,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** What an opening of port 8443 to 0.0.0.0/0 may say differently (hostile values, times, groups). */
export interface Opening {
  id: number;
  time: string;
  group?: string;
  principal?: string;
  source?: string;
  agent?: string;
  description?: string;
}

/** An AuthorizeSecurityGroupIngress that opens tcp 8443 to the internet: one exposure finding of the port runbook. */
export function openingEvent(o: Opening): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDATEST',
      arn: o.principal ?? 'arn:aws:iam::111122223333:user/deploy',
      accountId: '111122223333',
      accessKeyId: 'AKIATEST000000000001',
    },
    eventTime: o.time,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'us-east-1',
    sourceIPAddress: o.source ?? '198.51.100.23',
    userAgent: o.agent ?? 'aws-cli/2.15',
    requestParameters: {
      groupId: o.group ?? `sg-0000000000000000${o.id}`,
      ipPermissions: {
        items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: o.description ?? 'web' }] } }],
      },
    },
    responseElements: { _return: true },
    eventID: `00000000-0000-4000-8000-${String(o.id).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
  };
}

/** A CloudTrail log folder under `dir` with one file of these events; returns the folder to ingest. */
export function cloudTrailLogs(dir: string, events: Opening[]): string {
  const folder = join(dir, 'logs/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, '111122223333_CloudTrail_us-east-1_20240514T0915Z_test.json'), JSON.stringify({ Records: events.map(openingEvent) }));
  return join(dir, 'logs');
}

/** Runs a runbook from the runbooks page and waits for its report. */
export async function runFromPage(page: Page, runbook: string, parameters: Record<string, string>): Promise<void> {
  await page.goto(new URL('/#/runbooks', page.url()).href);
  await page.getByTestId(`runbook-${runbook}`).click();
  const form = page.locator('form.run-form');
  await form.waitFor({ timeout: 5_000 }).catch(async () => assert.fail(`no run form: ${await page.locator('body').textContent()}`));
  for (const [name, value] of Object.entries(parameters)) await page.getByTestId(`param-${name}`).fill(value);
  await page.getByTestId('run-button').click();
  await page.waitForURL(/#\/runs\/[^/]+$/);
  await page.getByTestId('answers').waitFor({ timeout: 60_000 });
}

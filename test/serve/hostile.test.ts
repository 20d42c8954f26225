/**
 * Log fields are the attacker's: a store whose events carry script tags, `javascript:` URLs and
 * bidirectional overrides in userAgent, errorMessage, requestParameters and the caller's name.
 * The API hands them back as JSON strings (exact once parsed; no markup or controls in the raw
 * bytes), and the run's report.html shows them as text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ctEvent, gz, records, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { type Client, serve } from './helpers.js';

const SCRIPT = '<script>alert("ua")</script>';
const JS_URL = 'javascript:alert(document.cookie)';
const BIDI = '\u202eexe.gnp\u202c \u2066x\u2069';
const USER_AGENT = `${SCRIPT} ${JS_URL}`;
const ERROR_MESSAGE = `<img src=x onerror=alert(2)> ${JS_URL} ${BIDI}`;
const CALLER = `arn:aws:iam::111122223333:user/<svg onload=alert(3)>${BIDI}`;
const DESCRIPTION = `<a href="${JS_URL}">click</a> ${BIDI}`;

let dir = '';
let client: Client;

/** An attempt to open 8443 to the world by the hostile caller, with the hostile agent and rule description. */
function openingAttempt(groupId: string, overrides: Record<string, unknown>): Record<string, unknown> {
  return ctEvent({
    eventName: 'AuthorizeSecurityGroupIngress',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAHOSTILE',
      arn: CALLER,
      accountId: '111122223333',
      accessKeyId: 'AKIAHOSTILE000000001',
      userName: CALLER,
    },
    userAgent: USER_AGENT,
    readOnly: false,
    requestParameters: {
      groupId,
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: DESCRIPTION }] } }] },
    },
    ...overrides,
  });
}
const opened = openingAttempt('sg-0hostile', { eventTime: '2024-05-14T09:12:07Z' });
const refused = openingAttempt('sg-0hostile2', {
  eventTime: '2024-05-14T09:13:07Z',
  errorCode: 'Client.UnauthorizedOperation',
  errorMessage: ERROR_MESSAGE,
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-serve-hostile-'));
  writeTree(join(dir, 'logs'), {
    'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14/111122223333_CloudTrail_us-east-1_20240514T0915Z_hostile.json.gz': gz(records(opened, refused)),
  });
  const db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', join(dir, 'logs'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
  client = await serve({ db, webRoot: join(dir, 'no-web') });
});
after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A JSON response's raw text: JSON, no markup or bidi control as bytes; and its parsed value. */
async function rawJson(path: string, init?: RequestInit & { headers?: Record<string, string> }): Promise<unknown> {
  const response = await client.fetch(path, init);
  assert.equal(response.status, 200, path);
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  const text = await response.text();
  assert.doesNotMatch(text, /[<>\u202a-\u202e\u2066-\u2069]/, `${path}: no markup or bidi control in the raw bytes`);
  return JSON.parse(text);
}

test('pivot, record and SQL return the hostile values exactly, as JSON strings', async () => {
  const pivot = (await rawJson(`/api/pivot?kind=principal&value=${encodeURIComponent(CALLER)}`)) as { cloudtrail: { rows: Record<string, unknown>[] } };
  assert.equal(pivot.cloudtrail.rows.length, 2);
  assert.deepEqual(new Set(pivot.cloudtrail.rows.map((r) => r['useragent'])), new Set([USER_AGENT]));

  const record = (await rawJson(`/api/record?ref=${encodeURIComponent(String(refused['eventID']))}`)) as { record: Record<string, unknown>; text: string };
  assert.equal(record.record['errorMessage'], ERROR_MESSAGE);
  assert.equal(record.record['userAgent'], USER_AGENT);
  assert.deepEqual(JSON.parse(record.text), refused);

  const sql = (await rawJson('/api/sql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql: 'SELECT useragent, errormessage, requestparameters FROM cloudtrail_logs ORDER BY eventtime' }),
  })) as { rows: unknown[][] };
  assert.equal(sql.rows[1]![0], USER_AGENT);
  assert.equal(sql.rows[1]![1], ERROR_MESSAGE);
  assert.ok(String(sql.rows[0]![2]).includes(JSON.stringify(DESCRIPTION).slice(1, -1)));
});

test('the run report (JSON) keeps them as strings; report.html shows them as text, never as markup or links', async () => {
  const { id, run } = await client.run('port-exposure', { to: '2024-05-15T00:00:00Z' });
  assert.equal(run['status'], 'done', JSON.stringify(run));
  const report = (await rawJson(`/api/runs/${id}/report`)) as { findings: { evidence: { actor: string | null }[] }[] };
  const actors = report.findings.flatMap((f) => f.evidence.map((e) => e.actor));
  assert.ok(actors.includes(CALLER), 'the hostile caller is an evidence actor, exactly');

  const response = await client.fetch(`/api/runs/${id}/report.html`);
  const html = await response.text();
  // The report draws its own <svg> timeline; what must never appear is the logs' markup as markup.
  for (const tag of [/<script/i, /<img src=x/i, /<svg onload/i, /<a href="javascript/i, /href="?javascript:/i, /src="?javascript:/i])
    assert.doesNotMatch(html, tag);
  assert.doesNotMatch(html, /[\u202a-\u202e\u2066-\u2069]/, 'no bidirectional control reorders the page');
  assert.match(html, /&lt;svg onload=alert\(3\)&gt;/, 'the caller is shown, escaped');
  assert.match(response.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
});

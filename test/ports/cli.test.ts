/**
 * End-to-end: `trailbook exposures` as a user runs it — the built CLI (`npm run build` first) on a
 * store made with `trailbook ingest` of inline fixtures.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORT_EXPOSURE_COLUMNS, PORT_EXPOSURE_WINDOW_COLUMNS } from '../../src/ports/index.js';
import { ctEvent, gz, records, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

const EVIL = '=HYPERLINK("http://evil.example/","click")';
const perm = (ipProtocol: string, fromPort: number, toPort: number, cidrIp: string, description?: string) => ({
  ipProtocol,
  fromPort,
  toPort,
  ipRanges: { items: [{ cidrIp, ...(description ? { description } : {}) }] },
  ipv6Ranges: {},
  prefixListIds: {},
  groups: {},
});
const sg = (eventName: string, eventID: string, eventTime: string, groupId: string, permission: object, extra: Record<string, unknown> = {}) =>
  ctEvent({
    eventName,
    eventID,
    eventTime,
    readOnly: false,
    requestParameters: { groupId, ipPermissions: { items: [permission] } },
    responseElements: { requestId: `r-${eventID}`, _return: true },
    ...extra,
  });

/** Real paths to 8443 (opened, ranged, attempted, closed) and decoys that only contain the digits. */
const EVENTS = [
  sg('AuthorizeSecurityGroupIngress', 'open-8443', '2024-05-01T10:00:00Z', 'sg-0web', perm('tcp', 8443, 8443, '0.0.0.0/0'), { sourceIPAddress: EVIL }),
  sg('AuthorizeSecurityGroupIngress', 'open-range', '2024-05-01T10:05:00Z', 'sg-0range', perm('tcp', 8000, 9000, '203.0.113.0/24')),
  sg('AuthorizeSecurityGroupIngress', 'attempt-8443', '2024-05-01T10:10:00Z', 'sg-0web', perm('tcp', 8443, 8443, '0.0.0.0/0'), {
    errorCode: 'Client.UnauthorizedOperation',
    errorMessage: 'You are not authorized to perform this operation.',
    responseElements: null,
  }),
  sg('RevokeSecurityGroupIngress', 'close-8443', '2024-05-01T11:00:00Z', 'sg-0web', perm('tcp', 8443, 8443, '0.0.0.0/0')),
  // Decoys: each contains "8443" somewhere; none opens port 8443.
  sg('AuthorizeSecurityGroupIngress', 'decoy-443', '2024-05-01T10:20:00Z', 'sg-08443', perm('tcp', 443, 443, '0.0.0.0/0', 'replaces 8443')),
  sg('AuthorizeSecurityGroupIngress', 'decoy-18443', '2024-05-01T10:21:00Z', 'sg-0aaa', perm('tcp', 18443, 18443, '0.0.0.0/0')),
  sg('AuthorizeSecurityGroupIngress', 'decoy-8444', '2024-05-01T10:22:00Z', 'sg-0aaa', perm('tcp', 8444, 9000, '0.0.0.0/0')),
  ctEvent({
    eventName: 'StartInstances',
    eventID: 'decoy-instance',
    eventTime: '2024-05-01T10:23:00Z',
    requestParameters: { instancesSet: { items: [{ instanceId: 'i-0ab8443cd' }] } },
  }),
  ctEvent({
    eventName: 'CreateBucket',
    eventID: 'decoy-bucket',
    eventSource: 's3.amazonaws.com',
    eventTime: '2024-05-01T10:24:00Z',
    requestParameters: { bucketName: 'logs-8443' },
  }),
];
const REAL = ['attempt-8443', 'close-8443', 'open-8443', 'open-range'];

let dir = '';
let db = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-exposures-cli-'));
  db = join(dir, 'store.duckdb');
  writeTree(join(dir, 'logs'), {
    'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1105Z_abcdefghijklmnop.json.gz': gz(records(...EVENTS)),
  });
  const ingest = await runInProcess(['ingest', join(dir, 'logs'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
  assert.equal(JSON.parse(ingest.stdout).events.inserted, EVENTS.length);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const exposures = async (...args: string[]) => await runInProcess(['exposures', '--db', db, ...args]);

test('exposures --format json: every change on 8443 with its evidence, no decoy', async () => {
  const r = await exposures('--port', '8443', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.deepEqual(rows.map((row) => row['event_id']).sort(), REAL);
  assert.deepEqual(
    Object.keys(rows[0]!),
    PORT_EXPOSURE_COLUMNS.map(([c]) => c),
  );
  const byId = new Map(rows.map((row) => [row['event_id'], row]));
  assert.deepEqual(
    { ...byId.get('open-8443') },
    {
      ...byId.get('open-8443'),
      action: 'open',
      resource: 'sg-0web',
      direction: 'ingress',
      protocol: 'tcp',
      from_port: 8443,
      to_port: 8443,
      peer_kind: 'cidr',
      peer: '0.0.0.0/0',
      internet_exposed: true,
      actor: 'arn:aws:iam::111122223333:user/alice',
      access_key_id: 'AKIAEXAMPLEKEY000001',
      source_ip: EVIL,
      event_source: 'ec2.amazonaws.com',
      event_name: 'AuthorizeSecurityGroupIngress',
    },
  );
  assert.equal(byId.get('open-range')!['from_port'], 8000);
  assert.equal(byId.get('open-range')!['internet_exposed'], false); // 203.0.113.0/24 is documentation space
  assert.equal(byId.get('attempt-8443')!['action'], 'attempt');
  assert.equal(byId.get('attempt-8443')!['internet_exposed'], false);
  assert.equal(byId.get('attempt-8443')!['error_code'], 'Client.UnauthorizedOperation');
  assert.equal(byId.get('close-8443')!['action'], 'close');
  assert.ok(!r.stdout.includes('decoy'), 'no decoy in the output');
});

test('exposures (table): one line per change, decoys absent, row count', async () => {
  const r = await exposures('--port', '8443');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^event_id\s+event_time\s+action\s+resource/);
  assert.equal(lines.at(-1), '(4 rows)');
  for (const id of REAL) assert.ok(r.stdout.includes(id), `${id} listed`);
  assert.ok(!/decoy|sg-08443|18443|8444/.test(r.stdout), 'no decoy in the table');
});

test('exposures --format csv: stable header, formula injection defused', async () => {
  const r = await exposures('--port', '8443', '--format', 'csv');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\r\n');
  assert.equal(lines[0], PORT_EXPOSURE_COLUMNS.map(([c]) => c).join(','));
  assert.equal(lines.filter(Boolean).length, 1 + REAL.length);
  const open = lines.find((line) => line.startsWith('open-8443,'))!;
  // The source IP a caller controls is prefixed with a quote, so a spreadsheet reads text, not a formula.
  assert.ok(open.includes(`"'=HYPERLINK(""http://evil.example/"",""click"")"`), open);
  assert.ok(!/(^|,)"?=/.test(open), 'no field starts with =');
  assert.ok(!r.stdout.includes('decoy'));
});

test('exposures --windows: an open joined to its close, and one still open', async () => {
  const r = await exposures('--port', '8443', '--windows', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const windows = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.deepEqual(
    Object.keys(windows[0]!),
    PORT_EXPOSURE_WINDOW_COLUMNS.map(([c]) => c),
  );
  assert.deepEqual(
    windows.map((w) => [w['resource'], w['opened_by_event'], w['closed_by_event'], w['state'], w['closed_how']]),
    [
      ['sg-0web', 'open-8443', 'close-8443', 'closed', 'same-rule'],
      ['sg-0range', 'open-range', null, 'open', null],
    ],
  );
  assert.equal(windows[0]!['internet_exposed'], true);
  const table = await exposures('--port', '8443', '--windows');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^resource\s+resource_type\s+direction/);
  assert.match(table.stdout, /\(2 rows\)\n$/);
});

test('exposures --from: changes inside the range, windows overlapping it (an earlier open still counts)', async () => {
  const r = await exposures('--port', '8443', '--from', '2024-05-01T10:30:00Z', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    (JSON.parse(r.stdout) as Record<string, unknown>[]).map((row) => row['event_id']),
    ['close-8443'],
  );
  const w = await exposures('--port', '8443', '--from', '2024-05-01T10:30:00Z', '--windows', '--format', 'json');
  assert.deepEqual(
    (JSON.parse(w.stdout) as Record<string, unknown>[]).map((row) => row['opened_by_event']),
    ['open-8443', 'open-range'],
  );
});

test('exposures without --port lists every change, decoy ports included; the result is stored as port_exposures', async () => {
  const all = await exposures('--format', 'json');
  assert.equal(all.status, 0, all.stderr);
  const ids = (JSON.parse(all.stdout) as Record<string, unknown>[]).map((row) => row['event_id']);
  // Rules on other ports are changes too; ids and names that merely contain 8443 never are.
  assert.ok(ids.includes('decoy-18443') && ids.includes('decoy-443'));
  assert.ok(!ids.includes('decoy-instance') && !ids.includes('decoy-bucket'));
  await exposures('--port', '8443');
  const sql = await runInProcess(['sql', '--db', db, '--format', 'json', 'SELECT event_id FROM port_exposures ORDER BY event_id']);
  assert.equal(sql.status, 0, sql.stderr);
  assert.deepEqual(
    (JSON.parse(sql.stdout) as Record<string, unknown>[]).map((row) => row['event_id']),
    REAL,
  );
});

test('exposures: usage errors exit 2, a missing store exits 3 like `trailbook sql`', async () => {
  for (const port of ['99999', '-1', '84.43', 'https']) {
    const r = await exposures('--port', port);
    assert.equal(r.status, 2, `--port ${port}: ${r.stderr}`);
    assert.match(r.stderr, /is not a port/);
    assert.equal(r.stdout, '');
  }
  assert.equal((await exposures('--format', 'xml')).status, 2);
  assert.equal((await exposures('--from', 'yesterday')).status, 2);

  const missing = join(dir, 'nowhere', 'store.duckdb');
  const r = await runInProcess(['exposures', '--port', '8443', '--db', missing]);
  const sql = await runInProcess(['sql', '--db', missing, 'SELECT 1']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.status, sql.status);
  assert.match(r.stderr, new RegExp(`no store at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(r.stderr, /trailbook ingest/);
  assert.equal(r.stderr, sql.stderr);
  assert.equal(r.stdout, '');
});

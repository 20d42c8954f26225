/**
 * End-to-end: `trailbook flows --overlay` — the built CLI (`npm run build` first) on a store made
 * with `trailbook ingest` of CloudTrail and VPC Flow Logs fixtures in the S3 layout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOWS_COLUMNS, OVERLAY_COLUMNS } from '../../src/cli/commands/flows.js';
import { ctEvent, gz, records, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

/*
 * One web server 10.0.0.5 on eni-0web, one API server 10.0.0.9 on eni-0api (a single peer, so its
 * own address cannot be inferred from the records: --interface-address tells it). CloudTrail:
 * 14:00 sg-0web opens tcp 8443 to the internet, 14:05 an egress rule to 203.0.113.0/24 on 8443,
 * 15:00 the ingress rule is revoked; a decoy rule on 18443. Flows (default v2, no flow-direction):
 * - 13:00 192.0.2.66 → web:8443 REJECT                 (before any exposure: rejected-without-exposure)
 * - 13:30 198.51.100.20 → api:8443 ACCEPT + reply       (accepted-before-exposure: the group opened at 14:00)
 * - 14:10 198.51.100.7 → web:8443 ACCEPT + reply        (inside the ingress window…)
 * - 14:12 192.0.2.99 → web:8443 REJECT                 (…but a peer the 0.0.0.0/0 rule admits is rejected on
 *                                                       web: the rule does not front it, so neither is credited)
 * - 14:20 web → 203.0.113.9:8443 ACCEPT + reply         (outbound: inside the egress window only)
 * - 15:30 203.0.113.77 → web:8443 ACCEPT + reply        (after the revoke: accepted-without-exposure)
 * - port 22 and 18443 traffic that must not show.
 */
const perm = (fromPort: number, toPort: number, cidrIp: string) => ({
  ipProtocol: 'tcp',
  fromPort,
  toPort,
  ipRanges: { items: [{ cidrIp }] },
  ipv6Ranges: {},
  prefixListIds: {},
  groups: {},
});
const sg = (eventName: string, eventID: string, hhmm: string, permission: object) =>
  ctEvent({
    eventName,
    eventID,
    eventTime: `2024-05-01T${hhmm}:00Z`,
    readOnly: false,
    requestParameters: { groupId: 'sg-0web', ipPermissions: { items: [permission] } },
    responseElements: { requestId: `r-${eventID}`, _return: true },
  });
const CLOUDTRAIL = [
  sg('AuthorizeSecurityGroupIngress', 'open-ingress', '14:00', perm(8443, 8443, '0.0.0.0/0')),
  sg('AuthorizeSecurityGroupEgress', 'open-egress', '14:05', perm(8443, 8443, '203.0.113.0/24')),
  sg('RevokeSecurityGroupIngress', 'close-ingress', '15:00', perm(8443, 8443, '0.0.0.0/0')),
  sg('AuthorizeSecurityGroupIngress', 'decoy-18443', '14:01', perm(18443, 18443, '0.0.0.0/0')),
];

const T = (hhmm: string) => Date.parse(`2024-05-01T${hhmm}:00Z`) / 1000;
const rec = (eni: string, src: string, dst: string, sport: number, dport: number, at: string, action = 'ACCEPT', bytes = 100) =>
  `2 111122223333 ${eni} ${src} ${dst} ${sport} ${dport} 6 2 ${bytes} ${T(at)} ${T(at) + 60} ${action} OK`;
const FLOWS = [
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  rec('eni-0web', '192.0.2.66', '10.0.0.5', 61000, 8443, '13:00', 'REJECT', 44),
  rec('eni-0api', '198.51.100.20', '10.0.0.9', 51000, 8443, '13:30', 'ACCEPT', 300),
  rec('eni-0api', '10.0.0.9', '198.51.100.20', 8443, 51000, '13:30', 'ACCEPT', 700),
  rec('eni-0web', '198.51.100.7', '10.0.0.5', 50000, 8443, '14:10', 'ACCEPT', 500),
  rec('eni-0web', '10.0.0.5', '198.51.100.7', 8443, 50000, '14:10', 'ACCEPT', 9000),
  rec('eni-0web', '192.0.2.99', '10.0.0.5', 62000, 8443, '14:12', 'REJECT', 44),
  rec('eni-0web', '10.0.0.5', '203.0.113.9', 40000, 8443, '14:20'),
  rec('eni-0web', '203.0.113.9', '10.0.0.5', 8443, 40000, '14:20'),
  rec('eni-0web', '203.0.113.77', '10.0.0.5', 52000, 8443, '15:30'),
  rec('eni-0web', '10.0.0.5', '203.0.113.77', 8443, 52000, '15:30'),
  rec('eni-0web', '198.51.100.7', '10.0.0.5', 50001, 22, '14:00'),
  rec('eni-0web', '198.51.100.7', '10.0.0.5', 50002, 18443, '14:30'),
];

let dir = '';
let db = '';
let flowsOnly = '';

async function ingest(paths: string[], store: string): Promise<void> {
  const r = await runInProcess(['ingest', ...paths, '--db', store, '--no-progress', '--json']);
  assert.equal(r.status, 0, r.stderr);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-flows-overlay-'));
  writeTree(join(dir, 'logs'), {
    'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1505Z_abcdefghijklmnop.json.gz': gz(
      records(...CLOUDTRAIL),
    ),
    'AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/01/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20240501T1300Z_0a1b2c3d.log.gz': gz(
      FLOWS.join('\n') + '\n',
    ),
  });
  db = join(dir, 'store.duckdb');
  await ingest([join(dir, 'logs')], db);
  flowsOnly = join(dir, 'flows-only.duckdb');
  await ingest([join(dir, 'logs', 'AWSLogs', '111122223333', 'vpcflowlogs')], flowsOnly);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const flows = async (...args: string[]) => await runInProcess(['flows', '--db', db, ...args]);
const API = ['--interface-address', 'eni-0api=10.0.0.9'];

interface Doc {
  schema: string;
  port: number;
  windows: (Record<string, unknown> & { connections: Record<string, unknown>[]; peers: string[] })[];
  unexposed: Record<string, unknown>[];
}

test('flows --overlay --format json: per window the connections inside it, then the unexposed ones with reasons', async () => {
  const r = await flows('--overlay', '--format', 'json', ...API);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.equal(doc.schema, 'trailbook.flows-overlay/v1');
  assert.equal(doc.port, 8443);
  assert.deepEqual(
    doc.windows.map((w) => [w['resource'], w['direction'], w['opened_by_event'], w['closed_by_event'], w['state']]),
    [
      ['sg-0web', 'ingress', 'open-ingress', 'close-ingress', 'closed'],
      ['sg-0web', 'egress', 'open-egress', null, 'open'],
    ],
  );
  const [ingress, egress] = doc.windows;
  // The REJECT at 14:12 of a peer the ingress rule admits contradicts that rule fronting eni-0web
  // (docs/vpc-flow-logs.md, "Attribution"): nothing on web is credited to it. The outbound call is
  // credited to the egress rule only.
  assert.deepEqual(ingress!.connections, []);
  assert.deepEqual(
    egress!.connections.map((c) => [c['direction'], c['remote_address'], c['remote_port']]),
    [['outbound', '203.0.113.9', 8443]],
  );
  assert.deepEqual(Object.keys(egress!.connections[0]!), [...FLOWS_COLUMNS]);

  assert.deepEqual(
    doc.unexposed.map((u) => [u['reason'], u['first_seen'], u['interface_id'], u['remote_address']]),
    [
      ['rejected-without-exposure', '2024-05-01T13:00:00Z', 'eni-0web', '192.0.2.66'],
      ['accepted-before-exposure', '2024-05-01T13:30:00Z', 'eni-0api', '198.51.100.20'],
      ['contradicted-exposure', '2024-05-01T14:10:00Z', 'eni-0web', '198.51.100.7'],
      ['contradicted-exposure', '2024-05-01T14:12:00Z', 'eni-0web', '192.0.2.99'],
      ['accepted-without-exposure', '2024-05-01T15:30:00Z', 'eni-0web', '203.0.113.77'],
    ],
  );
  assert.match(String(doc.unexposed[1]!['explanation']), /opened 2024-05-01T14:00:00Z, event open-ingress/);
  assert.equal(
    doc.unexposed[2]!['explanation'],
    'not credited to an open rule: a REJECT of 192.0.2.99 on 8443 at 2024-05-01T14:12:00Z although sg-0web admits 0.0.0.0/0 (event open-ingress): the rule does not front eni-0web, or a network ACL blocks it',
  );
  assert.match(String(doc.unexposed[4]!['explanation']), /older than the logs|CloudTrail cannot see/);
  // Decoys: the 18443 rule is no window, the port 22 / 18443 traffic no connection.
  assert.ok(!/decoy|18443/.test(r.stdout));
  assert.ok(!doc.unexposed.some((u) => u['local_port'] === 22));
});

test('flows --interface-address: the interface address decides the direction where inference cannot', async () => {
  const api = async (args: string[]) =>
    (JSON.parse((await flows('--format', 'json', ...args)).stdout) as Record<string, unknown>[]).find((c) => c['interface_id'] === 'eni-0api')!;
  const without = await api([]);
  // One peer only (both addresses in every record): only the private side tells the interface, a weaker basis than the flag.
  assert.equal(without['direction'], 'inbound');
  assert.equal(without['direction_basis'], 'private-address');
  const withFlag = await api(API);
  assert.equal(withFlag['direction'], 'inbound');
  assert.equal(withFlag['direction_basis'], 'interface-address');
  assert.equal(withFlag['remote_address'], '198.51.100.20');
  assert.equal(withFlag['local_address'], '10.0.0.9');
  // Several addresses, comma-separated, and the flag repeated.
  const both = await api(['--interface-address', 'eni-0api=10.0.0.99,10.0.0.9', 'eni-0web=10.0.0.5']);
  assert.equal(both['direction_basis'], 'interface-address');

  for (const bad of ['eni-0api', '=10.0.0.9', 'eni-0api=', 'eni-0api=10.0.0.300', 'eni-0api=10.0.0.0/24']) {
    const r = await flows('--interface-address', bad);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--interface-address/);
  }
  for (const bad of ['010.0.0.0/16', '10.0.0.0/33', 'vpc']) {
    const r = await flows('--vpc-cidr', bad);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--vpc-cidr/);
  }
});

test('flows --overlay (table): window headings, connection tables, reasons spelled out', async () => {
  const r = await flows('--overlay', ...API);
  assert.equal(r.status, 0, r.stderr);
  const text = r.stdout;
  assert.match(text, /^Exposure windows on port 8443: 2\n/);
  assert.match(
    text,
    /Window 1 of 2: sg-0web ingress tcp port 8443 from 0\.0\.0\.0\/0 \(internet-exposed\)\n {2}opened 2024-05-01T14:00:00Z by arn:aws:iam::111122223333:user\/alice \(event open-ingress\); closed 2024-05-01T15:00:00Z \(event close-ingress\)\n {2}no connections inside this window\n/,
  );
  assert.match(text, /Window 2 of 2: sg-0web egress tcp port 8443 to 203\.0\.113\.0\/24\n {2}opened .* still open\n {2}1 connection: 1 accepted/);
  assert.match(text, /Connections with no exposure window: 5\nreason\s+first_seen/);
  assert.match(text, /\ncontradicted-exposure: not credited to an open rule: a REJECT of 192\.0\.2\.99/);
  assert.match(text, /\nrejected-without-exposure: rejected on port 8443 with no exposure window/);
  assert.match(text, /\naccepted-before-exposure: accepted on port 8443 before the first recorded exposure/);
  assert.match(text, /\naccepted-without-exposure: accepted on port 8443 with no exposure in CloudTrail/);
  assert.ok(!/decoy|18443/.test(text));
});

test('flows --overlay --format csv: one flat row per (window, connection) and per unexposed connection', async () => {
  const r = await flows('--overlay', '--format', 'csv', ...API);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\r\n').filter(Boolean);
  assert.equal(lines[0], OVERLAY_COLUMNS.join(','));
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(',')[0]),
    [
      'no-connections',
      'in-window',
      'rejected-without-exposure',
      'accepted-before-exposure',
      'contradicted-exposure',
      'contradicted-exposure',
      'accepted-without-exposure',
    ],
  );
  const nd = await flows('--overlay', '--format', 'ndjson', ...API);
  const rows = nd.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(rows[0]!), [...OVERLAY_COLUMNS]);
  assert.equal(rows[1]!['exposure_direction'], 'egress');
  assert.equal(rows[1]!['exposure_opened_by_event'], 'open-egress');
  assert.equal(rows[3]!['exposure_resource'], null);
});

test('flows --overlay --from/--to: an exposure opened before --from and still open covers the later connections', async () => {
  const r = await flows('--overlay', '--format', 'json', '--from', '2024-05-01T14:15:00Z', '--to', '2024-05-01T16:00:00Z', ...API);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.deepEqual(
    doc.windows.map((w) => [w['opened_by_event'], w.connections.length]),
    [
      ['open-ingress', 0],
      ['open-egress', 1],
    ],
  );
  assert.deepEqual(
    doc.unexposed.map((u) => u['reason']),
    ['accepted-without-exposure'],
  );
});

test('flows --overlay on a store without CloudTrail: every connection is reported as unexposed', async () => {
  const r = await runInProcess(['flows', '--db', flowsOnly, '--overlay', ...API]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Exposure windows on port 8443: 0 \(none in CloudTrail\)\n/);
  assert.match(r.stdout, /Connections with no exposure window: 6\n/);
});

test('flows without --overlay keeps its stable output; bad flags and a missing store fail like the other commands', async () => {
  const r = await flows('--format', 'csv', ...API);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\r\n')[0], FLOWS_COLUMNS.join(','));
  assert.equal((await flows('--overlay', '--port', '99999')).status, 2);
  const missing = await runInProcess(['flows', '--overlay', '--db', join(dir, 'none.duckdb')]);
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /no store at/);
});

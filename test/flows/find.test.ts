import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DuckDBEngine } from '../../src/local-store.js';
import { TrailbookError } from '../../src/errors.js';
import { findConnections, overlayConnections, type ExposureWindowLike } from '../../src/flows/index.js';
import { ingestFlowLogFile } from '../../src/ingest/vpcflow/index.js';
import { register, FLOWS_COLUMNS } from '../../src/cli/commands/flows.js';

/**
 * A default-v2 fixture (no flow-direction, no tcp-flags) around one web server 10.0.0.5 on
 * eni-0web, port 8443:
 * - 13:00 a scanner 192.0.2.66 is rejected (before any exposure);
 * - 14:10 a client 198.51.100.7 connects in (request + reply);
 * - 14:20 the server itself calls out to 203.0.113.9:8443 (request + reply);
 * - 15:30 203.0.113.77 connects in after the exposure was closed;
 * - other traffic on port 22 and 443 that must not show.
 */
const T = (hhmm: string) => Date.parse(`2024-05-01T${hhmm}:00Z`) / 1000;
const rec = (src: string, dst: string, sport: number, dport: number, at: string, action = 'ACCEPT', bytes = 100) =>
  `2 123456789012 eni-0web ${src} ${dst} ${sport} ${dport} 6 2 ${bytes} ${T(at)} ${T(at) + 60} ${action} OK`;
const LINES = [
  rec('192.0.2.66', '10.0.0.5', 61000, 8443, '13:00', 'REJECT', 44),
  rec('198.51.100.7', '10.0.0.5', 50000, 8443, '14:10', 'ACCEPT', 500),
  rec('10.0.0.5', '198.51.100.7', 8443, 50000, '14:10', 'ACCEPT', 9000),
  rec('10.0.0.5', '203.0.113.9', 40000, 8443, '14:20'),
  rec('203.0.113.9', '10.0.0.5', 8443, 40000, '14:20'),
  rec('203.0.113.77', '10.0.0.5', 52000, 8443, '15:30'),
  rec('10.0.0.5', '203.0.113.77', 8443, 52000, '15:30'),
  rec('198.51.100.7', '10.0.0.5', 50001, 22, '14:00'),
  rec('10.0.0.5', '198.51.100.7', 443, 50002, '14:00'),
  '2 123456789012 eni-0web - - - - - - - 1714572000 1714572060 - NODATA',
];

async function store(): Promise<{ engine: DuckDBEngine; db: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-flows-'));
  const file = join(dir, 'flows.log');
  writeFileSync(file, LINES.join('\n') + '\n');
  const db = join(dir, 'store.duckdb');
  const engine = await DuckDBEngine.open({ path: db });
  const result = await ingestFlowLogFile(engine, file);
  assert.equal(result.stats.records, 9);
  return { engine, db };
}

test('findConnections: port narrowing in SQL, direction inferred from the interface address, reply traffic folded in', async () => {
  const { engine } = await store();
  try {
    const cs = await findConnections(engine, { port: 8443 });
    assert.deepEqual(
      cs.map((c) => [c.firstSeen, c.direction, c.remoteAddress, c.action]),
      [
        ['2024-05-01T13:00:00Z', 'inbound', '192.0.2.66', 'REJECT'],
        ['2024-05-01T14:10:00Z', 'inbound', '198.51.100.7', 'ACCEPT'],
        ['2024-05-01T14:20:00Z', 'outbound', '203.0.113.9', 'ACCEPT'],
        ['2024-05-01T15:30:00Z', 'inbound', '203.0.113.77', 'ACCEPT'],
      ],
    );
    assert.ok(cs.every((c) => c.directionBasis === 'inferred-interface-address'));
    assert.ok(
      cs.every((c) => c.handshake === 'unknown'),
      'v2 has no tcp-flags',
    );
    assert.equal(cs[1]!.bytes, 9500);

    const window = await findConnections(engine, { port: 8443, from: '2024-05-01T14:00:00Z', to: '2024-05-01T15:00:00Z' });
    assert.equal(window.length, 2);
    const none = await findConnections(engine, { port: 8444 });
    assert.equal(none.length, 0);
    const ssh = await findConnections(engine, { port: 22, inferAddresses: false, vpcCidrs: ['10.0.0.0/16'] });
    assert.deepEqual(
      ssh.map((c) => [c.direction, c.directionBasis]),
      [['inbound', 'vpc-cidr']],
    );

    await assert.rejects(findConnections(engine, { port: 70000 }), (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE');
    await assert.rejects(findConnections(engine, { port: 8443, from: 'yesterday' }), (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE');
  } finally {
    await engine.close();
  }
});

test('overlay: connections per exposure window, and those no window covers, with the reason', async () => {
  const { engine } = await store();
  try {
    const cs = await findConnections(engine, { port: 8443 });
    const windows: ExposureWindowLike[] = [
      {
        resource: 'sg-0web',
        direction: 'inbound',
        openedAt: '2024-05-01T14:00:00Z',
        closedAt: '2024-05-01T15:00:00Z',
        eventId: 'ev-open',
        fromPort: 8000,
        toPort: 9000,
        protocol: 'tcp',
      },
      {
        resource: 'sg-0web',
        direction: 'outbound',
        openedAt: '2024-05-01T00:00:00Z',
        closedAt: null,
        eventId: 'ev-egress',
        fromPort: null,
        toPort: null,
        protocol: '-1',
      },
      { resource: 'eni-0other', direction: 'inbound', openedAt: '2024-05-01T00:00:00Z', closedAt: null, eventId: 'ev-other', fromPort: 8443, toPort: 8443 },
    ];
    const overlay = overlayConnections(cs, windows);
    const [open, egress, other] = overlay.windows;
    assert.deepEqual(
      open!.connections.map((c) => c.remoteAddress),
      ['198.51.100.7'],
    );
    assert.equal(open!.accepted, 1);
    assert.deepEqual(open!.peers, ['198.51.100.7']);
    assert.deepEqual(
      egress!.connections.map((c) => c.remoteAddress),
      ['203.0.113.9'],
    );
    assert.equal(other!.connections.length, 0, 'a window on another interface covers nothing here');

    assert.deepEqual(
      overlay.unexposed.map((u) => [u.connection.remoteAddress, u.reason]),
      [
        ['192.0.2.66', 'rejected-without-exposure'],
        ['203.0.113.77', 'accepted-without-exposure'],
      ],
    );
    assert.match(overlay.unexposed[1]!.explanation, /older than the logs|cannot see/);

    // An accepted connection before the window opened: the path existed before CloudTrail shows it.
    const early = overlayConnections(cs, [{ ...windows[0]!, openedAt: '2024-05-01T14:15:00Z', closedAt: null }]);
    const before = early.unexposed.find((u) => u.connection.remoteAddress === '198.51.100.7');
    assert.equal(before?.reason, 'accepted-before-exposure');
    assert.match(before!.explanation, /ev-open/);
    assert.deepEqual(
      early.windows[0]!.connections.map((c) => c.remoteAddress),
      ['203.0.113.77'],
    );

    // No windows at all: every connection is reported as unexposed.
    assert.equal(overlayConnections(cs, []).unexposed.length, cs.length);
  } finally {
    await engine.close();
  }
});

test('trailbook flows prints the connections (json and table) from the store', async () => {
  const { engine, db } = await store();
  await engine.close();
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'trailbook', 'flows', '--port', '8443', '--db', db, '--format', 'json', '--from', '2024-05-01T14:00:00Z']);
    const rows = JSON.parse(out.join('')) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(rows[0]!), [...FLOWS_COLUMNS]);
    assert.deepEqual(
      rows.map((r) => [r['direction'], r['remote_address'], r['server']]),
      [
        ['inbound', '198.51.100.7', '10.0.0.5:8443'],
        ['outbound', '203.0.113.9', '203.0.113.9:8443'],
        ['inbound', '203.0.113.77', '10.0.0.5:8443'],
      ],
    );
    out.length = 0;
    const table = new Command().exitOverride();
    register(table);
    await table.parseAsync(['node', 'trailbook', 'flows', '--db', db, '--vpc-cidr', '10.0.0.0/16']);
    assert.match(out.join(''), /\(4 rows\)/);
  } finally {
    process.stdout.write = write;
  }
  const bad = new Command().exitOverride();
  register(bad);
  await assert.rejects(
    bad.parseAsync(['node', 'trailbook', 'flows', '--db', join(tmpdir(), 'no-such-store.duckdb')]),
    (e: unknown) => e instanceof TrailbookError && e.code === 'INPUT',
  );
});

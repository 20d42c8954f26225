import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { DuckDBEngine } from '../../src/local-store.js';
import { findConnections } from '../../src/flows/index.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { ingestFlowLogFile } from '../../src/ingest/vpcflow/index.js';
import { DEFAULT_PORT_PROTOCOL, findExposures, protocolAnswers } from '../../src/ports/index.js';
import { records, tempDir, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { event } from './records.js';

const rule = (groupId: string, ipProtocol: string, port: number | null) =>
  event('AuthorizeSecurityGroupIngress', {
    groupId,
    ipPermissions: { items: [{ ipProtocol, ...(port === null ? {} : { fromPort: port, toPort: port }), ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
  });

test('protocolAnswers: all-traffic answers every question, a transport only its own, any takes every protocol with ports', () => {
  assert.equal(DEFAULT_PORT_PROTOCOL, 'tcp');
  assert.deepEqual(
    ['tcp', 'udp', 'all', 'sctp', null].map((p) => protocolAnswers(p, 'tcp')),
    [true, false, true, false, false],
  );
  assert.deepEqual(
    ['tcp', 'udp', 'all', 'sctp'].map((p) => protocolAnswers(p, 'udp')),
    [false, true, true, false],
  );
  assert.deepEqual(
    ['tcp', 'udp', 'all', 'sctp'].map((p) => protocolAnswers(p, 'any')),
    [true, true, true, true],
  );
});

test('a UDP rule does not answer a TCP question (the default); udp and any ask for it', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'ct.json': records(rule('sg-0udp', 'udp', 8443), rule('sg-0tcp', 'tcp', 8443), rule('sg-0all', '-1', null)) });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  await ingestPaths(engine, [dir]);
  const groups = async (protocol?: 'tcp' | 'udp' | 'any') => {
    const result = await findExposures(engine, { port: 8443, ...(protocol ? { protocol } : {}) });
    return { changes: result.changes.map((c) => c.resource).sort(), windows: result.windows.map((w) => w.resource).sort() };
  };
  assert.deepEqual(await groups(), { changes: ['sg-0all', 'sg-0tcp'], windows: ['sg-0all', 'sg-0tcp'] });
  assert.deepEqual(await groups('udp'), { changes: ['sg-0all', 'sg-0udp'], windows: ['sg-0all', 'sg-0udp'] });
  assert.deepEqual(await groups('any'), { changes: ['sg-0all', 'sg-0tcp', 'sg-0udp'], windows: ['sg-0all', 'sg-0tcp', 'sg-0udp'] });
  // Without a port there is no question: every change, whatever its protocol.
  assert.equal((await findExposures(engine, {})).changes.length, 3);
});

test('flows: UDP records on the port do not answer a TCP question', async (t) => {
  const dir = tempDir(t);
  const at = Date.parse('2024-05-01T14:00:00Z') / 1000;
  const line = (proto: number, src: string, sport: number) => `2 123456789012 eni-0web ${src} 10.0.0.5 ${sport} 8443 ${proto} 2 100 ${at} ${at + 60} ACCEPT OK`;
  const file = join(dir, 'flows.log');
  writeFileSync(
    file,
    [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      line(6, '198.51.100.7', 50000),
      line(17, '198.51.100.8', 50001),
    ].join('\n') + '\n',
  );
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  await ingestFlowLogFile(engine, file);
  const peers = async (protocol?: 'tcp' | 'udp' | 'any') =>
    (await findConnections(engine, { port: 8443, vpcCidrs: ['10.0.0.0/16'], ...(protocol ? { protocol } : {}) })).map(
      (c) => `${c.protocolName} ${c.remoteAddress}`,
    );
  assert.deepEqual(await peers(), ['tcp 198.51.100.7']);
  assert.deepEqual(await peers('udp'), ['udp 198.51.100.8']);
  assert.deepEqual((await peers('any')).sort(), ['tcp 198.51.100.7', 'udp 198.51.100.8']);
});

test('cli: --protocol on exposures, flows and investigate; anything but tcp, udp, any exits 2', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, { 'ct.json': records(rule('sg-0udp', 'udp', 8443), rule('sg-0tcp', 'tcp', 8443)) });
  const db = join(dir, 'store.duckdb');
  assert.equal((await runInProcess(['ingest', dir, '--db', db])).status, 0);
  const resources = async (args: string[]) => {
    const r = await runInProcess(['exposures', '--port', '8443', '--db', db, '--format', 'json', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { resource: string }[]).map((c) => c.resource).sort();
  };
  assert.deepEqual(await resources([]), ['sg-0tcp']);
  assert.deepEqual(await resources(['--protocol', 'UDP']), ['sg-0udp']);
  assert.deepEqual(await resources(['--protocol', 'any']), ['sg-0tcp', 'sg-0udp']);
  const investigate = async (args: string[]) => {
    const r = await runInProcess(['investigate', '--port', '8443', '--db', db, '--format', 'json', ...args]);
    assert.ok(r.status === 0, r.stderr);
    return JSON.parse(r.stdout) as { findings: { title: string }[]; parameters: Record<string, unknown> };
  };
  const tcp = await investigate([]);
  assert.equal(tcp.parameters['protocol'], 'tcp');
  assert.deepEqual(
    tcp.findings.map((f) => f.title),
    ['Port 8443 opened on sg-0tcp (inbound)'],
  );
  assert.deepEqual(
    (await investigate(['--protocol', 'udp'])).findings.map((f) => f.title),
    ['Port 8443 opened on sg-0udp (inbound)'],
  );
  for (const command of [['exposures', '--port', '8443'], ['flows'], ['investigate']]) {
    const r = await runInProcess([...command, '--protocol', 'quic', '--db', db]);
    assert.equal(r.status, 2, `${command[0]}: ${r.stderr}`);
    assert.match(r.stderr, /--protocol "quic" is not tcp, udp or any/);
  }
});

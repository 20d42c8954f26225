import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { changeMatchesPort, findExposures, normalizeEvent } from '../../src/ports/index.js';
import { corpusFile } from '../helpers/corpus.js';
import { records, tempDir, writeTree } from '../helpers/fixtures.js';
import { event, rowFromRecord } from './records.js';

const rds = (name: string, request: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  event(name, request, { eventSource: 'rds.amazonaws.com', responseElements: null, ...extra });

test('RDS DB security groups: a CIDR or an EC2 group admitted over TCP to every port an instance can use', () => {
  const [open] = normalizeEvent(rowFromRecord(rds('AuthorizeDBSecurityGroupIngress', { dBSecurityGroupName: 'database-sg', cIDRIP: '0.0.0.0/0' })));
  assert.ok(open);
  assert.deepEqual(
    [open.action, open.resource, open.resourceType, open.direction, open.protocol, open.fromPort, open.toPort],
    ['open', 'database-sg', 'rds-db-security-group', 'ingress', 'tcp', 1150, 65535],
  );
  assert.equal(open.internetExposed, true);
  assert.match(open.why, /port of each DB instance in the group, which the event does not carry/);
  assert.ok(changeMatchesPort(open, 8443) && changeMatchesPort(open, 5432) && changeMatchesPort(open, 3306));
  assert.ok(!changeMatchesPort(open, 22), 'no RDS instance listens below 1150');

  const [group] = normalizeEvent(
    rowFromRecord(
      rds('AuthorizeDBSecurityGroupIngress', {
        dBSecurityGroupName: 'app-db-sg',
        eC2SecurityGroupName: 'app-servers-sg',
        eC2SecurityGroupId: 'sg-0123456789abcdef0',
        eC2SecurityGroupOwnerId: '123456789012',
      }),
    ),
  );
  assert.deepEqual(group?.peer, { kind: 'security-group', value: '123456789012/sg-0123456789abcdef0' });
  assert.equal(group?.internetExposed, false);

  const [denied] = normalizeEvent(
    rowFromRecord(rds('AuthorizeDBSecurityGroupIngress', { dBSecurityGroupName: 'production-db-sg', cIDRIP: '0.0.0.0/0' }, { errorCode: 'AccessDenied' })),
  );
  assert.deepEqual([denied?.action, denied?.internetExposed], ['attempt', false]);
  const [revoke] = normalizeEvent(rowFromRecord(rds('RevokeDBSecurityGroupIngress', { dBSecurityGroupName: 'production-db-sg', cIDRIP: '0.0.0.0/0' })));
  assert.equal(revoke?.action, 'close');
});

test('corpus: every RDS DB security-group event of the Panther fixtures gives a row', (t) => {
  const path = corpusFile(t, 'cloudtrail/panther-analysis/panther-cloudtrail-test-events.json');
  if (!path) return;
  const all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>[] | { Records: Record<string, any>[] };
  const list = (Array.isArray(all) ? all : all.Records).filter((r) => /DBSecurityGroupIngress$/.test(String(r['eventName'])));
  assert.ok(list.length >= 5, `found ${list.length}`);
  for (const record of list) assert.ok(normalizeEvent(rowFromRecord(record)).length > 0, String(record['eventID']));
});

test('RDS DB security groups end to end: opened to the internet, then revoked, is a closed 8443 window; 22 is not asked about', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, {
    'rds.json': records(
      { ...rds('AuthorizeDBSecurityGroupIngress', { dBSecurityGroupName: 'database-sg', cIDRIP: '0.0.0.0/0' }), eventTime: '2024-01-17T09:30:00Z' },
      { ...rds('RevokeDBSecurityGroupIngress', { dBSecurityGroupName: 'database-sg', cIDRIP: '0.0.0.0/0' }), eventTime: '2024-01-17T10:00:00Z' },
    ),
  });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  await ingestPaths(engine, [dir]);
  const result = await findExposures(engine, { port: 8443 });
  assert.deepEqual(
    result.windows.map((w) => [w.resource, w.opened.eventTime, w.closed?.eventTime, w.closedHow]),
    [['database-sg', '2024-01-17T09:30:00Z', '2024-01-17T10:00:00Z', 'same-rule']],
  );
  assert.equal((await findExposures(engine, { port: 22 })).changes.length, 0);
});

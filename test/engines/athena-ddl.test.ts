import { test } from 'node:test';
import assert from 'node:assert/strict';
import { athenaDdl, CLOUDTRAIL_COLUMNS, flowColumns } from '../../src/tables/athena-ddl.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { installVpcFlowSchema, VPC_FLOW_LOGS_COLUMNS } from '../../src/store/vpcflow-schema.js';
import { VPC_FIELDS } from '../../src/store/vpcflow-fields.js';
import { findRunbookFolders, loadRunbook } from '../../src/runbook/load.js';
import { TrailbookError } from '../../src/errors.js';
import { runInProcess } from '../helpers/in-process.js';
import { CHECKOUT } from '../helpers/corpus.js';
import { join } from 'node:path';

/**
 * `trailbook athena ddl`. node-sql-parser has no grammar for Hive DDL, so the statements are checked
 * against the store instead: the columns the local `cloudtrail_logs` and `vpc_flow_logs` have are
 * in the DDL with the same types, and every runbook SQL step binds (DuckDB prepares it) against
 * tables built from the DDL's own column types — the shape runbooks meet on Athena.
 */
const OPTIONS = { location: 's3://trail-bucket/org', accounts: ['111122223333'], regions: ['us-east-1', 'eu-west-1'], since: '2024/01/01' };

/** Hive column types as DuckDB types, so DuckDB can hold a table of the DDL's shape. */
function duckType(hive: string): string {
  return hive
    .replace(/\bSTRING\b/g, 'VARCHAR')
    .replace(/\bINT\b/g, 'INTEGER')
    .replace(/MAP<([^,<>]+),([^<>]+)>/g, 'MAP($1, $2)')
    .replace(/ARRAY<(STRUCT<.*>)>$/, '$1[]')
    .replace(/STRUCT</g, 'STRUCT(')
    .replace(/>/g, ')')
    .replace(/([a-z0-9_]+):/g, '"$1" ');
}

test('athena ddl: every column of the store’s cloudtrail_logs is in the DDL; the DDL adds only AWS columns the store does not keep', async (t) => {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const { rows } = await engine.all('DESCRIBE cloudtrail_logs');
  const store = rows.map((r) => String(r['column_name']));
  const ddl = CLOUDTRAIL_COLUMNS.map(([name]) => name);
  assert.deepEqual(
    store.filter((c) => !ddl.includes(c)),
    [],
  );
  // docs/athena.md, "The DDL": AWS's table has these, the store does not (yet).
  assert.deepEqual(
    ddl.filter((c) => !store.includes(c)),
    ['addendum', 'edgedevicedetails'],
  );
});

test('athena ddl: every runbook SQL step binds against tables of the DDL’s own column types', async (t) => {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const flowColumnsAll = flowColumns(VPC_FIELDS.map((f) => f.name));
  await engine.run(`CREATE TEMP TABLE athena_cloudtrail (${CLOUDTRAIL_COLUMNS.map(([n, type]) => `"${n}" ${duckType(type)}`).join(', ')})`);
  await engine.run(`CREATE TEMP TABLE athena_flows (${flowColumnsAll.map(([n, type]) => `"${n}" ${duckType(type)}`).join(', ')})`);
  let prepared = 0;
  for (const dir of await findRunbookFolders(join(CHECKOUT, 'runbooks'))) {
    const { runbook } = await loadRunbook(dir);
    for (const step of runbook.steps) {
      if (step.kind !== 'sql') continue;
      // The step's tables renamed to the DDL-shaped ones; word boundaries only, the SQL is ours.
      const sql = step.sql.replace(/\bcloudtrail_logs\b/g, 'athena_cloudtrail').replace(/\bvpc_flow_logs\b/g, 'athena_flows');
      const statement = await (engine as unknown as { connection: { prepare(s: string): Promise<{ destroySync(): void }> } }).connection.prepare(sql);
      statement.destroySync();
      prepared++;
    }
  }
  assert.ok(prepared >= 3);
});

test('athena ddl: the flow-log columns of every documented field are the store’s vpc_flow_logs, in order and type', async (t) => {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  await installVpcFlowSchema(engine);
  const { rows } = await engine.all('DESCRIBE vpc_flow_logs');
  const hive = flowColumns(VPC_FIELDS.map((f) => f.name));
  assert.deepEqual(
    hive.map(([n]) => n),
    [...VPC_FLOW_LOGS_COLUMNS],
  );
  assert.deepEqual(
    hive.map(([, type]) => duckType(type)),
    rows.map((r) => String(r['column_type'])),
  );
});

test('athena ddl: partition projection on account, region and day, in the layout AWS delivers', () => {
  const ddl = athenaDdl({ ...OPTIONS, database: 'security' });
  assert.match(ddl, /CREATE EXTERNAL TABLE IF NOT EXISTS `security`\.cloudtrail_logs \(/);
  assert.match(ddl, /PARTITIONED BY \(`account` STRING, `region` STRING, `timestamp` STRING\)/);
  assert.match(ddl, /'storage\.location\.template' = 's3:\/\/trail-bucket\/org\/AWSLogs\/\$\{account\}\/CloudTrail\/\$\{region\}\/\$\{timestamp\}'/);
  assert.match(ddl, /'projection\.region\.values' = 'us-east-1,eu-west-1'/);
  assert.match(ddl, /'projection\.timestamp\.range' = '2024\/01\/01,NOW'/);
  assert.match(ddl, /'storage\.location\.template' = 's3:\/\/trail-bucket\/org\/AWSLogs\/\$\{accid\}\/vpcflowlogs\/\$\{awsregion\}\/\$\{day\}'/);
  // The default flow-log format: AWS's 14 version-2 fields; `end` is reserved and quoted.
  assert.match(ddl, /`end` BIGINT,\n {2}`action` STRING,\n {2}`log_status` STRING\n\)/);
  assert.equal((ddl.match(/CREATE EXTERNAL TABLE/g) ?? []).length, 2);
});

test('athena ddl: bad locations, accounts, regions and fields are usage errors, never spliced into the DDL', () => {
  for (const bad of [
    { location: "s3://bucket/x' ; DROP" },
    { location: '/local/folder' },
    { accounts: ['12345'] },
    { regions: ["us-east-1'"] },
    { since: '2024-01-01' },
    { database: 'a-b' },
    { flowFields: ['version', 'tgw-id'] },
  ]) {
    assert.throws(
      () => athenaDdl({ ...OPTIONS, ...bad }),
      (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE',
      JSON.stringify(bad),
    );
  }
});

test('trailbook athena ddl prints both statements; --flow-fields follows a custom format', async () => {
  const result = await runInProcess([
    'athena',
    'ddl',
    '--location',
    's3://trail-bucket',
    '--account',
    '111122223333',
    '--region',
    'us-east-1',
    '--flow-fields',
    '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${flow-direction}',
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stdout,
    /CREATE EXTERNAL TABLE IF NOT EXISTS vpc_flow_logs \(\n {2}`version` INT,\n {2}`srcaddr` STRING,\n {2}`dstaddr` STRING,\n {2}`srcport` INT,\n {2}`dstport` INT,\n {2}`flow_direction` STRING\n\)/,
  );
  const missing = await runInProcess(['athena', 'ddl', '--location', 's3://trail-bucket']);
  assert.equal(missing.status, 2);
});

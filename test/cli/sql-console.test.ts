/**
 * `trailbook sql` is a read-only analyst console: one statement DuckDB parses as a query, on an
 * engine locked by DuckDB settings (no file or network access unless --allow-files, no extension
 * install or load, configuration locked). Built CLI (`npm run build` first) on a real store.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { ctEvent, gz, records, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

const REFUSED = EXIT_CODES.SQL_REFUSED;
let dir = '';
let db = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-sql-console-'));
  db = join(dir, 'store.duckdb');
  writeTree(join(dir, 'logs'), {
    'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1000Z_abc.json.gz': gz(
      records(
        ctEvent({
          eventName: 'AuthorizeSecurityGroupIngress',
          eventID: 'e1',
          requestParameters: { groupId: 'sg-0web', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443 }] } },
        }),
        ctEvent({ eventName: 'DescribeInstances', eventID: 'e2' }),
        ctEvent({ eventName: 'DescribeInstances', eventID: 'e3' }),
      ),
    ),
  });
  const ingest = await runInProcess(['ingest', join(dir, 'logs'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const sql = async (query: string, ...flags: string[]) => await runInProcess(['sql', '--db', db, '--format', 'json', ...flags, query]);

async function assertRefused(query: string, flags: string[], pattern: RegExp): Promise<void> {
  for (const lint of [[], ['--no-lint']]) {
    const r = await sql(query, ...flags, ...lint);
    assert.equal(r.status, REFUSED, `${query} ${[...flags, ...lint].join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, pattern, r.stderr);
    assert.doesNotMatch(r.stderr, /this is a bug/);
    assert.equal(r.stdout, '', `${query}: printed rows`);
  }
}

test('statements that write, install, configure or attach are refused by their parsed type, with or without --no-lint', async () => {
  const out = join(dir, 'copied.csv');
  await assertRefused(`COPY (SELECT * FROM cloudtrail_logs) TO '${out}'`, [], /not a query/);
  await assertRefused(`COPY (SELECT * FROM cloudtrail_logs) TO '${out}'`, ['--allow-files'], /not a query/);
  await assertRefused(`EXPORT DATABASE '${join(dir, 'exported')}'`, ['--allow-files'], /not a query/);
  await assertRefused('INSTALL httpfs', [], /not a query/);
  await assertRefused('LOAD json', [], /not a query/);
  await assertRefused('SET threads = 1', [], /not a query/);
  await assertRefused('PRAGMA threads = 1', [], /not a query/);
  await assertRefused(`ATTACH '${join(dir, 'other.duckdb')}' AS other`, [], /not a query/);
  await assertRefused(`ATTACH '${join(dir, 'other.duckdb')}' AS other`, ['--allow-files'], /not a query/);
  await assertRefused('CREATE TEMP TABLE t AS SELECT 1', [], /not a query/);
  await assertRefused('CALL pragma_version()', [], /not a query/);
  // Case and comments do not matter: the decision is DuckDB's parse, not the text.
  await assertRefused(`/* SELECT */ copy (select 1) to '${out}'`, ['--allow-files'], /not a query/);
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(join(dir, 'exported')), false);
  assert.equal(existsSync(join(dir, 'other.duckdb')), false);
});

test('exactly one statement: a second one, even a harmless SELECT, is refused', async () => {
  await assertRefused('SELECT 1; SELECT 2', [], /exactly one statement is allowed, got 2/);
  await assertRefused(`SELECT 1; COPY (SELECT 1) TO '${join(dir, 'second.csv')}'`, ['--allow-files'], /exactly one statement/);
  assert.equal(existsSync(join(dir, 'second.csv')), false);
});

test('EXPLAIN of a query runs; EXPLAIN ANALYZE of a COPY (which would run it) is refused', async () => {
  const explain = await sql('EXPLAIN SELECT count(*) FROM cloudtrail_logs');
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(explain.stdout, /explain_value/);
  const out = join(dir, 'explained.csv');
  await assertRefused(`EXPLAIN ANALYZE COPY (SELECT 1) TO '${out}'`, ['--allow-files'], /not a query/);
  await assertRefused(`explain analyze copy (select 1) to '${out}'`, ['--allow-files'], /not a query/);
  await assertRefused(`EXPLAIN ANALYZE SELECT 1; COPY (SELECT 1) TO '${out}'`, ['--allow-files'], /exactly one statement/);
  assert.equal(existsSync(out), false);
});

test('a query cannot read local files or the network, or get round the lock; --allow-files opens local files only', async () => {
  await assertRefused("SELECT * FROM read_text('/etc/passwd')", [], /disabled by configuration[\s\S]*--allow-files/);
  await assertRefused("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", [], /disabled by configuration/);
  await assertRefused("SELECT * FROM glob('/etc/*')", [], /disabled by configuration/);
  const csv = join(dir, 'allowed.csv');
  writeFileSync(csv, 'ip,label\n198.51.100.23,attacker\n');
  await assertRefused(`SELECT * FROM read_csv('${csv}')`, [], /disabled by configuration/);

  const allowed = await sql(`SELECT label FROM read_csv('${csv}')`, '--allow-files');
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.deepEqual(JSON.parse(allowed.stdout), [{ label: 'attacker' }]);
  // Still no network (extensions are neither installed nor loaded), no install, no configuration change.
  await assertRefused("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", ['--allow-files'], /httpfs/);
  await assertRefused("SELECT * FROM read_parquet('s3://bucket/x.parquet')", ['--allow-files'], /httpfs/);
  await assertRefused('INSTALL httpfs', ['--allow-files'], /not a query/);
  await assertRefused('SET enable_external_access = true', ['--allow-files'], /not a query/);
  // The settings hold even in a query: the lock is DuckDB's, not a check of the text.
  const settings = await sql(
    "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration') ORDER BY name",
  );
  assert.equal(settings.status, 0, settings.stderr);
  assert.deepEqual(JSON.parse(settings.stdout), [
    { name: 'autoinstall_known_extensions', value: 'false' },
    { name: 'autoload_known_extensions', value: 'false' },
    { name: 'enable_external_access', value: 'false' },
    { name: 'lock_configuration', value: 'true' },
  ]);
});

test('the README examples, the classic LIKE query, DESCRIBE, SHOW and the Athena macros still work', async () => {
  const counts = await runInProcess(['sql', '--db', db, '--format', 'csv', 'SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY n DESC']);
  assert.equal(counts.status, 0, counts.stderr);
  assert.equal(counts.stdout.trim().split(/\r?\n/)[1], 'DescribeInstances,2');
  // The classic query runs, and the linter still says why it is wrong.
  const classic = await runInProcess(['sql', '--db', db, '--format', 'json', '--file', join(REPO_ROOT, 'sample', 'classic-8443.sql')]);
  assert.equal(classic.status, 0, classic.stderr);
  assert.equal((JSON.parse(classic.stdout) as unknown[]).length, 1);
  assert.match(classic.stderr, /8443/);
  const macro = await sql(
    "SELECT json_extract_scalar(requestparameters, '$.groupId') AS g, from_iso8601_timestamp(eventtime) AS t FROM cloudtrail_logs WHERE eventid = 'e1'",
  );
  assert.equal(macro.status, 0, macro.stderr);
  assert.equal((JSON.parse(macro.stdout) as Array<{ g: string }>)[0]?.g, 'sg-0web');
  const described = await sql('DESCRIBE cloudtrail_logs');
  assert.equal(described.status, 0, described.stderr);
  assert.ok((JSON.parse(described.stdout) as Array<{ column_name: string }>).some((c) => c.column_name === 'useridentity'));
  const shown = await sql('SHOW TABLES');
  assert.equal(shown.status, 0, shown.stderr);
  assert.ok((JSON.parse(shown.stdout) as Array<{ name: string }>).some((t) => t.name === 'cloudtrail_logs'));
  const withQuery = await sql('WITH e AS (SELECT eventid FROM cloudtrail_logs) SELECT count(*) AS n FROM e');
  assert.deepEqual(JSON.parse(withQuery.stdout), [{ n: 3 }]);
});

test('a query that does not parse is an SQL error (6), not a refusal', async () => {
  const r = await sql('SELEC 1');
  assert.equal(r.status, EXIT_CODES.SQL, r.stderr);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import NSP from 'node-sql-parser/build/trino.js';
import { partitionDay, translateSql } from '../../src/engines/dialects.js';
import { EARLIEST, historyBounds, LATEST, type Dialect } from '../../src/engines/engine.js';
import { athenaDialect } from '../../src/engines/athena/engine.js';
import { duckdbDialect } from '../../src/engines/duckdb/engine.js';

const parser = new (NSP as unknown as { Parser: new () => { astify(sql: string, options: { database: string }): unknown } }).Parser();
const window = { from: '2024-05-01T10:00:00Z', to: '2024-05-03T00:00:00Z' };

test('a windowed query reads the table through its day partitions on Trino, the days bound in order with a day of slack', () => {
  const { sql, positional } = translateSql('SELECT eventid FROM cloudtrail_logs WHERE eventtime >= $from AND eventtime <= $to', window, 'trino');
  assert.equal(
    sql,
    'SELECT eventid FROM (SELECT * FROM cloudtrail_logs WHERE "timestamp" >= ? AND "timestamp" <= ?) AS cloudtrail_logs WHERE eventtime >= ? AND eventtime <= ?',
  );
  assert.deepEqual(positional, ["'2024/04/30'", "'2024/05/04'", "'2024-05-01T10:00:00Z'", "'2024-05-03T00:00:00Z'"]);
  assert.doesNotThrow(() => parser.astify(sql, { database: 'trino' }));
});

test('aliases stay aliases; flow logs filter on day from epoch seconds; every form parses on Trino', () => {
  const cases: [string, RegExp][] = [
    ['SELECT c.eventid FROM cloudtrail_logs c WHERE c.eventtime >= $from', /FROM \(SELECT \* FROM cloudtrail_logs WHERE "timestamp" >= \?\) c WHERE/],
    ['SELECT c.eventid FROM cloudtrail_logs AS c WHERE c.eventtime >= $from', /FROM \(SELECT \* FROM cloudtrail_logs WHERE "timestamp" >= \?\) AS c WHERE/],
    ['SELECT "c".eventid FROM cloudtrail_logs "c" WHERE "c".eventtime >= $from', /FROM \(SELECT \* FROM cloudtrail_logs WHERE "timestamp" >= \?\) "c" WHERE/],
    [
      'SELECT count(*) AS n FROM cloudtrail_logs JOIN vpc_flow_logs f ON f.srcaddr = sourceipaddress WHERE eventtime >= $from',
      /FROM \(SELECT \* FROM cloudtrail_logs WHERE "timestamp" >= \?\) AS cloudtrail_logs JOIN \(SELECT \* FROM vpc_flow_logs WHERE day >= \?\) f ON/,
    ],
  ];
  for (const [input, expected] of cases) {
    const { sql, positional } = translateSql(input, { from: window.from }, 'trino');
    assert.match(sql, expected, input);
    assert.equal(positional.length, (sql.match(/\?/g) ?? []).length);
    assert.doesNotThrow(() => parser.astify(sql, { database: 'trino' }), sql);
  }
  const flows = translateSql('SELECT srcaddr FROM vpc_flow_logs WHERE "end" >= $from AND start <= $to', { from: 1714557600, to: 1714694400 }, 'trino');
  assert.deepEqual(flows.positional, ["'2024/04/30'", "'2024/05/04'", '1714557600', '1714694400']);
});

test('each read gets only the bounds its own SELECT applies: open-ended reads and history before the window stay whole', () => {
  const sql = `WITH w AS (SELECT eventid FROM cloudtrail_logs WHERE eventtime >= $from AND eventtime <= $to),
    revoked AS (SELECT eventid FROM cloudtrail_logs WHERE eventname = 'DeleteAccessKey' AND eventtime >= $from),
    before AS (SELECT eventid FROM cloudtrail_logs WHERE eventtime < $from),
    nested AS (SELECT eventid FROM cloudtrail_logs WHERE eventid IN (SELECT eventid FROM cloudtrail_logs x WHERE x.eventtime BETWEEN $from AND $to))
  SELECT * FROM w`;
  const { sql: out, positional } = translateSql(sql, window, 'trino');
  const reads = out.match(/FROM (\(SELECT \* FROM cloudtrail_logs WHERE [^)]*\)|cloudtrail_logs)/g) ?? [];
  assert.deepEqual(reads, [
    'FROM (SELECT * FROM cloudtrail_logs WHERE "timestamp" >= ? AND "timestamp" <= ?)',
    'FROM (SELECT * FROM cloudtrail_logs WHERE "timestamp" >= ?)',
    'FROM cloudtrail_logs',
    'FROM cloudtrail_logs',
    'FROM (SELECT * FROM cloudtrail_logs WHERE "timestamp" >= ? AND "timestamp" <= ?)',
  ]);
  assert.equal(positional.length, (out.match(/\?/g) ?? []).length);
  assert.doesNotThrow(() => parser.astify(out, { database: 'trino' }), out);
});

test('no filter where the window bounds nothing, outside code, or on DuckDB', () => {
  const candidates = 'SELECT eventid FROM cloudtrail_logs WHERE eventtime >= $from AND eventtime <= $to';
  assert.deepEqual(translateSql(candidates, { from: EARLIEST, to: LATEST }, 'trino').sql, candidates.replace(/\$from|\$to/g, '?'));
  assert.match(translateSql(candidates, { from: EARLIEST, to: window.to }, 'trino').sql, /WHERE "timestamp" <= \?\) AS/);
  // No $from/$to in the statement: not a window query, the table as it is.
  assert.equal(translateSql('SELECT count(*) FROM cloudtrail_logs', window, 'trino').sql, 'SELECT count(*) FROM cloudtrail_logs');
  // Strings and comments are never touched.
  const quoted = "SELECT 'from cloudtrail_logs' AS t -- from cloudtrail_logs\nFROM vpc_flow_logs WHERE start >= $from";
  assert.match(translateSql(quoted, { from: 1714557600 }, 'trino').sql, /^SELECT 'from cloudtrail_logs' AS t -- from cloudtrail_logs\nFROM \(SELECT/);
  assert.equal(translateSql(candidates, window, 'duckdb').sql, candidates);
});

test('partitionDay: ISO text and epoch seconds to yyyy/MM/dd, open bounds and garbage to nothing', () => {
  assert.equal(partitionDay('2024-12-31T23:59:59Z', 1), '2025/01/01');
  assert.equal(partitionDay(1714557600, -1), '2024/04/30');
  assert.equal(partitionDay(EARLIEST, -1), undefined);
  assert.equal(partitionDay(LATEST, 1), undefined);
  assert.equal(partitionDay('yesterday', 0), undefined);
  assert.equal(partitionDay(null, 0), undefined);
});

test('historyBounds: everything on the local store; on Athena historyDays before the window to its end', () => {
  assert.deepEqual(historyBounds(duckdbDialect, window), { from: EARLIEST, to: LATEST });
  assert.deepEqual(historyBounds(athenaDialect, window), { from: '2024-02-01T10:00:00Z', to: window.to });
  const noHistory: Dialect = { ...athenaDialect, historyDays: 0 };
  assert.deepEqual(historyBounds(noHistory, window), window);
  assert.deepEqual(historyBounds(athenaDialect, {}), { from: EARLIEST, to: LATEST });
  assert.deepEqual(historyBounds({ ...athenaDialect, historyDays: null }, window), { from: EARLIEST, to: LATEST });
});

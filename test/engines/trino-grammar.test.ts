import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import NSP from 'node-sql-parser/build/trino.js';
import { DIALECT_DIFFERENCES, segments, translateSql, sqlLiteral } from '../../src/engines/dialects.js';
import { readFileSync } from 'node:fs';
import type { Params } from '../../src/engines/engine.js';
import { findRunbookFolders, loadRunbook } from '../../src/runbook/load.js';
import { sqlParameterNames } from '../../src/runbook/sql-params.js';
import { candidateSqlWith } from '../../src/ports/candidates.js';
import { portRecordsSql } from '../../src/flows/find.js';
import { TrailbookError } from '../../src/errors.js';
import { CHECKOUT } from '../helpers/corpus.js';

/**
 * Every SQL step of every bundled runbook, translated to Athena's dialect (src/engines/dialects.ts),
 * parses with node-sql-parser's Trino grammar. That the same SQL runs on DuckDB is the runbooks'
 * own tests (test/runbook/credential-compromise.test.ts, logging-tampering.test.ts,
 * port-exposure-cases.test.ts run each step on a real store) and `runbook lint` (DuckDB prepares
 * each step). The grammar is a check of syntax only, and a lenient one: the DuckDB forms it lets
 * through are refused by the dialect table instead (last tests; docs/athena.md, "Grammar gaps").
 */
const parser = new (NSP as unknown as { Parser: new () => { astify(sql: string, options: { database: string }): unknown } }).Parser();
const parsesOnTrino = (sql: string) => parser.astify(sql, { database: 'trino' });

const SAMPLE: Record<string, Params[string]> = { integer: 8443, boolean: true };
/** The window a run binds: real times, so the day-partition filter is added as on Athena and parsed with the rest. */
const WINDOW: Params = { from: '2024-05-01T00:00:00Z', to: '2024-05-15T00:00:00Z' };

test('every SQL step of every bundled runbook, translated to Trino, parses with the Trino grammar', async () => {
  const folders = await findRunbookFolders(join(CHECKOUT, 'runbooks'));
  let checked = 0;
  let pruned = 0;
  for (const dir of folders) {
    const { runbook } = await loadRunbook(dir);
    for (const step of runbook.steps) {
      if (step.kind !== 'sql') continue;
      const names = sqlParameterNames(step.sql);
      const params = Object.fromEntries(names.map((n) => [n, WINDOW[n] ?? SAMPLE[runbook.parameters[n]?.type ?? ''] ?? "o'brien"]));
      const { sql, positional } = translateSql(step.sql, params, 'trino');
      if (/\bcloudtrail_logs\b/.test(step.sql) && names.includes('from')) {
        assert.match(sql, /\(SELECT \* FROM cloudtrail_logs WHERE "timestamp" >= \?/, `${runbook.id}/${step.id} reads only the window's days`);
        pruned++;
      }
      assert.ok(!segments(sql).some((s) => s.kind === 'code' && /\$[A-Za-z_]/.test(s.text)), `${runbook.id}/${step.id}: a $name is left`);
      assert.equal(positional.length, (sql.match(/\?/g) ?? []).length - questionMarksOutsideCode(sql), `${runbook.id}/${step.id}`);
      assert.doesNotThrow(() => parsesOnTrino(sql), `${runbook.id}/${step.id} does not parse on Trino`);
      checked++;
    }
  }
  // credential-compromise: calls; logging-tampering: tampering, restores (port-exposure's steps are built in).
  assert.ok(checked >= 3, `only ${checked} SQL steps found`);
  assert.ok(pruned >= 3, `only ${pruned} SQL steps read a window's days`);
});

test('the SQL the built-in steps send to the engine parses on Trino too (exposure candidates, flow records on a port)', () => {
  for (const [name, text, params] of [
    ['exposure candidates', candidateSqlWith([], 'cloudtrail_logs'), { from: '2024-05-01T00:00:00Z', to: '2024-05-15T00:00:00Z' }],
    ['flow records', portRecordsSql(' AND start >= $from'), { port: 8443, from: 1714521600 }],
  ] as const) {
    const { sql } = translateSql(text, params, 'trino');
    assert.doesNotThrow(() => parsesOnTrino(sql), name);
  }
});

test('the grammar check can fail: QUALIFY, DuckDB list literals and struct_pack are refused by the Trino grammar', () => {
  for (const sql of ['SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY b ORDER BY c) = 1', 'SELECT [1, 2]', 'SELECT struct_pack(a := 1)']) {
    assert.throws(() => parsesOnTrino(sql), sql);
  }
});

test('grammar gaps: DuckDB forms the Trino grammar accepts are refused by the dialect table, with why', () => {
  for (const sql of [
    'SELECT a::INTEGER FROM t',
    "SELECT a FROM t WHERE b ILIKE 'x%'",
    "SELECT j->>'$.a' FROM t",
    'SELECT 7 // 2',
    'SELECT CAST(x AS VARCHAR[]) FROM t',
    'SELECT DISTINCT ON (a) a, b FROM t',
  ]) {
    assert.doesNotThrow(() => parsesOnTrino(sql), `the grammar now refuses ${sql}: move it to the test above`);
    assert.throws(
      () => translateSql(sql, {}, 'trino'),
      (e: unknown) => e instanceof TrailbookError && e.code === 'SQL' && /not valid on Athena/.test(e.message) && Boolean(e.hint),
      sql,
    );
  }
  // A Trino lambda is not a JSON arrow, and Trino's empty array is not a DuckDB list type.
  assert.doesNotThrow(() => translateSql('SELECT transform(a, x -> x + 1) FROM t', {}, 'trino'));
  assert.doesNotThrow(() => translateSql('SELECT coalesce(a, ARRAY []) FROM t', {}, 'trino'));
});

test('translation touches code only: strings, quoted names and comments keep $ and DuckDB names; renames apply to calls', () => {
  const { sql, positional } = translateSql(
    `SELECT regexp_matches(a, '$.x regexp_matches(') AS "$b", epoch(t) -- $c regexp_matches(
FROM t WHERE k = $k AND n = $n /* $d */ AND k2 = $k`,
    { k: "it's", n: 3 },
    'trino',
  );
  assert.equal(
    sql,
    `SELECT regexp_like(a, '$.x regexp_matches(') AS "$b", to_unixtime(t) -- $c regexp_matches(
FROM t WHERE k = ? AND n = ? /* $d */ AND k2 = ?`,
  );
  assert.deepEqual(positional, ["'it''s'", '3', "'it''s'"]);
  assert.throws(() => translateSql('SELECT $missing', {}, 'trino'), /parameter \$missing has no value/);
  // DuckDB binds by name: its SQL is left as written.
  assert.deepEqual(translateSql('SELECT $k', { k: 1 }, 'duckdb'), { sql: 'SELECT $k', positional: [] });
});

test('parameter literals: strings quoted with quotes doubled, numbers bare, booleans, NULL; non-finite numbers refused', () => {
  assert.equal(sqlLiteral("a'; DROP TABLE x; --", 'p'), "'a''; DROP TABLE x; --'");
  assert.equal(sqlLiteral(-1.5, 'p'), '-1.5');
  assert.equal(sqlLiteral(false, 'p'), 'FALSE');
  assert.equal(sqlLiteral(null, 'p'), 'NULL');
  assert.throws(() => sqlLiteral(Number.NaN, 'p'), TrailbookError);
});

/** `?` inside strings or comments of the translated text (the runbooks' regexes have some). */
function questionMarksOutsideCode(sql: string): number {
  return segments(sql)
    .filter((s) => s.kind !== 'code')
    .reduce((n, s) => n + (s.text.match(/\?/g) ?? []).length, 0);
}

test('docs/athena.md names every row of the dialect table, and every rename both ways', () => {
  const doc = readFileSync(join(CHECKOUT, 'docs', 'athena.md'), 'utf8').toLowerCase();
  for (const d of DIALECT_DIFFERENCES) {
    assert.ok(doc.includes(d.topic.replace(/^function /, '').toLowerCase()), `docs/athena.md lacks "${d.topic}"`);
    if (d.toTrino.kind === 'rename') assert.ok(doc.includes(`\`${d.toTrino.from}(`) && doc.includes(`\`${d.toTrino.to}(`), d.topic);
  }
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths, type IngestOptions, type IngestSummary } from '../../src/ingest/ingest.js';
import { tempDir } from '../helpers/fixtures.js';

/** Columns that differ between two runs by design (when a row was written), not by what was read. */
const RUN_TIME_COLUMNS = new Set(['ingested_at']);

export interface BothWays {
  bulk: IngestSummary;
  rows: IngestSummary;
  /** Rows compared per table (each table's row count, equal both ways). */
  compared: Record<string, number>;
}

/**
 * Ingests `paths` into two fresh stores, DuckDB's bulk load on and forced off, and asserts that
 * every table of the two stores holds the same rows (EXCEPT ALL both ways, and equal counts):
 * the events, Insights, ledger, flows, the exposure copy and the kept exposure changes.
 * `runs` ingests more than once into the same stores (re-delivery, incremental runs).
 */
export async function ingestBothWays(
  t: { after: (fn: () => void | Promise<void>) => void },
  runs: readonly { paths: readonly string[]; options?: IngestOptions }[],
): Promise<BothWays> {
  const dir = tempDir(t);
  const stores = { bulk: join(dir, 'bulk.duckdb'), rows: join(dir, 'rows.duckdb') };
  const summaries: Record<'bulk' | 'rows', IngestSummary[]> = { bulk: [], rows: [] };
  for (const way of ['bulk', 'rows'] as const) {
    const engine = await DuckDBEngine.open({ path: stores[way] });
    try {
      for (const run of runs) summaries[way].push(await ingestPaths(engine, run.paths, { ...run.options, bulkLoad: way === 'bulk' }));
    } finally {
      await engine.close();
    }
  }
  for (let i = 0; i < runs.length; i++) assert.deepEqual(totals(summaries.bulk[i]!), totals(summaries.rows[i]!), `run ${i + 1}: the summaries' totals differ`);

  const engine = await DuckDBEngine.open({ path: stores.bulk });
  t.after(() => engine.close());
  // ATTACH takes no parameter; the path is this test's own temporary folder.
  await engine.run(`ATTACH '${stores.rows.replaceAll("'", "''")}' AS other (READ_ONLY)`);
  const compared: Record<string, number> = {};
  const tables = async (catalog: string) =>
    (await engine.all(`SELECT table_name AS t FROM duckdb_tables() WHERE database_name = $catalog AND NOT temporary ORDER BY 1`, { catalog })).rows.map((r) =>
      String(r['t']),
    );
  const names = await tables(await currentCatalog(engine));
  assert.deepEqual(names, await tables('other'));
  for (const table of names) {
    const { rows } = await engine.all(
      `SELECT column_name AS c FROM duckdb_columns() WHERE database_name = 'other' AND table_name = $table ORDER BY column_index`,
      { table },
    );
    const columns = rows.map((r) => `"${String(r['c'])}"`).filter((c) => !RUN_TIME_COLUMNS.has(c.slice(1, -1)));
    const list = columns.join(', ');
    const count = async (sql: string) => Number((await engine.all(`SELECT count(*) AS n FROM (${sql})`)).rows[0]!['n']);
    const mine = await count(`SELECT ${list} FROM main."${table}"`);
    const theirs = await count(`SELECT ${list} FROM other.main."${table}"`);
    assert.equal(mine, theirs, `${table}: ${mine} rows with the bulk load, ${theirs} without`);
    assert.equal(
      await count(`SELECT ${list} FROM main."${table}" EXCEPT ALL SELECT ${list} FROM other.main."${table}"`),
      0,
      `${table}: rows only with the bulk load`,
    );
    assert.equal(await count(`SELECT ${list} FROM other.main."${table}" EXCEPT ALL SELECT ${list} FROM main."${table}"`), 0, `${table}: rows only without it`);
    compared[table] = mine;
  }
  return { bulk: summaries.bulk.at(-1)!, rows: summaries.rows.at(-1)!, compared };
}

async function currentCatalog(engine: DuckDBEngine): Promise<string> {
  return String((await engine.all('SELECT current_database() AS d')).rows[0]!['d']);
}

/** What a summary says was read and stored, without timings or how it was stored. */
function totals(summary: IngestSummary): unknown {
  const { durationMs: _d, bulk: _b, ...rest } = summary;
  return rest;
}

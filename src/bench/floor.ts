import { availableParallelism } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The storage floor shared by the ingest benchmarks: tables already in an in-memory DuckDB are
 * written to a fresh database file, checkpoint included, and only that is timed. No reading, no
 * parsing: any ingest that keeps every row in a DuckDB store pays at least this.
 */
export async function timeWriteToStoreFile(connection: DuckDBConnection, db: string, tables: readonly string[]): Promise<number> {
  const started = performance.now();
  await connection.run(`ATTACH '${db.replaceAll("'", "''")}' AS store`);
  for (const table of tables) await connection.run(`CREATE TABLE store.${table} AS SELECT * FROM memory.${table}`);
  await connection.run('CHECKPOINT store');
  return performance.now() - started;
}

const fmt = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * The target line's sub-bullet: work no storing ingest can skip (decompress every byte, at best
 * spread over every core; write every row) against the baseline, and the ratio that leaves. Parsing
 * is left out, so both bounds are generous.
 */
export function unavoidableWorkLine(
  names: { decompress: string; store: string; baseline: string },
  ms: { decompress: number; store: number; baseline: number },
): string {
  const cores = availableParallelism();
  const spread = ms.decompress / cores;
  const overlapped = Math.max(spread, ms.store);
  const sequential = spread + ms.store;
  return (
    `  - unavoidable work before parsing a field: decompressing every byte (${names.decompress} ÷ ${cores} cores: ${fmt(spread / 1000)} s) and storing every row (${names.store}: ${fmt(ms.store / 1000)} s), ` +
    `against ${names.baseline}'s ${fmt(ms.baseline / 1000)} s: a storing ingest's ratio is at most ${fmt(ms.baseline / overlapped)} if the two overlap perfectly, ${fmt(ms.baseline / sequential)} if they follow each other`
  );
}

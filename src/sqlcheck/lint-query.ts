import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { TrailbookError } from '../errors.js';
import { lintQueryTree, type QueryFinding } from './rules.js';

/** Parses the query with DuckDB's own parser (no execution) and applies the rules. */
export async function lintQuery(engine: DuckDBEngine, sql: string): Promise<QueryFinding[]> {
  const { rows } = await engine.all('SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS tree', { sql });
  const tree = JSON.parse(String(rows[0]?.['tree'])) as { error?: boolean; error_message?: string; statements?: unknown };
  if (tree.error) throw new TrailbookError('SQL', `the query does not parse: ${tree.error_message ?? 'syntax error'}`);
  return lintQueryTree(tree.statements, sql);
}

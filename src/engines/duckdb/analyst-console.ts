import type { DuckDBEngine } from './engine.js';
import { TrailbookError } from '../../errors.js';

/**
 * `trailbook sql` is a read-only analyst console: log fields are attacker-controlled and queries
 * are pasted from tickets and chats, so what a query may do is decided by DuckDB itself, never by
 * matching the SQL text:
 *
 * - the engine is locked by DuckDB settings (`lockAnalystEngine`): no file or network access
 *   unless `--allow-files` (local files only: extensions are neither installed nor loaded, so
 *   `http://`/`s3://` still fail), no extension auto-install or auto-load, and the configuration
 *   locked so no statement can undo it;
 * - exactly one statement, and DuckDB's own parser must call it a query (`checkAnalystStatement`):
 *   SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW and SUMMARIZE all parse as SELECT; EXPLAIN is
 *   allowed when what it explains is such a query (EXPLAIN ANALYZE runs it).
 */
export interface AnalystConsoleOptions {
  /** Let queries read local files (`read_csv('x.csv')`); still no writes, installs or network. */
  allowFiles: boolean;
}

/**
 * Applies the console's settings to the engine's instance. Run after the store's macros are
 * installed (DuckDBEngine.open does that): `lock_configuration` comes last, so nothing can be
 * changed afterwards, by trailbook or by the query.
 */
export async function lockAnalystEngine(engine: DuckDBEngine, options: AnalystConsoleOptions): Promise<void> {
  await engine.run('SET autoinstall_known_extensions = false');
  await engine.run('SET autoload_known_extensions = false');
  // DuckDB only lets this go from true to false while running: once off, it stays off.
  if (!options.allowFiles) await engine.run('SET enable_external_access = false');
  await engine.run('SET lock_configuration = true');
}

/**
 * Throws SQL_REFUSED unless `sql` is exactly one statement DuckDB parses as a query; returns the
 * query itself (what an EXPLAIN explains), for the port-query linter. Only parsed, never prepared:
 * binding can already act (with --allow-files, preparing `EXPORT DATABASE 'd'` creates `d`).
 */
export async function checkAnalystStatement(engine: DuckDBEngine, sql: string): Promise<string> {
  await requireOneStatement(engine, sql);
  // json_serialize_sql serializes SELECT statements only (DESCRIBE, SHOW, SUMMARIZE, FROM-first
  // and VALUES parse as SELECT): DuckDB's parser decides what is a query.
  if (await isQuery(engine, sql)) return sql;
  // EXPLAIN is not serializable, and EXPLAIN ANALYZE runs what it explains (COPY … TO included).
  // The keywords are cut off only to find where the explained statement starts; DuckDB parses
  // the rest, and anything that does not parse on its own as one query is refused.
  const prefix = EXPLAIN_PREFIX.exec(sql);
  const explained = prefix ? sql.slice(prefix[0].length) : '';
  if (
    prefix &&
    (await engine.connection.extractStatements(explained).then(
      (e) => e.count === 1,
      () => false,
    )) &&
    (await isQuery(engine, explained))
  ) {
    return explained;
  }
  throw refused('not a query: trailbook sql runs one SELECT, WITH, DESCRIBE, SHOW, or EXPLAIN of a query');
}

/**
 * DuckDB's errors for what the locked settings stop (file or network access, a missing extension,
 * a locked option) are refusals by the console, not SQL mistakes: the same exit code as a
 * statement refused before running. Anything else is returned unchanged.
 */
export function asConsoleRefusal(error: unknown, options: AnalystConsoleOptions): unknown {
  if (!(error instanceof TrailbookError) || error.code !== 'SQL') return error;
  if (/^Permission Error:.*disabled by configuration/m.test(error.message)) {
    return refused(firstLine(error.message), options.allowFiles ? undefined : 'add --allow-files to let the query read local files');
  }
  if (/^Missing Extension Error:/m.test(error.message) || /configuration has been locked/.test(error.message)) {
    return refused(firstLine(error.message));
  }
  return error;
}

/**
 * What a failed console query says to the analyst: a missing table with the store's tables, a
 * refusal by the locked settings as SQL_REFUSED, anything else unchanged (`trailbook sql` and the
 * workspace's console alike).
 */
export async function consoleError(engine: DuckDBEngine, error: unknown, options: AnalystConsoleOptions): Promise<unknown> {
  return (await unknownTable(engine, error)) ?? asConsoleRefusal(error, options);
}

/** Written by `trailbook exposures` (and kept in the store), so a store may not have them yet. */
const WRITTEN_BY_EXPOSURES = ['port_exposures', 'port_exposure_windows'];

/**
 * DuckDB answers a table that does not exist with a guess from its own catalog ("Did you mean
 * pg_sequences?"); say instead which tables this store has, and how to see their columns.
 */
async function unknownTable(engine: DuckDBEngine, error: unknown): Promise<TrailbookError | undefined> {
  if (!(error instanceof TrailbookError) || error.code !== 'SQL') return undefined;
  const missing = /Catalog Error: Table with name (.+?) does not exist/.exec(error.message);
  if (!missing) return undefined;
  const { rows } = await engine.all(
    `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
     UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
     ORDER BY name`,
  );
  const tables = rows.map((r) => String(r['name']));
  const absent = WRITTEN_BY_EXPOSURES.filter((t) => !tables.includes(t));
  return new TrailbookError('SQL', `no table "${missing[1]}" in the store; its tables: ${tables.join(', ') || 'none'}`, {
    hint: `e.g. SELECT * FROM cloudtrail_logs LIMIT 10; DESCRIBE cloudtrail_logs lists its columns${
      absent.length ? `; ${absent.join(' and ')} appear once \`trailbook exposures\` has run on this store` : ''
    }`,
    cause: error,
  });
}

// EXPLAIN, then ANALYZE and/or a parenthesised option list, each optional.
const EXPLAIN_PREFIX = /^\s*explain\s+(?:analy[sz]e\s+)?(?:\([^()]*\)\s*)?/i;

async function requireOneStatement(engine: DuckDBEngine, sql: string): Promise<void> {
  let count;
  try {
    count = (await engine.connection.extractStatements(sql)).count;
  } catch (error) {
    throw new TrailbookError('SQL', firstLine((error as Error).message), { cause: error });
  }
  if (count !== 1) throw refused(`exactly one statement is allowed, got ${count}`, 'run each statement on its own');
}

async function isQuery(engine: DuckDBEngine, sql: string): Promise<boolean> {
  const { rows } = await engine.all('SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS tree', { sql });
  const tree = JSON.parse(String(rows[0]?.['tree'])) as { error?: boolean; statements?: unknown[] };
  return tree.error !== true && tree.statements?.length === 1;
}

function refused(message: string, hint = 'trailbook sql only reads: SELECT, WITH, DESCRIBE, SHOW, EXPLAIN'): TrailbookError {
  return new TrailbookError('SQL_REFUSED', message, { hint });
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

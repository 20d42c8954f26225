import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { asConsoleRefusal, checkAnalystStatement, lockAnalystEngine } from '../../engines/duckdb/analyst-console.js';
import { TrailbookError } from '../../errors.js';
import { requireStore } from '../../store/location.js';
import { lintQuery } from '../../sqlcheck/lint-query.js';
import { formatQueryFindings } from '../../sqlcheck/rules.js';
import { formatRows, parseTabularFormat } from '../../report/tabular.js';
import { DB_HELP, settingsFor } from '../options.js';

interface SqlFlags {
  db?: string;
  format: string;
  file?: string;
  lint: boolean;
  allowFiles?: boolean;
}

function queryText(query: string | undefined, file: string | undefined): string {
  if (file) {
    try {
      return readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (error) {
      throw new TrailbookError('INPUT', `cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        hint: 'give the path of a file holding one query, or - for standard input',
      });
    }
  }
  if (query) return query;
  throw new TrailbookError('USAGE', 'give a query, or --file FILE');
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

export function register(program: Command): void {
  program
    .command('sql')
    .description('run Athena SQL on the local store (cloudtrail_logs, vpc_flow_logs, port_exposures)')
    .argument('[query]', 'the SQL text (or --file)')
    .option('--db <file>', DB_HELP)
    .option('--file <file>', 'read the query from a file (- for stdin)')
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .option('--no-lint', 'do not warn about port-matching mistakes')
    .option('--allow-files', 'let the query read local files (read_csv, read_json, …); still one read-only statement, no network, no installs')
    .action(async (query: string | undefined, flags: SqlFlags) => {
      const format = parseTabularFormat(flags.format);
      const sql = queryText(query, flags.file);
      const { db } = settingsFor({ db: flags.db }, ['db']);
      requireStore(db);
      const engine = await DuckDBEngine.open({ path: db, readOnly: true });
      const access = { allowFiles: flags.allowFiles === true };
      try {
        // A read-only analyst console (engines/duckdb/analyst-console.ts): locked before the
        // query is even parsed, whatever --no-lint says.
        await lockAnalystEngine(engine, access);
        const queried = await checkAnalystStatement(engine, sql);
        if (flags.lint) {
          const findings = await lintQuery(engine, queried);
          if (findings.length) process.stderr.write(formatQueryFindings(findings) + '\n');
        }
        const { columns, rows } = await engine.all(sql);
        process.stdout.write(formatRows(format, columns, rows));
      } catch (error) {
        throw (await unknownTable(engine, error)) ?? asConsoleRefusal(error, access);
      } finally {
        await engine.close();
      }
    });

  program
    .command('lint-query')
    .description('explain why a CloudTrail port query over- or under-reports, and what to run instead')
    .argument('[query]', 'the SQL text (or --file)')
    .option('--file <file>', 'read the query from a file (- for stdin)')
    .option('--format <format>', 'text | json', 'text')
    .action(async (query: string | undefined, flags: { file?: string; format: string }) => {
      const sql = queryText(query, flags.file);
      const engine = await DuckDBEngine.open({ path: ':memory:' });
      try {
        const findings = await lintQuery(engine, sql);
        if (flags.format === 'json') process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
        else process.stdout.write(findings.length ? formatQueryFindings(findings) : 'no port-matching problems found\n');
        if (findings.some((f) => f.severity === 'error')) process.exitCode = 1;
      } finally {
        await engine.close();
      }
    });
}

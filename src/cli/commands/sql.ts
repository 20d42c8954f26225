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
      throw new TrailbookError('INPUT', `cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'give the path of a file holding one query, or - for standard input' });
    }
  }
  if (query) return query;
  throw new TrailbookError('USAGE', 'give a query, or --file FILE');
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
        throw asConsoleRefusal(error, access);
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

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { checkAnalystStatement, consoleError, lockAnalystEngine } from '../../engines/duckdb/analyst-console.js';
import { TrailbookError } from '../../errors.js';
import { requireStore } from '../../store/location.js';
import { lintQuery } from '../../sqlcheck/lint-query.js';
import { formatQueryFindings } from '../../sqlcheck/rules.js';
import { formatRows, parseTabularFormat } from '../../report/tabular.js';
import { DB_HELP, settingsFor } from '../options.js';
import { addEngineOptions, athenaSettings, type EngineFlags, withInterrupt } from '../athena-flags.js';
import { costLine, openAthena } from '../../engines/athena/open.js';

interface SqlFlags extends EngineFlags {
  db?: string;
  format: string;
  file?: string;
  lint: boolean;
  allowFiles?: boolean;
}

async function warnPortMistakes(engine: DuckDBEngine, sql: string): Promise<void> {
  const findings = await lintQuery(engine, sql);
  if (findings.length) process.stderr.write(formatQueryFindings(findings) + '\n');
}

/**
 * `--engine athena`: the same one-query rule as the local console, decided by DuckDB's parser on
 * an empty in-memory engine (nothing runs there), then the query runs on Athena; what it scanned
 * and cost goes to stderr. Ctrl-C stops the query on Athena.
 */
async function sqlOnAthena(text: string, format: ReturnType<typeof parseTabularFormat>, flags: SqlFlags): Promise<void> {
  const checker = await DuckDBEngine.open({ path: ':memory:' });
  try {
    await lockAnalystEngine(checker, { allowFiles: false });
    const queried = await checkAnalystStatement(checker, text);
    if (flags.lint) await warnPortMistakes(checker, queried);
  } finally {
    await checker.close();
  }
  await withInterrupt(async (signal) => {
    const engine = openAthena(athenaSettings(flags, signal));
    try {
      const { columns, rows } = await engine.all(text);
      process.stdout.write(formatRows(format, columns, rows));
    } finally {
      await engine.close();
      if (engine.stats.length) process.stderr.write(costLine(engine) + '\n');
    }
  });
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

export function register(program: Command): void {
  const sql = program
    .command('sql')
    .description('run Athena SQL on the local store (cloudtrail_logs, vpc_flow_logs, port_exposures), or on Athena itself with --engine athena')
    .argument('[query]', 'the SQL text (or --file)')
    .option('--db <file>', DB_HELP)
    .option('--file <file>', 'read the query from a file (- for stdin)')
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .option('--no-lint', 'do not warn about port-matching mistakes')
    .option('--allow-files', 'let the query read local files (read_csv, read_json, …); still one read-only statement, no network, no installs');
  addEngineOptions(sql).action(async (query: string | undefined, flags: SqlFlags) => {
    const format = parseTabularFormat(flags.format);
    const text = queryText(query, flags.file);
    if (flags.engine === 'athena') return sqlOnAthena(text, format, flags);
    const { db } = settingsFor({ db: flags.db }, ['db']);
    requireStore(db);
    const engine = await DuckDBEngine.open({ path: db, readOnly: true });
    const access = { allowFiles: flags.allowFiles === true };
    try {
      // A read-only analyst console (engines/duckdb/analyst-console.ts): locked before the
      // query is even parsed, whatever --no-lint says.
      await lockAnalystEngine(engine, access);
      const queried = await checkAnalystStatement(engine, text);
      if (flags.lint) await warnPortMistakes(engine, queried);
      const { columns, rows } = await engine.all(text);
      process.stdout.write(formatRows(format, columns, rows));
    } catch (error) {
      throw await consoleError(engine, error, access);
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

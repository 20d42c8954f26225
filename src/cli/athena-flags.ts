import { Option, type Command } from 'commander';
import type { AthenaSettings } from '../engines/athena/open.js';
import { DEFAULT_HISTORY_DAYS } from '../engines/athena/engine.js';
import { TrailbookError } from '../errors.js';

/** `--engine` and the Athena flags, shared by the commands that can run on Athena (docs/athena.md). */
export interface EngineFlags {
  engine: 'duckdb' | 'athena';
  athenaWorkgroup?: string;
  athenaOutput?: string;
  athenaDatabase?: string;
  athenaCatalog?: string;
  region?: string;
  profile?: string;
  /** `--athena-history` (run and investigate): days, or all (the whole trail). */
  athenaHistory?: number | 'all';
}

/** `region`/`profile` false: the command defines that flag already (e.g. `--profile` for s3:// paths, the same AWS profile). */
export function addEngineOptions(command: Command, options: { region?: boolean; profile?: boolean } = {}): Command {
  command
    .addOption(new Option('--engine <engine>', 'where the SQL runs: the local store, or Amazon Athena').choices(['duckdb', 'athena']).default('duckdb'))
    .option('--athena-workgroup <name>', 'Athena workgroup (default: primary)')
    .option('--athena-output <s3url>', 'query results location, s3://bucket/prefix/ (unless the workgroup sets one)')
    .option('--athena-database <name>', 'database holding cloudtrail_logs and vpc_flow_logs (default: default)')
    .option('--athena-catalog <name>', 'data catalog (default: AwsDataCatalog)');
  if (options.profile !== false) command.option('--profile <name>', 'AWS profile for --engine athena (default: the standard credential chain)');
  if (options.region !== false) command.option('--region <name>', 'AWS region for --engine athena (default: AWS_REGION)');
  return command;
}

export function athenaSettings(flags: EngineFlags, signal?: AbortSignal): AthenaSettings {
  return {
    workgroup: flags.athenaWorkgroup,
    outputLocation: flags.athenaOutput,
    database: flags.athenaDatabase,
    catalog: flags.athenaCatalog,
    region: flags.region,
    profile: flags.profile,
    ...(flags.athenaHistory === undefined ? {} : { historyDays: flags.athenaHistory === 'all' ? null : flags.athenaHistory }),
    signal,
  };
}

/** An AbortSignal that fires on Ctrl-C while `run` runs, so a running Athena query is stopped, not left billing. */
export async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await run(controller.signal);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** `--athena-history <days|all>`, for commands whose built-in steps read history (run, investigate). */
export function addHistoryOption(command: Command): Command {
  return command.option(
    '--athena-history <days>',
    `--engine athena: days of history read before the window for exposure openings and interface groups, or "all" for the whole trail (default ${DEFAULT_HISTORY_DAYS}; docs/athena.md)`,
    parseHistoryDays,
  );
}

/** Days, or 'all' (commander keeps no null: it would turn one into ''). */
export function parseHistoryDays(value: string): number | 'all' {
  if (value === 'all') return 'all';
  if (!/^\d{1,5}$/.test(value))
    throw new TrailbookError('USAGE', `--athena-history ${value} is not a number of days`, { hint: 'give whole days (e.g. 90), or all' });
  return Number(value);
}

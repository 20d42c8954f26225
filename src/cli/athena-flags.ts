import { Option, type Command } from 'commander';
import type { AthenaSettings } from '../engines/athena/open.js';

/** `--engine` and the Athena flags, shared by the commands that can run on Athena (docs/athena.md). */
export interface EngineFlags {
  engine: 'duckdb' | 'athena';
  athenaWorkgroup?: string;
  athenaOutput?: string;
  athenaDatabase?: string;
  athenaCatalog?: string;
  region?: string;
  profile?: string;
}

export function addEngineOptions(command: Command, options: { region: boolean } = { region: true }): Command {
  command
    .addOption(new Option('--engine <engine>', 'where the SQL runs: the local store, or Amazon Athena').choices(['duckdb', 'athena']).default('duckdb'))
    .option('--athena-workgroup <name>', 'Athena workgroup (default: primary)')
    .option('--athena-output <s3url>', 'query results location, s3://bucket/prefix/ (unless the workgroup sets one)')
    .option('--athena-database <name>', 'database holding cloudtrail_logs and vpc_flow_logs (default: default)')
    .option('--athena-catalog <name>', 'data catalog (default: AwsDataCatalog)')
    .option('--profile <name>', 'AWS profile for --engine athena (default: the standard credential chain)');
  if (options.region) command.option('--region <name>', 'AWS region for --engine athena (default: AWS_REGION)');
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

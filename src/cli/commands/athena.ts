import type { Command } from 'commander';
import { athenaDdl, DEFAULT_REGIONS } from '../../tables/athena-ddl.js';

interface DdlFlags {
  location: string;
  database?: string;
  account: string[];
  region?: string[];
  since: string;
  flowFields?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

export function register(program: Command): void {
  const athena = program.command('athena').description('run the same runbooks on Amazon Athena: the tables it needs (docs/athena.md)');
  athena
    .command('ddl')
    .description('print CREATE EXTERNAL TABLE for cloudtrail_logs and vpc_flow_logs, with partition projection on account, region and day')
    .requiredOption('--location <s3url>', 's3://bucket[/prefix]: the folder that holds AWSLogs/')
    .requiredOption('--account <ids>', 'account id(s) in the bucket (repeat, or comma-separated)', collect)
    .option('--region <names>', 'regions to project (repeat, or comma-separated; default: every commercial region)', collect)
    .option('--database <name>', 'qualify the tables with this database (as --athena-database)')
    .option('--since <YYYY/MM/DD>', 'first day of logs in the bucket', '2020/01/01')
    .option('--flow-fields <format>', "the flow logs' format, e.g. '${version} ${account-id} …' (default: AWS's default version-2 format)")
    .action((flags: DdlFlags) => {
      const flowFields = flags.flowFields?.match(/[a-z0-9-]+/g) ?? undefined;
      process.stdout.write(
        athenaDdl({
          location: flags.location,
          database: flags.database,
          accounts: flags.account,
          regions: flags.region?.length ? flags.region : DEFAULT_REGIONS,
          since: flags.since,
          flowFields,
        }),
      );
    });
}

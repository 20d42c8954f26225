import type { Command } from 'commander';
import { parseParamArgs } from '../../runbook/compile.js';
import { resolveRunbook } from '../../runbook/resolve.js';
import { collectList, DB_HELP, settingsFor, TimeFlags } from '../options.js';
import { addReportOptions, runReport, type ReportFlags } from '../report-run.js';

interface RunFlags extends ReportFlags {
  db?: string;
  intel?: string[];
  trusted?: string;
  param?: string[];
}

/** `trailbook run <runbook> [paths…] --param k=v`: any runbook, by folder or id, on the store. */
export function register(program: Command): void {
  const command = program
    .command('run')
    .description("ingest what is new, run any runbook (a folder, or the id of a bundled one), and print its answers and a decision per finding")
    .argument('<runbook>', 'a runbook folder (holding runbook.yaml), or an id: ./runbooks/<id>, else a bundled runbook (`trailbook runbook list`)')
    .argument('[paths...]', 'CloudTrail and VPC Flow Log files or folders to ingest first (optional: the store may already hold them)')
    .option('--param <name=value>', "a runbook parameter (repeat); `trailbook runbook plan <runbook>` lists them with their types and defaults", collectList)
    .option('--db <file>', DB_HELP)
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML')
    .addHelpText(
      'after',
      `
Examples:
  trailbook run port-exposure ./AWSLogs --param port=3389 --param from=now-7d
  trailbook run credential-compromise ./AWSLogs --param from=2024-05-01 --trusted trusted-networks.yaml
  trailbook run ./my-runbooks/s3-exfil --format json --out report.json`,
    );
  addReportOptions(command, 'v2').action(async (reference: string, paths: string[], flags: RunFlags) => {
    const runbookDir = resolveRunbook(reference);
    const times = new TimeFlags();
    times.announce();
    const settings = settingsFor({ db: flags.db, intel: flags.intel, trusted: flags.trusted }, ['db', 'intel', 'trusted']);
    await runReport(paths, flags, { runbookDir, parameters: parseParamArgs(flags.param ?? []), settings, now: times.now });
  });
}

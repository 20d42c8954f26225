import type { Command } from 'commander';
import { resolveRunbook } from '../../runbook/resolve.js';
import { collectList, DB_HELP, runbookParameters, settingsFor, SINCE_HELP, TimeFlags } from '../options.js';
import { addReportOptions, runReport, type ReportFlags } from '../report-run.js';

interface RunFlags extends ReportFlags {
  db?: string;
  intel?: string[];
  trusted?: string;
  param?: string[];
  since?: string;
}

/** `trailbook run <runbook> [paths…] --param k=v`: any runbook, by folder or id, on the store. */
export function register(program: Command): void {
  const command = program
    .command('run')
    .description('ingest what is new, run any runbook (a folder, or the id of a bundled one), and print its answers and a decision per finding')
    .argument('<runbook>', 'a runbook folder (holding runbook.yaml), or an id: ./runbooks/<id>, else a bundled runbook (`trailbook runbook list`)')
    .argument('[paths...]', 'CloudTrail and VPC Flow Log files or folders to ingest first (optional: the store may already hold them)')
    .option('--param <name=value>', 'a runbook parameter (repeat); `trailbook runbook plan <runbook>` lists them with their types and defaults', collectList)
    .option('--since <duration>', `${SINCE_HELP} (sets the runbook's from parameter)`)
    .option('--db <file>', DB_HELP)
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML');
  addReportOptions(command, 'v2').action(async (reference: string, paths: string[], flags: RunFlags) => {
    const runbookDir = resolveRunbook(reference);
    const times = new TimeFlags();
    const parameters = runbookParameters(flags, times);
    times.announce();
    const settings = settingsFor({ db: flags.db, intel: flags.intel, trusted: flags.trusted }, ['db', 'intel', 'trusted']);
    await runReport(paths, flags, { runbookDir, parameters, settings, now: times.now });
  });
}

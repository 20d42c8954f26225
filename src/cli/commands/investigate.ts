import type { Command } from 'commander';
import { findUnmodelledChanges } from '../../ports/index.js';
import { portOption } from '../../config/port.js';
import { collectList, DB_HELP, PORT_HELP, runbookOption, settingsFor, SINCE_HELP, parseProtocolFlag, PROTOCOL_HELP, TimeFlags } from '../options.js';
import { addReportOptions, runReport, type ReportFlags } from '../report-run.js';
import { serveUntilStopped } from './serve.js';

interface InvestigateFlags extends ReportFlags {
  db?: string;
  port?: number;
  protocol?: string;
  from?: string;
  since?: string;
  to?: string;
  intel?: string[];
  trusted?: string;
  runbook: string;
  serve?: boolean;
}

/**
 * `investigate`: the port runbook's preset of `trailbook run` — its parameters as flags (with
 * TRAILBOOK_PORT and trailbook.yaml behind them), and the v1 JSON its consumers parse.
 */
export function register(program: Command): void {
  const command = program
    .command('investigate')
    .description('ingest what is new, run the port runbook, and print the five answers and a decision per finding')
    .argument('[paths...]', 'CloudTrail and VPC Flow Log files or folders to ingest first (optional: the store may already hold them)')
    .option('--db <file>', DB_HELP)
    .option('--port <port>', PORT_HELP, portOption)
    .option('--protocol <protocol>', PROTOCOL_HELP)
    .option('--from <time>', 'start of the window: ISO-8601 (UTC when no zone), now-2h, 7d')
    .option('--since <duration>', SINCE_HELP)
    .option('--to <time>', 'end of the window: ISO-8601 (UTC when no zone), now')
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML')
    .addOption(runbookOption())
    .option('--serve', 'after the report, open the web workspace on the same store (port 7443; docs/serve.md) until Ctrl-C');
  addReportOptions(command, 'v1').action(async (paths: string[], flags: InvestigateFlags) => {
    const times = new TimeFlags();
    const from = times.start(flags);
    const to = times.parse(flags.to, '--to');
    times.announce();
    const settings = settingsFor({ db: flags.db, intel: flags.intel, trusted: flags.trusted, port: flags.port, protocol: parseProtocolFlag(flags.protocol) }, [
      'db',
      'intel',
      'trusted',
      'port',
      'protocol',
    ]);
    const parameters: Record<string, unknown> = { port: settings.port };
    if (settings.protocol) parameters['protocol'] = settings.protocol;
    if (from) parameters['from'] = from.iso;
    if (to) parameters['to'] = to.iso;
    await runReport(paths, flags, {
      runbookDir: flags.runbook,
      parameters,
      settings,
      now: times.now,
      // Not yet a report section: said beside the report, so a path change is never silently absent.
      notes: async (engine) => {
        const unmodelled = await findUnmodelledChanges(engine, { from: from?.iso, to: to?.iso });
        if (!unmodelled.length) return [];
        return [
          `${unmodelled.length} call${unmodelled.length === 1 ? '' : 's'} changed a network path trailbook does not model (routes, Elastic IPs, public access…): see \`trailbook exposures --unmodelled\``,
        ];
      },
    });
    if (flags.serve) {
      await serveUntilStopped({ db: flags.db, intel: flags.intel, trusted: flags.trusted, port: '7443', host: '127.0.0.1', open: true });
    }
  });
}

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { ingestPaths } from '../../ingest/ingest.js';
import { loadIntel } from '../../intel/index.js';
import { investigate } from '../../investigate/investigate.js';
import { findUnmodelledChanges } from '../../ports/index.js';
import { storeInputs } from '../../investigate/inputs.js';
import { renderReport, isReportFormat, summaryLine } from '../../report/render/index.js';
import { loadRunbook } from '../../runbook/load.js';
import { TrailbookError } from '../../errors.js';
import { writeOutputFile } from '../../files.js';
import { portOption } from '../../config/port.js';
import { requireStore } from '../../store/location.js';
import { sanitizeForTerminal } from '../../report/escape.js';
import { ACTIONS, compareActions, type Action } from '../../decide/actions.js';
import { collectList, DB_HELP, PORT_HELP, settingsFor, parseProtocolFlag, PROTOCOL_HELP, TimeFlags } from '../options.js';
import { ingestProgressText, progressBar } from '../progress.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-flags.js';
import { nothingReadError } from '../../report/ingest-summary.js';

/** The port runbook shipped with trailbook; `--runbook DIR` runs another. */
const BUNDLED_RUNBOOK = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'runbooks', 'port-exposure');

interface InvestigateFlags extends LimitFlags {
  db?: string;
  port?: number;
  protocol?: string;
  from?: string;
  to?: string;
  intel?: string[];
  trusted?: string;
  format: string;
  out?: string;
  runbook: string;
  progress: boolean;
  failOn?: string;
  full?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('investigate')
    .description('ingest what is new, run the port runbook, and print the five answers and a decision per finding')
    .argument('[paths...]', 'CloudTrail and VPC Flow Log files or folders to ingest first (optional: the store may already hold them)')
    .option('--db <file>', DB_HELP)
    .option('--port <port>', PORT_HELP, portOption)
    .option('--protocol <protocol>', PROTOCOL_HELP)
    .option('--from <time>', 'start of the window: ISO-8601 (UTC when no zone), now-2h, 7d')
    .option('--to <time>', 'end of the window: ISO-8601 (UTC when no zone), now')
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML')
    .option('--format <format>', 'text | json | md | html', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--runbook <dir>', 'the runbook folder', BUNDLED_RUNBOOK)
    .option('--fail-on <action>', 'exit 1 when a finding is this severe or worse: isolate | escalate | ticket | false-positive')
    .option('--full', 'text and md: every evidence row and party (by default long lists show their first and last entries)')
    .option('--quiet', 'print only the one-line summary (outcome, counts, first seen); the exit status and --out are unchanged')
    .option('--no-progress', 'no progress bar');
  addLimitOptions(command).action(async (paths: string[], flags: InvestigateFlags) => {
      if (!isReportFormat(flags.format)) throw new TrailbookError('USAGE', `unknown format "${flags.format}"`, { hint: 'use text, json, md or html' });
      const failOn = flags.failOn;
      if (failOn !== undefined && !(ACTIONS as readonly string[]).includes(failOn)) {
        throw new TrailbookError('USAGE', `--fail-on "${failOn}" is not an action`, { hint: `use one of: ${ACTIONS.join(', ')}` });
      }
      const times = new TimeFlags();
      const from = times.parse(flags.from, '--from');
      const to = times.parse(flags.to, '--to');
      times.announce();
      const settings = settingsFor(
        { db: flags.db, intel: flags.intel, trusted: flags.trusted, port: flags.port, protocol: parseProtocolFlag(flags.protocol) },
        ['db', 'intel', 'trusted', 'port', 'protocol'],
      );
      const { db, port, protocol } = settings;
      const limits = limitsFromFlags(flags);
      const runbook = await loadRunbook(flags.runbook);
      const intel = await loadIntel({ feeds: settings.intel, trusted: settings.trusted });
      if (!paths.length) requireStore(db);
      // Nothing to ingest: a current store is only read (read-only open, see openForReading).
      const engine = paths.length ? await DuckDBEngine.open({ path: db }) : await DuckDBEngine.openForReading({ path: db });
      try {
        if (paths.length) {
          const bar = progressBar('ingest', flags.progress && !flags.quiet && flags.format === 'text' && !flags.out);
          const summary = await ingestPaths(engine, paths, { limits, onProgress: (p) => bar.update(p.filesDone, p.filesTotal, ingestProgressText(p)) });
          bar.done();
          for (const warning of summary.warnings) process.stderr.write(`trailbook: warning: ${sanitizeForTerminal(warning)}\n`);
          const nothing = nothingReadError(summary, 'nothing could be read from the given paths', 'run `trailbook ingest` on them to see why');
          if (nothing) throw nothing;
        }
        const inputs = await storeInputs(engine);
        if (inputs.cloudtrail.events === 0 && inputs.vpcflow.records === 0) {
          throw new TrailbookError('INPUT', `the store ${db} holds no CloudTrail events and no flow records`, {
            hint: 'give the log folders to investigate (trailbook investigate ./AWSLogs), or --db for another store',
          });
        }
        const parameters: Record<string, unknown> = { port };
        if (protocol) parameters['protocol'] = protocol;
        if (from) parameters['from'] = from.iso;
        if (to) parameters['to'] = to.iso;
        const report = await investigate(engine, { runbook, parameters, intel, inputs: { ...inputs, config: settings.provenance }, now: times.now });
        // Not yet a report section: said beside the report, so a path change is never silently absent.
        const unmodelled = await findUnmodelledChanges(engine, { from: from?.iso, to: to?.iso });
        if (unmodelled.length && !flags.quiet) {
          process.stderr.write(`trailbook: note: ${unmodelled.length} call${unmodelled.length === 1 ? '' : 's'} changed a network path trailbook does not model (routes, Elastic IPs, public access…): see \`trailbook exposures --unmodelled\`\n`);
        }
        const color = flags.format === 'text' && !flags.out && !process.env['NO_COLOR'] && process.stdout.isTTY === true;
        const text = renderReport(report, flags.format, { color, width: process.stdout.columns, full: flags.full === true });
        if (flags.out) {
          writeOutputFile(flags.out, text, '--out');
          if (!flags.quiet) process.stderr.write(`report written to ${flags.out}\n`);
        } else if (!flags.quiet) process.stdout.write(text);
        if (flags.quiet) process.stdout.write(`${summaryLine(report)}\n`);
        // For pipelines and SOAR: the report is printed either way; the exit status says whether to act.
        if (failOn && report.findings.some((f) => compareActions(f.decision.action, failOn as Action) <= 0)) process.exitCode = 1;
      } finally {
        await engine.close();
      }
    });
}

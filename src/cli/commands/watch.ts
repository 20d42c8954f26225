import type { Command } from 'commander';
import { Outbox } from '../../alerts/outbox.js';
import { TrailbookError } from '../../errors.js';
import { feedsWithInstalledRanges } from '../../intel/aws-ranges.js';
import { loadIntel } from '../../intel/index.js';
import { sanitizeForTerminal } from '../../report/escape.js';
import { compile } from '../../runbook/compile.js';
import { loadRunbook } from '../../runbook/load.js';
import { resolveRunbook } from '../../runbook/resolve.js';
import { assertPathsExist } from '../../sources/local.js';
import type { PruneFilter } from '../../sources/s3-layout.js';
import { pathsLister } from '../../watch/lister.js';
import { addS3Options, s3SourceFor, type S3Flags } from '../s3-flags.js';
import { sinksFromFlags } from '../../watch/sinks.js';
import { outboxDirOf, parseInterval, runWatch } from '../../watch/watch.js';
import { addLimitOptions, type LimitFlags, limitsFromFlags } from '../limit-flags.js';
import { collectList, DB_HELP, runbookParameters, SINCE_HELP, settingsFor, TimeFlags } from '../options.js';

interface WatchFlags extends LimitFlags, S3Flags {
  runbook: string;
  param?: string[];
  since?: string;
  db?: string;
  intel?: string[];
  trusted?: string;
  interval: string;
  once?: boolean;
  webhook?: string;
  alerts?: string;
  reportDir?: string;
  /** Internal, hidden: write the outbox and the state, send nothing (a crash before sending, for tests). */
  skipDelivery?: boolean;
}

/** `trailbook watch <dir…>`: poll, ingest what is new, run a runbook, alert once per incident (docs/watch.md). */
export function register(program: Command): void {
  const command = program
    .command('watch')
    .description('poll log folders: ingest new files, run a runbook, and alert once per incident (again only when it gets worse)')
    .argument('<paths...>', 'CloudTrail and VPC Flow Log folders or files to watch, or s3://bucket/prefix (docs/s3.md)')
    .option('--runbook <runbook>', 'a runbook folder or a bundled id', 'port-exposure')
    .option('--param <name=value>', 'a runbook parameter (repeat), as `trailbook run` takes it', collectList)
    .option('--since <duration>', `${SINCE_HELP} (sets the runbook's from parameter, once, at start)`)
    .option('--db <file>', DB_HELP)
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML')
    .option('--interval <duration>', 'time between polls: 60s, 5m, 1h, 500ms, or 0', '60s')
    .option('--once', 'one cycle and one delivery attempt, then exit (cron, CI); exit 16 when an alert is left undelivered')
    .option('--webhook <url>', 'POST each alert as JSON to this URL, signed with HMAC-SHA256 when TRAILBOOK_WEBHOOK_SECRET is set (docs/alerts.md)')
    .option('--alerts <file>', "the sinks (Slack, PagerDuty, GitHub, Jira, webhooks, an OCSF folder) instead of trailbook.yaml's alerts: (docs/alerts.md)")
    .option('--report-dir <dir>', "write each eventful cycle's HTML report here; alerts name it")
    .option('--skip-delivery', 'internal: queue and record alerts without sending them');
  command.options.find((o) => o.long === '--skip-delivery')!.hidden = true;
  addS3Options(addLimitOptions(command)).action(async (paths: string[], flags: WatchFlags) => {
    // SIGINT/SIGTERM end the run between files, from the start (loading the intel takes a while);
    // the handlers are this run's only (tests run many in one process).
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await watchCommand(paths, flags, stop.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

async function watchCommand(paths: string[], flags: WatchFlags, signal: AbortSignal): Promise<void> {
  const settings = settingsFor({ db: flags.db, intel: flags.intel, trusted: flags.trusted }, ['db', 'intel', 'trusted']);
  const sinks = sinksFromFlags({ webhook: flags.webhook, alerts: flags.alerts }, process.env, settings.alerts);
  const intervalMs = parseInterval(flags.interval);
  const runbookDir = resolveRunbook(flags.runbook);
  const times = new TimeFlags();
  const parameters = runbookParameters(flags, times);
  times.announce();
  if (settings.db === ':memory:') throw new TrailbookError('USAGE', 'watch needs a store file: its state must outlive the process', { hint: 'give --db FILE' });
  const runbook = await loadRunbook(runbookDir);
  compile(runbook.runbook, parameters, { now: times.now });
  await assertPathsExist(paths);
  // A bucket that is missing or refused stops the watch at once; an empty prefix does not (logs may not have arrived yet).
  const s3 = await s3SourceFor(paths, flags, { emptyIsError: false });
  const intel = await loadIntel({ feeds: feedsWithInstalledRanges(settings.intel, settings.db), trusted: settings.trusted });

  const result = await runWatch({
    lister: pathsLister(paths, s3, listingWindow(parameters)),
    s3,
    db: settings.db,
    runbook,
    parameters,
    intel,
    provenance: settings.provenance,
    sinks,
    outbox: new Outbox(outboxDirOf(settings.db)),
    reportDir: flags.reportDir,
    intervalMs,
    once: flags.once === true,
    signal,
    limits: limitsFromFlags(flags),
    skipDelivery: flags.skipDelivery === true,
    log: (line) => process.stderr.write(`trailbook: ${sanitizeForTerminal(line)}\n`),
  });
  for (const failure of result.failed) {
    process.stderr.write(`trailbook: alert ${sanitizeForTerminal(failure.alertId)} not delivered: ${sanitizeForTerminal(failure.reason)} (kept in failed/)\n`);
  }
  if (result.interrupted) {
    throw new TrailbookError('INTERRUPTED', 'watch stopped by a signal', { hint: 'what was read is kept; the next run goes on from there' });
  }
  if (flags.once && !flags.skipDelivery && result.pending + result.failed.length > 0) {
    const waiting = `${result.pending} alert${result.pending === 1 ? '' : 's'} still in the outbox`;
    throw new TrailbookError('UNDELIVERED', result.failed.length ? `${waiting}, ${result.failed.length} refused for good (in failed/)` : waiting, {
      location: outboxDirOf(settings.db),
      hint: result.pending ? 'the next run sends the pending ones first; see the reason above' : 'the receiver refused them: see the reason above',
    });
  }
}

/**
 * The runbook's time window as a listing filter: an S3 poll lists only the day folders that can
 * hold its events (s3-layout.ts's delivery-lag rules), not years of them every cycle.
 */
function listingWindow(parameters: Record<string, unknown>): PruneFilter {
  const at = (value: unknown) => (typeof value === 'string' && Number.isFinite(Date.parse(value)) ? new Date(value) : undefined);
  const from = at(parameters['from']);
  const to = at(parameters['to']);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

import { DuckDBEngine } from '../local-store.js';
import type { Engine } from '../engines/engine.js';
import { ingestPaths } from '../ingest/ingest.js';
import { loadIntel } from '../intel/index.js';
import { feedsWithInstalledRanges } from '../intel/aws-ranges.js';
import { investigate } from '../investigate/investigate.js';
import { logsCoverage, storeInputs } from '../investigate/inputs.js';
import type { Report } from '../report/contract.js';
import { renderReport, isReportFormat, summaryLine } from '../report/render/index.js';
import { loadRunbook } from '../runbook/load.js';
import { compile } from '../runbook/compile.js';
import { logWindowOf } from '../runbook/log-window.js';
import { assertPathsExist } from '../sources/local.js';
import { addS3Options, s3SourceFor, type S3Flags } from './s3-flags.js';
import { TrailbookError } from '../errors.js';
import { writeOutputFile } from '../files.js';
import type { Settings } from '../config/settings.js';
import { requireStore } from '../store/location.js';
import { sanitizeForTerminal } from '../report/escape.js';
import { ACTIONS, compareActions, type Action } from '../decide/actions.js';
import { ingestProgressText, progressBar } from './progress.js';
import { outputWidth } from './output.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from './limit-flags.js';
import { nothingReadError } from '../report/ingest-summary.js';
import type { Command } from 'commander';

/**
 * What `investigate` and `run` share: ingest what is new, run one runbook on the store, print
 * or write the report, and set the exit status from `--fail-on`. The commands differ only in
 * how they name the runbook and its parameters.
 */
export interface ReportFlags extends LimitFlags, S3Flags {
  format: string;
  out?: string;
  schema?: string;
  failOn?: string;
  full?: boolean;
  quiet?: boolean;
  progress: boolean;
}

export function addReportOptions(command: Command, defaultSchema: 'v1' | 'v2'): Command {
  command
    .option('--format <format>', 'text | json | md | html | ocsf (OCSF Detection Findings, JSON Lines; docs/ocsf.md)', 'text')
    .option('--schema <version>', `the JSON contract: v2 (any runbook) or v1 (the port runbook's, until 2027-12-31; docs/report.md)`, defaultSchema)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <action>', 'exit 1 when a finding is this severe or worse: isolate | escalate | ticket | false-positive')
    .option('--full', 'text and md: every evidence row and party (by default long lists show their first and last entries)')
    .option('--quiet', 'print only the one-line summary (outcome, counts, first seen); the exit status and --out are unchanged')
    .option('--no-progress', 'no progress bar');
  return addS3Options(addLimitOptions(command));
}

export interface ReportRun {
  runbookDir: string;
  parameters: Record<string, unknown>;
  settings: Pick<Settings, 'db' | 'intel' | 'trusted' | 'provenance'>;
  now: Date;
  /** Said on stderr after the report is made (e.g. path changes trailbook does not model). */
  notes?: (engine: Engine, report: Report) => Promise<string[]>;
}

type Loaded<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** The runbook's report on what the open store holds (refused when it holds nothing). */
async function reportOn(engine: Engine, run: ReportRun, runbook: Loaded<typeof loadRunbook>, intel: Loaded<typeof loadIntel>): Promise<Report> {
  const inputs = await storeInputs(engine);
  if (inputs.cloudtrail.events === 0 && inputs.vpcflow.records === 0) {
    throw new TrailbookError('INPUT', `the store ${run.settings.db} holds no CloudTrail events and no flow records`, {
      hint: 'give the log folders to read first (trailbook run <runbook> ./AWSLogs), or --db for another store',
    });
  }
  return investigate(engine, { runbook, parameters: run.parameters, intel, inputs: { ...inputs, config: run.settings.provenance }, now: run.now });
}

/**
 * The report `run`/`investigate` would print, on what the store already holds (no ingest; a
 * read-only open), for commands that act on it (`respond plan`): `use` may read more from the
 * same store before it is closed.
 */
export async function withStoreReport<T>(run: ReportRun, use: (engine: Engine, report: Report) => Promise<T>): Promise<T> {
  const { db } = run.settings;
  const runbook = await loadRunbook(run.runbookDir);
  compile(runbook.runbook, run.parameters, { now: run.now });
  const intel = await loadIntel({ feeds: feedsWithInstalledRanges(run.settings.intel, db), trusted: run.settings.trusted });
  requireStore(db);
  const engine = await DuckDBEngine.openForReading({ path: db });
  try {
    return await use(engine, await reportOn(engine, run, runbook, intel));
  } finally {
    await engine.close();
  }
}

export async function runReport(paths: readonly string[], flags: ReportFlags, run: ReportRun): Promise<void> {
  if (!isReportFormat(flags.format)) throw new TrailbookError('USAGE', `unknown format "${flags.format}"`, { hint: 'use text, json, md, html or ocsf' });
  const schema = flags.schema ?? 'v2';
  if (schema !== 'v1' && schema !== 'v2') throw new TrailbookError('USAGE', `--schema "${schema}" is not a report contract`, { hint: 'use v1 or v2' });
  const failOn = flags.failOn;
  if (failOn !== undefined && !(ACTIONS as readonly string[]).includes(failOn)) {
    throw new TrailbookError('USAGE', `--fail-on "${failOn}" is not an action`, { hint: `use one of: ${ACTIONS.join(', ')}` });
  }
  const { db } = run.settings;
  const limits = limitsFromFlags(flags);
  const runbook = await loadRunbook(run.runbookDir);
  // Mistakes the user can fix at once come before any work, and before a store is opened or made:
  // a bad parameter, then a path that does not exist.
  const plan = compile(runbook.runbook, run.parameters, { now: run.now });
  await assertPathsExist(paths);
  const s3 = await s3SourceFor(paths, flags);
  // The AWS ranges `trailbook intel update` installed beside the store count as a feed.
  const intel = await loadIntel({ feeds: feedsWithInstalledRanges(run.settings.intel, db), trusted: run.settings.trusted });
  if (!paths.length) requireStore(db);
  // Nothing to ingest: a current store is only read (read-only open, see openForReading).
  const engine = paths.length ? await DuckDBEngine.open({ path: db }) : await DuckDBEngine.openForReading({ path: db });
  try {
    if (paths.length) {
      const bar = progressBar('ingest', flags.progress && !flags.quiet && flags.format === 'text' && !flags.out);
      const summary = await ingestPaths(engine, [...paths], {
        limits,
        s3,
        // Files delivered wholly outside the runbook's declared window are left unread (and unledgered).
        readWindow: logWindowOf(runbook.runbook, plan),
        onProgress: (p) => bar.update(p.filesDone, p.filesTotal, ingestProgressText(p)),
      });
      bar.done();
      for (const warning of summary.warnings) process.stderr.write(`trailbook: warning: ${sanitizeForTerminal(warning)}\n`);
      const nothing = nothingReadError(summary, 'nothing could be read from the given paths', 'run `trailbook ingest` on them to see why');
      if (nothing) throw nothing;
    }
    const report = await reportOn(engine, run, runbook, intel);
    if (!flags.quiet) for (const note of (await run.notes?.(engine, report)) ?? []) process.stderr.write(`trailbook: note: ${note}\n`);
    const color = flags.format === 'text' && !flags.out && !process.env['NO_COLOR'] && process.stdout.isTTY === true;
    // The header says "all logs" for a start the user did not give, and the span the logs cover.
    const coverage = { fromGiven: run.parameters['from'] !== undefined, logs: await logsCoverage(engine) };
    const text = renderReport(report, flags.format, { color, width: outputWidth(), full: flags.full === true, schema, coverage });
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
}

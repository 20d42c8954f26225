import { DuckDBEngine } from '../local-store.js';
import type { Engine } from '../engines/engine.js';
import { ingestPaths, type IngestOptions } from '../ingest/ingest.js';
import { answerFirstPlan, type AnswerFirstScope } from '../investigate/answer-first.js';
import { loadIntel } from '../intel/index.js';
import { feedsWithInstalledRanges } from '../intel/aws-ranges.js';
import { reportOnStore } from '../investigate/store-report.js';
import { logsCoverage, remoteEngineNotes } from '../investigate/inputs.js';
import type { EngineInput, Report } from '../report/contract.js';
import { renderReport, isReportFormat, summaryLine, type ReportFormat } from '../report/render/index.js';
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
import { addEngineOptions, addHistoryOption, athenaSettings, type EngineFlags, withInterrupt } from './athena-flags.js';
import { athenaInput, costLine, openAthena } from '../engines/athena/open.js';

/**
 * What `investigate` and `run` share: ingest what is new, run one runbook on the store (or, with
 * `--engine athena`, on Athena over the bucket: no ingest), print or write the report, and set the
 * exit status from `--fail-on`. The commands differ only in how they name the runbook and its
 * parameters.
 */
export interface ReportFlags extends LimitFlags, S3Flags, EngineFlags {
  format: string;
  out?: string;
  schema?: string;
  failOn?: string;
  full?: boolean;
  quiet?: boolean;
  progress: boolean;
  /** false: `--no-answer-first` (store the logs, then report). */
  answerFirst?: boolean;
}

export function addReportOptions(command: Command, defaultSchema: 'v1' | 'v2'): Command {
  command
    .option('--format <format>', 'text | json | md | html | ocsf (OCSF Detection Findings, JSON Lines; docs/ocsf.md)', 'text')
    .option('--schema <version>', `the JSON contract: v2 (any runbook) or v1 (the port runbook's, until 2027-12-31; docs/report.md)`, defaultSchema)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <action>', 'exit 1 when a finding is this severe or worse: isolate | escalate | ticket | false-positive')
    .option('--full', 'text and md: every evidence row and party (by default long lists show their first and last entries)')
    .option('--quiet', 'print only the one-line summary (outcome, counts, first seen); the exit status and --out are unchanged')
    .option('--no-progress', 'no progress bar')
    .option(
      '--no-answer-first',
      'into an empty store, store every log before the report (by default the report comes first, from a scan of what the runbook reads; docs/report.md)',
    );
  // `--profile` is the S3 options' own: the same AWS profile serves s3:// paths and Athena.
  return addHistoryOption(addEngineOptions(addS3Options(addLimitOptions(command)), { profile: false }));
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

/** A run made ready: the runbook loaded, the intel read, and where the logs are when not in the store. */
interface ReportJob {
  run: ReportRun;
  runbook: Loaded<typeof loadRunbook>;
  intel: Loaded<typeof loadIntel>;
  where?: EngineInput;
  /** The engine is the answer-first scan's store (investigate/answer-first.ts). */
  answeredFrom?: 'scan';
}

/** The runbook's report on what the open store holds (refused when it holds nothing). */
function reportOn(engine: Engine, { run, runbook, intel, where, answeredFrom }: ReportJob): Promise<Report> {
  return reportOnStore(engine, {
    db: run.settings.db,
    runbook,
    parameters: run.parameters,
    intel,
    config: run.settings.provenance,
    now: run.now,
    ...(where ? { where } : {}),
    ...(answeredFrom ? { answeredFrom } : {}),
  });
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
    return await use(engine, await reportOn(engine, { run, runbook, intel }));
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
  const onAthena = flags.engine === 'athena';
  if (onAthena && paths.length) {
    throw new TrailbookError('USAGE', '--engine athena reads the logs in their bucket: there is nothing to ingest', {
      hint: 'drop the paths (the tables `trailbook athena ddl` creates are the bucket), or leave out --engine athena to ingest them into the local store',
    });
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
  if (onAthena) {
    // Said before anything is billed: the runbooks' default start (2000-01-01) reads every day of the trail.
    if (run.parameters['from'] === undefined && !flags.quiet) {
      process.stderr.write('trailbook: warning: no start given (--since, --from or --param from): Athena reads, and bills, every day of the trail\n');
    }
    // Ctrl-C stops the running query on Athena instead of leaving it to scan (and bill).
    await withInterrupt(async (signal) => {
      const engine = openAthena(athenaSettings(flags, signal));
      try {
        await printReport(engine, flags, { run, runbook, intel, where: athenaInput(engine) });
      } finally {
        await engine.close();
        // What the run cost, said even when it failed part-way: Athena bills what it scanned.
        if (engine.stats.length) process.stderr.write(`${costLine(engine)}\n`);
      }
    });
    return;
  }
  if (!paths.length) requireStore(db);
  // Nothing to ingest: a current store is only read (read-only open, see openForReading).
  const engine = paths.length ? await DuckDBEngine.open({ path: db }) : await DuckDBEngine.openForReading({ path: db });
  const job: ReportJob = { run, runbook, intel };
  try {
    if (paths.length) {
      const showProgress = flags.progress && !flags.quiet && flags.format === 'text' && !flags.out;
      // Files delivered wholly outside the runbook's declared window are left unread (and unledgered).
      const ingest = { limits, s3, readWindow: logWindowOf(runbook.runbook, plan) };
      const first = flags.answerFirst === false || s3 ? null : answerFirstPlan(plan);
      const answered =
        first && 'scope' in first && (await storeIsEmpty(engine)) ? await answerFirst(paths, first.scope, ingest, flags, job, showProgress) : false;
      const bar = progressBar(answered ? 'storing' : 'ingest', showProgress);
      const summary = await ingestPaths(engine, [...paths], { ...ingest, onProgress: (p) => bar.update(p.filesDone, p.filesTotal, ingestProgressText(p)) });
      bar.done();
      for (const warning of summary.warnings) process.stderr.write(`trailbook: warning: ${sanitizeForTerminal(warning)}\n`);
      const nothing = nothingReadError(summary, 'nothing could be read from the given paths', 'run `trailbook ingest` on them to see why');
      if (nothing) throw nothing;
      if (answered) {
        if (!flags.quiet) process.stderr.write(`trailbook: note: the logs are now stored in ${run.settings.db}: the next run reads them from there\n`);
        return;
      }
    }
    await printReport(engine, flags, job);
  } finally {
    await engine.close();
  }
}

/** Whether the store holds no CloudTrail event and no flow record yet (a first run: cold). */
async function storeIsEmpty(engine: Engine): Promise<boolean> {
  const { rows } = await engine.all(
    'SELECT (SELECT count(*) FROM (SELECT 1 FROM cloudtrail_events LIMIT 1)) + (SELECT count(*) FROM (SELECT 1 FROM vpc_flow_records LIMIT 1)) AS n',
  );
  return Number(rows[0]?.['n'] ?? 0) === 0;
}

/**
 * The report first, from a scan of what the runbook reads into a throw-away store
 * (investigate/answer-first.ts); the caller then stores the logs. False, having printed nothing,
 * when the scan read nothing (the full ingest then says why).
 */
async function answerFirst(
  paths: readonly string[],
  scope: AnswerFirstScope,
  ingest: Pick<IngestOptions, 'limits' | 'readWindow'>,
  flags: ReportFlags,
  job: ReportJob,
  showProgress: boolean,
): Promise<boolean> {
  const scratch = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const bar = progressBar('scan', showProgress);
    const summary = await ingestPaths(scratch, [...paths], {
      ...ingest,
      only: scope,
      onProgress: (p) => bar.update(p.filesDone, p.filesTotal, ingestProgressText(p)),
    });
    bar.done();
    if (nothingReadError(summary, '', '')) return false;
    await printReport(scratch, flags, { ...job, answeredFrom: 'scan' });
    return true;
  } finally {
    await scratch.close();
  }
}

/** The runbook's report on `engine`, printed or written, and the exit status from `--fail-on`. */
async function printReport(engine: Engine, flags: ReportFlags, job: ReportJob): Promise<void> {
  const { run } = job;
  const schema = flags.schema === 'v1' ? 'v1' : 'v2';
  const report = await reportOn(engine, job);
  if (!flags.quiet) {
    const notes = [...remoteEngineNotes(engine, report), ...((await run.notes?.(engine, report)) ?? [])];
    for (const note of notes) process.stderr.write(`trailbook: note: ${note}\n`);
  }
  const color = flags.format === 'text' && !flags.out && !process.env['NO_COLOR'] && process.stdout.isTTY === true;
  // The header says "all logs" for a start the user did not give, and the span the logs cover
  // (not known when answered first: the scan kept only what the runbook reads).
  const coverage = { fromGiven: run.parameters['from'] !== undefined, logs: job.answeredFrom ? null : await logsCoverage(engine) };
  const decisionTree = job.runbook.runbook.decision;
  const text = renderReport(report, flags.format as ReportFormat, { color, width: outputWidth(), full: flags.full === true, schema, coverage, decisionTree });
  if (flags.out) {
    writeOutputFile(flags.out, text, '--out');
    if (!flags.quiet) process.stderr.write(`report written to ${flags.out}\n`);
  } else if (!flags.quiet) process.stdout.write(text);
  if (flags.quiet) process.stdout.write(`${summaryLine(report)}\n`);
  // For pipelines and SOAR: the report is printed either way; the exit status says whether to act.
  const failOn = flags.failOn as Action | undefined;
  if (failOn && report.findings.some((f) => compareActions(f.decision.action, failOn) <= 0)) process.exitCode = 1;
}

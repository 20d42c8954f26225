import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../alerts/alert.js';
import type { DeliveryResult, Outbox } from '../alerts/outbox.js';
import { planAlerts } from '../alerts/plan.js';
import type { Sink } from '../alerts/sink.js';
import { loadAlertState, recordAlerts } from '../alerts/state.js';
import type { ConfigProvenance } from '../config/settings.js';
import type { DuckDBEngine as Engine } from '../engines/duckdb/engine.js';
import { TrailbookError } from '../errors.js';
import { writeOutputFile } from '../files.js';
import { ingestFiles } from '../ingest/ingest.js';
import type { IngestLimits } from '../ingest/limits.js';
import type { IntelIndex } from '../intel/index.js';
import { storeInputs } from '../investigate/inputs.js';
import { investigate } from '../investigate/investigate.js';
import { DuckDBEngine } from '../local-store.js';
import type { Report } from '../report/contract.js';
import { renderReport } from '../report/render/index.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { readMeta, writeMeta } from '../store/meta.js';
import type { LogLister } from './lister.js';
import type { S3Source } from '../sources/s3.js';
import { FileSignatures } from './signatures.js';

/** The clock and sleep of the loop: the real ones, or a test's. `sleep` returns early when `signal` aborts. */
export interface WatchClock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: WatchClock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface WatchOptions {
  lister: LogLister;
  /** Reads the `s3://` objects the lister gives (its credentials, region, endpoint). */
  s3?: S3Source;
  /** The store file (not `:memory:`: the state must outlive the process). */
  db: string;
  runbook: LoadedRunbook;
  parameters: Record<string, unknown>;
  intel: IntelIndex;
  provenance?: ConfigProvenance;
  sinks: readonly Sink[];
  outbox: Outbox;
  /** Each eventful cycle's HTML report is written here; alerts name it. */
  reportDir?: string;
  intervalMs: number;
  /** One cycle, every alert pending at start and every new one tried once, then return (cron, CI). */
  once: boolean;
  /** SIGINT/SIGTERM: stops before the next file, or ends the sleep. */
  signal?: AbortSignal;
  clock?: WatchClock;
  limits?: Partial<IngestLimits>;
  /** One line per eventful cycle (the caller sanitizes and prints it). */
  log?: (line: string) => void;
  onCycle?: (cycle: CycleSummary) => void;
  /** Stop after this many cycles (tests, benchmarks); unbounded by default. */
  maxCycles?: number;
  /** Internal (tests): write the outbox and record the state, but send nothing — a crash just before sending. */
  skipDelivery?: boolean;
}

export interface CycleSummary {
  cycle: number;
  /** Files listed that the store had not seen as they are. */
  newFiles: number;
  /** Whether the store was opened (an eventful cycle); a quiet cycle compares a listing with memory only. */
  storeOpened: boolean;
  filesRead: number;
  filesSkipped: number;
  findings: number;
  alerts: Alert[];
  /** Outbox files written (alerts × sinks). */
  queued: number;
  delivery: DeliveryResult | null;
  interrupted: boolean;
  reportPath: string | null;
}

export interface WatchResult {
  cycles: number;
  alertsRaised: number;
  sent: number;
  /** Outbox files still pending when the watch returned. */
  pending: number;
  failed: DeliveryResult['failed'];
  interrupted: boolean;
}

/** trailbook_meta key: the ingest ledger's row count when the runbook last ran on the store (a restart that missed the run makes it). */
const REPORTED_LEDGER_KEY = 'watch:reported-ledger-rows';

/**
 * `trailbook watch` (docs/watch.md): list, ingest what is new, run the runbook, plan alerts,
 * put them in the outbox, record them, deliver; sleep; again. A quiet cycle (nothing new) lists
 * the paths and looks at the outbox, nothing more: the store stays closed, so other commands can
 * read it between cycles.
 */
export async function runWatch(options: WatchOptions): Promise<WatchResult> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const result: WatchResult = { cycles: 0, alertsRaised: 0, sent: 0, pending: 0, failed: [], interrupted: false };
  const signatures = new FileSignatures();
  // The ledger read once at start; a store whose last ingest was never reported on (a crash, or
  // `trailbook ingest` meanwhile) gets a run of the runbook in the first cycle even with nothing new.
  let reportDue = false;
  if (existsSync(options.db)) {
    const engine = await DuckDBEngine.open({ path: options.db });
    try {
      await signatures.load(engine);
      reportDue = (await ledgerRows(engine)) !== Number((await readMeta(engine, REPORTED_LEDGER_KEY)) ?? 0);
    } finally {
      await engine.close();
    }
  }
  const take = (delivery: DeliveryResult | null) => {
    if (!delivery) return;
    result.sent += delivery.sent;
    result.failed.push(...delivery.failed);
  };
  // What a crash left in the outbox goes first, due or not: a start is a good time to retry.
  if (!options.skipDelivery && !options.signal?.aborted) {
    const start = await options.outbox.deliver(options.sinks, { ignoreSchedule: true, signal: options.signal });
    take(start);
    if (start.sent + start.failed.length + start.retrying.length > 0) options.log?.(deliveryLine('outbox at start', start));
  }
  while (!options.signal?.aborted) {
    const cycle = await runCycle(++result.cycles, reportDue);
    reportDue = false;
    take(cycle.delivery);
    result.alertsRaised += cycle.alerts.length;
    options.onCycle?.(cycle);
    const delivered = cycle.delivery ? cycle.delivery.sent + cycle.delivery.failed.length + cycle.delivery.retrying.length : 0;
    if (cycle.storeOpened || delivered > 0) options.log?.(cycleLine(cycle));
    if (cycle.interrupted) break;
    if (options.once || (options.maxCycles !== undefined && result.cycles >= options.maxCycles)) break;
    await clock.sleep(options.intervalMs, options.signal);
  }
  result.interrupted = options.signal?.aborted === true;
  result.pending = options.outbox.pendingNames().length;
  return result;

  async function runCycle(number: number, forceReport: boolean): Promise<CycleSummary> {
    const cycle: CycleSummary = {
      cycle: number,
      newFiles: 0,
      storeOpened: false,
      filesRead: 0,
      filesSkipped: 0,
      findings: 0,
      alerts: [],
      queued: 0,
      delivery: null,
      interrupted: false,
      reportPath: null,
    };
    const listing = await options.lister.list();
    const unseen = signatures.unseen(listing.files);
    cycle.newFiles = unseen.length;
    if (unseen.length > 0 || forceReport) {
      cycle.storeOpened = true;
      const engine = await DuckDBEngine.open({ path: options.db });
      try {
        if (unseen.length > 0) {
          // Paths the listing could not read go in the ledger with their reason, once (ledgered at size 0, mtime 0).
          const unreadable = listing.skipped.filter((path) => !signatures.has({ path: path.path, size: 0, mtimeMs: 0 }));
          const ingest = await ingestFiles(engine, unseen, { signal: options.signal, limits: options.limits, s3: options.s3 }, performance.now(), unreadable);
          cycle.filesRead = ingest.files.read + ingest.files.duplicateContent;
          cycle.filesSkipped = ingest.files.skipped;
          // What the ledger now holds, whatever the ingest finished: a file it did not reach stays unseen.
          await signatures.load(engine);
          if (ingest.interrupted || options.signal?.aborted) {
            // The runbook is not run now: the next start sees the ledger ahead of the last report and runs it.
            cycle.interrupted = true;
            return cycle;
          }
        }
        const report = await reportOn(engine);
        cycle.findings = report.findings.length;
        cycle.reportPath = writeReport(report);
        cycle.alerts = planAlerts(await loadAlertState(engine), report, { reportPath: cycle.reportPath });
        // The outbox first, the state second: a crash between them plans the same alerts again,
        // and the outbox keeps one file per alert and sink.
        cycle.queued = options.outbox.enqueue(cycle.alerts, options.sinks);
        await recordAlerts(engine, cycle.alerts, clock.now());
        await markReported(engine);
      } finally {
        await engine.close();
      }
    }
    // A quiet cycle still sends what is due (a retry after a receiver's failure).
    if (!options.skipDelivery && (cycle.queued > 0 || options.outbox.pendingNames().length > 0)) {
      // Due ones only: what the start tried and failed waits for its backoff (in --once, the next run).
      cycle.delivery = await options.outbox.deliver(options.sinks, { signal: options.signal });
    }
    return cycle;
  }

  async function reportOn(engine: Engine): Promise<Report> {
    const inputs = await storeInputs(engine);
    return investigate(engine, {
      runbook: options.runbook,
      parameters: options.parameters,
      intel: options.intel,
      inputs: { ...inputs, ...(options.provenance ? { config: options.provenance } : {}) },
      now: clock.now(),
    });
  }

  function writeReport(report: Report): string | null {
    if (!options.reportDir) return null;
    mkdirSync(options.reportDir, { recursive: true });
    const path = join(options.reportDir, `${report.runbook.id}-${report.generatedAt.replace(/[:.]/g, '-')}.html`);
    writeOutputFile(path, renderReport(report, 'html', { color: false, width: 100, full: false, schema: 'v2' }), '--report-dir');
    return path;
  }
}

async function ledgerRows(engine: Engine): Promise<number> {
  const { rows } = await engine.all('SELECT count(*) AS n FROM ingest_ledger');
  return Number(rows[0]?.['n'] ?? 0);
}

async function markReported(engine: Engine): Promise<void> {
  const rows = await ledgerRows(engine);
  await engine.run('BEGIN TRANSACTION');
  try {
    await writeMeta(engine, REPORTED_LEDGER_KEY, String(rows));
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/** `watch: cycle 3: 2 new files (2 read, 0 skipped), 4 findings; 1 alert queued; 1 sent, 0 pending` and any failure. */
export function cycleLine(cycle: CycleSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    `cycle ${cycle.cycle}: ${plural(cycle.newFiles, 'new file')} (${cycle.filesRead} read, ${cycle.filesSkipped} skipped)`,
    cycle.interrupted ? 'interrupted before the runbook ran' : `${plural(cycle.findings, 'finding')}; ${plural(cycle.alerts.length, 'alert')} queued`,
  ];
  const line = `watch: ${parts.join(', ')}`;
  return cycle.delivery ? `${line}; ${deliveryLine(null, cycle.delivery)}` : line;
}

function deliveryLine(label: string | null, delivery: DeliveryResult): string {
  const failures = [...delivery.retrying.map((f) => `${f.reason} (will retry)`), ...delivery.failed.map((f) => `${f.reason} (moved to failed/)`)];
  const counts = `${delivery.sent} sent, ${delivery.pending} pending, ${delivery.failed.length} failed`;
  const text = `${counts}${failures.length ? `: ${[...new Set(failures)].join('; ')}` : ''}`;
  return label ? `watch: ${label}: ${text}` : text;
}

/** The outbox of a store: a folder beside it, named after it (as DuckDB's `<store>.wal`), so two stores never share one. */
export function outboxDirOf(db: string): string {
  return `${db}.outbox`;
}

/** `--interval`: `500ms`, `30s`, `5m`, `1h`, or `0` (poll again at once). */
export function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new TrailbookError('USAGE', `--interval "${text}" is not a duration`, { hint: 'e.g. --interval 60s, 5m, 1h, 500ms' });
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!;
  return Math.round(Number(match[1]) * unit);
}

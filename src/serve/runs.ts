import type { DuckDBEngine } from '../local-store.js';
import { TrailbookError } from '../errors.js';
import type { IntelIndex } from '../intel/index.js';
import { logsCoverage } from '../investigate/inputs.js';
import { reportOnStore } from '../investigate/store-report.js';
import type { Report } from '../report/contract.js';
import { type Coverage, summaryLine } from '../report/render/index.js';
import { compile } from '../runbook/compile.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { errorResponse } from './http.js';
import type { Serial } from './store.js';

export type RunStatus = 'queued' | 'running' | 'done' | 'failed';

export interface RunProgress {
  at: string;
  step: string;
  message: string;
}

/** One run as the API shows it, with what it made once done. */
export interface Run {
  id: string;
  runbook: string;
  parameters: Record<string, unknown>;
  status: RunStatus;
  /** When it was asked for (a queued run has not begun yet). */
  startedAt: string;
  finishedAt?: string;
  progress: RunProgress[];
  error?: { code: string; message: string; hint?: string };
  summary?: string;
  report?: Report;
  /** What the HTML report's header says of the logs' span. */
  coverage?: Coverage;
  loaded: LoadedRunbook;
}

/** A run as `GET /api/runs` lists it (the web app reads these types too). */
export type RunSummary = Pick<Run, 'id' | 'runbook' | 'parameters' | 'status' | 'startedAt' | 'finishedAt' | 'summary'>;

/** A run as `GET /api/runs/:id` shows it. */
export type RunDetail = RunSummary & Pick<Run, 'progress' | 'error'>;

export interface RunContext {
  engine: Serial<DuckDBEngine>;
  db: string;
  intel: IntelIndex;
  config?: NonNullable<Report['inputs']['config']>;
  /** Told of an error that is a bug (not a TrailbookError), for the server's log. */
  onBug: (error: unknown) => void;
  now?: () => Date;
}

/**
 * The workspace's runs: checked when asked for (a parameter error is the request's), then run
 * one at a time over the open store, in the order asked — an investigation reads much of the
 * store, and two at once would only share the same cores.
 */
export class RunQueue {
  private readonly runs = new Map<string, Run>();
  private next = 1;
  private tail: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly context: RunContext) {}

  /** Throws the compile errors (ParameterError) at once; otherwise queues the run and returns it. */
  submit(loaded: LoadedRunbook, parameters: Record<string, unknown>): Run {
    const now = this.now();
    compile(loaded.runbook, parameters, { now });
    const run: Run = {
      id: `run-${this.next++}`,
      runbook: loaded.runbook.id,
      parameters,
      status: 'queued',
      startedAt: now.toISOString(),
      progress: [{ at: now.toISOString(), step: 'queued', message: 'waiting for the runs asked for before it' }],
      loaded,
    };
    this.runs.set(run.id, run);
    this.tail = this.tail.then(() => this.execute(run));
    return run;
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  list(): Run[] {
    return [...this.runs.values()];
  }

  /** The server is stopping: runs not yet begun never start (failed, INTERRUPTED); the one going finishes. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.tail;
  }

  /** Resolves when every run asked for so far has finished. */
  settled(): Promise<void> {
    return this.tail;
  }

  private now(): Date {
    return this.context.now?.() ?? new Date();
  }

  private async execute(run: Run): Promise<void> {
    const { db, intel, config } = this.context;
    const tell = (step: string, message: string) => run.progress.push({ at: this.now().toISOString(), step, message });
    if (this.stopping) {
      run.status = 'failed';
      run.error = { code: 'INTERRUPTED', message: 'the workspace stopped before this run began' };
      run.finishedAt = this.now().toISOString();
      tell('failed', run.error.message);
      return;
    }
    run.status = 'running';
    tell('start', `running ${run.runbook}`);
    try {
      await this.context.engine.use(async (engine) => {
        run.report = await reportOnStore(engine, {
          db,
          runbook: run.loaded,
          parameters: run.parameters,
          intel,
          now: this.now(),
          ...(config ? { config } : {}),
          onProgress: (p) => tell(p.step, p.message),
        });
        run.coverage = { fromGiven: run.parameters['from'] !== undefined, logs: await logsCoverage(engine) };
      });
      run.summary = summaryLine(run.report!);
      run.status = 'done';
      tell('done', run.summary);
    } catch (error) {
      run.status = 'failed';
      run.error = errorResponse(error).body.error;
      if (!(error instanceof TrailbookError)) this.context.onBug(error);
      tell('failed', run.error.message);
    } finally {
      run.finishedAt = this.now().toISOString();
    }
  }
}

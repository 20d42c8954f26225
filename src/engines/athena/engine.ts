import { randomUUID } from 'node:crypto';
import { TrailbookError } from '../../errors.js';
import { translateSql } from '../dialects.js';
import type { Dialect, Engine, Params, QueryResult, Row } from '../engine.js';
import { AthenaClient, type AthenaClientOptions, type ColumnInfo, type Datum, type QueryExecution, type ResultPage } from './client.js';
import { toRow } from './values.js';

/** Days of history read before a run's window on Athena unless `--athena-history` says otherwise (docs/athena.md, "History"). */
export const DEFAULT_HISTORY_DAYS = 90;

export const athenaDialect: Dialect = {
  family: 'trino',
  parameterStyle: 'positional',
  nativeAthenaFunctions: true,
  // No ledger, no exposure caches: the tables are the bucket (docs/athena.md, "What stays local").
  localStore: false,
  historyDays: DEFAULT_HISTORY_DAYS,
};

export interface AthenaEngineOptions extends AthenaClientOptions {
  /** Athena workgroup (default: the account's `primary`). */
  workgroup?: string;
  /** `s3://bucket/prefix/` for results; required unless the workgroup sets one. */
  outputLocation?: string;
  /** `--athena-database` (default `default`). */
  database?: string;
  /** Data catalog (default `AwsDataCatalog`). */
  catalog?: string;
  /** Days of history before the window (Dialect.historyDays); null: the whole trail. Default DEFAULT_HISTORY_DAYS. */
  historyDays?: number | null;
  /** Interrupt (e.g. SIGINT): a running query is stopped on Athena, not left to bill. */
  signal?: AbortSignal;
  /** First wait between GetQueryExecution polls, in ms (then ×1.5 per poll up to maxPollMs). */
  pollMs?: number;
  maxPollMs?: number;
}

/** What one query cost: Athena bills the bytes it scanned, rounded up to a megabyte, 10 MB at least. */
export interface QueryStats {
  queryExecutionId: string;
  state: string;
  dataScannedBytes: number;
  billedBytes: number;
  costUsd: number;
  engineMs: number | undefined;
}

/** What Athena uses when `--athena-database` / `--athena-catalog` are not given. */
export const DEFAULT_DATABASE = 'default';
export const DEFAULT_CATALOG = 'AwsDataCatalog';

const MB = 1024 * 1024;
const TB = 1024 ** 4;
/** Athena SQL queries: $5 per TB scanned, rounded up to the MB, 10 MB minimum (docs/athena.md, "Costs"). */
export const USD_PER_TB = 5;
export const MINIMUM_BILLED_BYTES = 10 * MB;

export function queryCost(scannedBytes: number): { billedBytes: number; costUsd: number } {
  const billedBytes = Math.max(MINIMUM_BILLED_BYTES, Math.ceil(scannedBytes / MB) * MB);
  return { billedBytes, costUsd: (billedBytes / TB) * USD_PER_TB };
}

/**
 * The Engine on Athena: the same Athena SQL the local store runs, translated by the dialect table
 * (positional parameters as ExecutionParameters literals), started, polled with backoff, paged.
 * Every query's scan and cost is kept in `stats`. An abort or `close()` stops running queries.
 */
export class AthenaEngine implements Engine {
  readonly name = 'athena';
  readonly dialect: Dialect;
  readonly stats: QueryStats[] = [];
  private readonly client: AthenaClient;
  private readonly running = new Set<string>();
  private readonly closing = new AbortController();
  private readonly signal: AbortSignal;

  constructor(readonly options: AthenaEngineOptions) {
    this.client = new AthenaClient(options);
    this.dialect = options.historyDays === undefined ? athenaDialect : { ...athenaDialect, historyDays: options.historyDays };
    this.signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
  }

  get totalCostUsd(): number {
    return this.stats.reduce((sum, s) => sum + s.costUsd, 0);
  }

  get totalScannedBytes(): number {
    return this.stats.reduce((sum, s) => sum + s.dataScannedBytes, 0);
  }

  async *query(sql: string, params: Params = {}): AsyncIterable<Row> {
    for await (const { columns, rows } of this.pages(sql, params)) for (const row of rows) yield toRow(columns, row);
  }

  async all(sql: string, params: Params = {}): Promise<QueryResult> {
    const rows: Row[] = [];
    let columns: ColumnInfo[] = [];
    for await (const page of this.pages(sql, params)) {
      columns = page.columns;
      for (const row of page.rows) rows.push(toRow(columns, row));
    }
    return { columns: columns.map((c) => c.Name), rows };
  }

  /** The finished query's result pages, by NextToken; the header row a SELECT's first page starts with is left out. */
  private async *pages(sql: string, params: Params): AsyncIterable<{ columns: ColumnInfo[]; rows: (Datum[] | undefined)[] }> {
    const { id, skipHeader } = await this.execute(sql, params);
    let columns: ColumnInfo[] = [];
    let token: string | undefined;
    let first = true;
    do {
      let page: ResultPage;
      try {
        page = await this.client.getQueryResults(id, token, this.signal);
      } catch (error) {
        throw this.signal.aborted ? interrupted(id) : error;
      }
      if (first) columns = page.ResultSet.ResultSetMetadata?.ColumnInfo ?? [];
      const rows = (page.ResultSet.Rows ?? []).slice(first && skipHeader ? 1 : 0).map((r) => r.Data);
      first = false;
      token = page.NextToken;
      yield { columns, rows };
    } while (token);
  }

  /** Stops what is still running on Athena, then refuses further queries. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.running].map((id) => this.client.stopQueryExecution(id).catch(() => undefined)));
    this.running.clear();
  }

  /** Start, then poll until a final state; a SELECT's first result row is its header (skipped). */
  private async execute(sql: string, params: Params): Promise<{ id: string; skipHeader: boolean }> {
    if (this.signal.aborted) throw interrupted();
    const translated = translateSql(sql, params, this.dialect.family);
    const { QueryExecutionId: id } = await this.client.startQueryExecution(
      {
        QueryString: translated.sql,
        ClientRequestToken: randomUUID(),
        ...(this.options.workgroup ? { WorkGroup: this.options.workgroup } : {}),
        QueryExecutionContext: { Database: this.options.database ?? DEFAULT_DATABASE, Catalog: this.options.catalog ?? DEFAULT_CATALOG },
        ...(this.options.outputLocation ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } } : {}),
        ...(translated.positional.length ? { ExecutionParameters: translated.positional } : {}),
      },
      // Not aborted mid-request: a start cut short may still have started the query, and then its id would be unknown to stop.
    );
    this.running.add(id);
    try {
      if (this.signal.aborted) {
        await this.stop(id);
        throw interrupted(id);
      }
      const execution = await this.waitFor(id);
      this.record(execution);
      const state = execution.Status.State;
      if (state !== 'SUCCEEDED') {
        const reason = execution.Status.AthenaError?.ErrorMessage ?? execution.Status.StateChangeReason ?? 'no reason given';
        throw new TrailbookError('SQL', `Athena query ${id} ${state}: ${reason}`, {
          hint: translated.sql.length < 400 ? `while running: ${translated.sql.trim()}` : undefined,
        });
      }
      return { id, skipHeader: execution.StatementType === undefined || execution.StatementType === 'DML' };
    } finally {
      this.running.delete(id);
    }
  }

  private async waitFor(id: string): Promise<QueryExecution> {
    let wait = this.options.pollMs ?? 200;
    const maxWait = this.options.maxPollMs ?? 3000;
    for (;;) {
      let execution: QueryExecution;
      try {
        execution = await this.client.getQueryExecution(id, this.signal);
      } catch (error) {
        if (this.signal.aborted) await this.stop(id);
        throw this.signal.aborted ? interrupted(id) : error;
      }
      const state = execution.Status.State;
      if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') return execution;
      if (!(await sleep(wait, this.signal))) {
        await this.stop(id);
        throw interrupted(id);
      }
      wait = Math.min(maxWait, Math.ceil(wait * 1.5));
    }
  }

  private async stop(id: string): Promise<void> {
    this.running.delete(id);
    await this.client.stopQueryExecution(id).catch(() => undefined);
    // What it scanned before the stop is billed: ask once more (no signal: the interrupt has fired).
    const final = await this.client.getQueryExecution(id).catch(() => undefined);
    this.record(final ?? { QueryExecutionId: id, Status: { State: 'CANCELLED' } });
  }

  private record(execution: QueryExecution): void {
    const scanned = execution.Statistics?.DataScannedInBytes ?? 0;
    // A query cancelled before it scanned anything is not billed; anything that ran is, with the minimum.
    const { billedBytes, costUsd } = execution.Status.State === 'CANCELLED' && scanned === 0 ? { billedBytes: 0, costUsd: 0 } : queryCost(scanned);
    this.stats.push({
      queryExecutionId: execution.QueryExecutionId,
      state: execution.Status.State,
      dataScannedBytes: scanned,
      billedBytes,
      costUsd,
      engineMs: execution.Statistics?.EngineExecutionTimeInMillis,
    });
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function interrupted(id?: string): TrailbookError {
  return new TrailbookError('INPUT', id ? `interrupted: Athena query ${id} was stopped` : 'interrupted before the Athena query started', {
    hint: 'StopQueryExecution was sent; Athena bills what was scanned until then',
  });
}

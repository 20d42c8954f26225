import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './binding.js';
import { makeOutputDir } from '../../files.js';
import type { Dialect, Engine, Params, QueryResult, Row } from '../engine.js';
import { TrailbookError } from '../../errors.js';
import { toPlainRow } from './values.js';

export const duckdbDialect: Dialect = {
  family: 'duckdb',
  parameterStyle: 'dollar-named',
  nativeAthenaFunctions: false,
  localStore: true,
  historyDays: null,
};

export interface DuckDBEngineOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Open read-only (queries only; concurrent readers allowed). */
  readOnly?: boolean;
  /** Cap DuckDB's own memory (e.g. '1GB'); default leaves DuckDB's default. */
  memoryLimit?: string;
  threads?: number;
}

/**
 * What an open installs on the DuckDB database, given by the caller: the engine knows DuckDB,
 * not the tables kept in it. The local store's installer (src/local-store.ts) creates the
 * store's tables, views and caches (store/, caches/).
 */
export interface StoreInstaller {
  /** On a writable open: create every table and view, or bring them up to date. */
  install(engine: DuckDBEngine): Promise<void>;
  /** On a read-only open: what the connection needs to read (temporary objects only). */
  installReader(engine: DuckDBEngine): Promise<void>;
  /** Whether a writable open would change nothing, so a read-only one can serve (openForReading). */
  isCurrent(engine: DuckDBEngine): Promise<boolean>;
}

/** The embedded engine: a DuckDB database, with what the installer it is opened with puts in it. */
export class DuckDBEngine implements Engine {
  readonly name = 'duckdb';
  readonly dialect = duckdbDialect;

  private constructor(
    private readonly instance: DuckDBInstance,
    /** Opened read-only: queries only. */
    readonly readOnly: boolean,
    /** Exposed for the ingest stage, which appends in bulk; other stages use query/all. */
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /** Opens the database; `store` (absent: nothing) is installed on the new connection. */
  static async open(options: DuckDBEngineOptions, store?: StoreInstaller): Promise<DuckDBEngine> {
    if (options.path !== ':memory:' && !options.readOnly) makeOutputDir(dirname(options.path), 'the store folder');
    const config: Record<string, string> = {};
    if (options.readOnly) config['access_mode'] = 'READ_ONLY';
    if (options.memoryLimit) config['memory_limit'] = options.memoryLimit;
    const threads = options.threads ?? threadsFromEnvironment();
    if (threads) config['threads'] = String(threads);
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(options.path, config);
    } catch (error) {
      throw new TrailbookError('INPUT', `cannot open the store ${options.path}: ${(error as Error).message}`, {
        location: options.path,
        hint: 'is another trailbook process writing to it? Wait for it, or choose another store.',
        cause: error,
      });
    }
    const connection = await instance.connect();
    const engine = new DuckDBEngine(instance, options.readOnly === true, connection, options.path);
    if (store && !options.readOnly) await store.install(engine);
    else if (store) await store.installReader(engine);
    return engine;
  }

  /**
   * For commands that only read: read-only when the store exists and a writable open would change
   * nothing in it (`store.isCurrent`); otherwise a writable open, which brings it up to date.
   */
  static async openForReading(options: Omit<DuckDBEngineOptions, 'readOnly'>, store: StoreInstaller): Promise<DuckDBEngine> {
    if (options.path !== ':memory:' && existsSync(options.path)) {
      const reader = await DuckDBEngine.open({ ...options, readOnly: true }, store).catch(() => undefined);
      if (reader) {
        if (await store.isCurrent(reader)) return reader;
        await reader.close();
      }
    }
    return DuckDBEngine.open(options, store);
  }

  async run(sql: string, params?: Params): Promise<void> {
    try {
      await this.connection.run(sql, params as never);
    } catch (error) {
      throw sqlError(error, sql);
    }
  }

  async *query(sql: string, params?: Params): AsyncIterable<Row> {
    let result;
    try {
      result = await this.connection.stream(sql, params as never);
    } catch (error) {
      throw sqlError(error, sql);
    }
    for await (const batch of result.yieldRowObjectJs()) {
      for (const row of batch) yield toPlainRow(row as Record<string, unknown>);
    }
  }

  async all(sql: string, params?: Params): Promise<QueryResult> {
    let reader;
    try {
      reader = await this.connection.runAndReadAll(sql, params as never);
    } catch (error) {
      throw sqlError(error, sql);
    }
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJS().map((row) => toPlainRow(row as Record<string, unknown>));
    return { columns, rows, types: reader.columnTypes().map(String) };
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function sqlError(error: unknown, sql: string): TrailbookError {
  const message = error instanceof Error ? error.message : String(error);
  return new TrailbookError('SQL', message, {
    hint: sql.length < 400 ? `while running: ${sql.trim()}` : undefined,
    cause: error,
  });
}

/**
 * `TRAILBOOK_DUCKDB_THREADS`: DuckDB's threads per store when the caller does not set them (by
 * default DuckDB uses every core). For a shared machine, or many small runs side by side (the test
 * suite runs two files at once on two cores). Anything but a whole number from 1 is ignored.
 */
function threadsFromEnvironment(): number | undefined {
  const text = process.env['TRAILBOOK_DUCKDB_THREADS'];
  return text && /^[1-9][0-9]*$/.test(text) ? Number(text) : undefined;
}

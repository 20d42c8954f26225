import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './binding.js';
import { makeOutputDir } from '../../files.js';
import type { Dialect, Engine, Params, QueryResult, Row } from '../engine.js';
import { TrailbookError } from '../../errors.js';
import { installSchema } from '../../store/schema.js';
import { installStore, storeIsCurrent } from '../../store/layout.js';
import { toPlainRow } from './values.js';

export const duckdbDialect: Dialect = {
  parameterStyle: 'dollar-named',
  nativeAthenaFunctions: false,
  localStore: true,
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

/** The embedded engine: owns the local store (ingested tables, ledger, Athena macros). */
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

  static async open(options: DuckDBEngineOptions): Promise<DuckDBEngine> {
    if (options.path !== ':memory:' && !options.readOnly) makeOutputDir(dirname(options.path), 'the store folder');
    const config: Record<string, string> = {};
    if (options.readOnly) config['access_mode'] = 'READ_ONLY';
    if (options.memoryLimit) config['memory_limit'] = options.memoryLimit;
    if (options.threads) config['threads'] = String(options.threads);
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(options.path, config);
    } catch (error) {
      throw new TrailbookError('INPUT', `cannot open the store ${options.path}: ${(error as Error).message}`, {
        location: options.path,
        hint: 'is another trailbook process writing to it? Use --db to choose another store.',
        cause: error,
      });
    }
    const connection = await instance.connect();
    const engine = new DuckDBEngine(instance, options.readOnly === true, connection, options.path);
    if (!options.readOnly) await installStore(engine);
    else await installSchema(engine, { macrosOnly: true });
    return engine;
  }

  /**
   * For commands that only read: read-only when the store exists and a writable open would change
   * nothing in it (store/layout.ts); otherwise a writable open, which brings it up to date.
   */
  static async openForReading(options: Omit<DuckDBEngineOptions, 'readOnly'>): Promise<DuckDBEngine> {
    if (options.path !== ':memory:' && existsSync(options.path)) {
      const reader = await DuckDBEngine.open({ ...options, readOnly: true }).catch(() => undefined);
      if (reader) {
        if (await storeIsCurrent(reader)) return reader;
        await reader.close();
      }
    }
    return DuckDBEngine.open(options);
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
    return { columns, rows };
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

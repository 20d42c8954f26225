import { STORE_CACHES } from './caches/store.js';
import { DuckDBEngine as Engine, type DuckDBEngineOptions, type StoreInstaller } from './engines/duckdb/engine.js';
import { installStore, storeIsCurrent } from './store/layout.js';
import { installSchema } from './store/schema.js';

/**
 * The local store as trailbook opens it: the DuckDB engine (engines/duckdb) with the store's
 * tables, views and layout (store/) and the exposure caches (caches/) installed. Nothing below
 * this file knows all three, so the engine takes them as a `StoreInstaller`.
 */
export const LOCAL_STORE: StoreInstaller = {
  install: (engine) => installStore(engine, STORE_CACHES),
  installReader: (engine) => installSchema(engine, { macrosOnly: true }),
  isCurrent: (engine) => storeIsCurrent(engine, STORE_CACHES),
};

/**
 * `DuckDBEngine.open` and `openForReading` on the local store (a writable open creates or updates
 * every table, view and cache; a read-only one installs the Athena macros; opening for reading is
 * read-only when the store is current). The type is the engine's.
 */
export const DuckDBEngine = {
  open: (options: DuckDBEngineOptions): Promise<Engine> => Engine.open(options, LOCAL_STORE),
  openForReading: (options: Omit<DuckDBEngineOptions, 'readOnly'>): Promise<Engine> => Engine.openForReading(options, LOCAL_STORE),
};
export type DuckDBEngine = Engine;

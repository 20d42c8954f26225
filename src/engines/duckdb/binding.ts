import { createRequire } from 'node:module';
import type * as DuckDB from '@duckdb/node-api';

/**
 * `@duckdb/node-api`, loaded with `require`. The package is CommonJS; importing it as ESM makes
 * Node lex the entry and every module it re-exports for their export names before running them,
 * ~70 ms of every trailbook start (measured: import 279 ms, require 206 ms, median of 9 fresh
 * processes). Types come from `import type`, which costs nothing at run time.
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDB;

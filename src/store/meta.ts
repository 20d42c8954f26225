import type { Engine } from '../engines/engine.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';

/**
 * `trailbook_meta`: what the store records about itself (its layout, and the state each cache
 * was computed from), a text per key. Created with the exposure copy (store/exposure-copy.ts).
 */
export const META_DDL = 'CREATE TABLE IF NOT EXISTS trailbook_meta (key VARCHAR, value VARCHAR)';

/** The text `trailbook_meta` keeps under `key`, or null. */
export async function readMeta(engine: Engine, key: string): Promise<string | null> {
  const { rows } = await engine.all('SELECT value FROM trailbook_meta WHERE key = $key', { key });
  const value = rows[0]?.['value'];
  return typeof value === 'string' ? value : null;
}

/** Replaces what `trailbook_meta` keeps under `key` (inside the caller's transaction). */
export async function writeMeta(engine: DuckDBEngine, key: string, value: string): Promise<void> {
  await engine.run('DELETE FROM trailbook_meta WHERE key = $key', { key });
  await engine.run('INSERT INTO trailbook_meta VALUES ($key, $value)', { key, value });
}

import { createHash } from 'node:crypto';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { ALERT_STATE_DDL } from './alert-state.js';
import { canonicaliseStoredEventTimes } from './event-times.js';
import { EXPOSURE_COPY_DDL, forgetExposureCopy } from './exposure-copy.js';
import { readMeta, writeMeta } from './meta.js';
import { CLOUDTRAIL_STORE_DDL, installSchema } from './schema.js';
import { installVpcFlowSchema, VPC_FLOW_DDL } from './vpcflow-schema.js';

/**
 * The store's layout: every statement that creates its tables and views. A writable open runs
 * them (they are idempotent) and records their digest in `trailbook_meta`; a store whose recorded
 * digest is this code's, and whose caches are current, needs no writes to be read, so it can be
 * opened read-only (no catalog commits, no checkpoint on close, other readers welcome).
 */
const LAYOUT_KEY = 'layout';
export const STORE_LAYOUT = createHash('sha256')
  .update([...CLOUDTRAIL_STORE_DDL, ...EXPOSURE_COPY_DDL, ...VPC_FLOW_DDL, ...ALERT_STATE_DDL].join('\n;\n'))
  .digest('hex')
  .slice(0, 32);

/**
 * The caches kept beside the tables (caches/): computed from the tables by code outside store/,
 * so the store takes them as given.
 */
export interface StoreCaches {
  /** Create the caches if missing and bring them up to date with the tables. */
  install(engine: DuckDBEngine): Promise<unknown>;
  /** Whether they are current: what `install` would leave unchanged. */
  isCurrent(engine: DuckDBEngine): Promise<boolean>;
}

/** On a writable open: tables, views and caches created or brought up to date, and the layout recorded. */
export async function installStore(engine: DuckDBEngine, caches: StoreCaches): Promise<void> {
  await installSchema(engine);
  await installVpcFlowSchema(engine);
  for (const statement of ALERT_STATE_DDL) await engine.run(statement);
  const current = (await recordedLayout(engine)) === STORE_LAYOUT;
  // A store from before canonical event times: its rows get theirs once (store/event-times.ts).
  if (!current && (await canonicaliseStoredEventTimes(engine)) > 0) await forgetExposureCopy(engine);
  await caches.install(engine);
  if (current) return;
  await engine.run('BEGIN TRANSACTION');
  try {
    await writeMeta(engine, LAYOUT_KEY, STORE_LAYOUT);
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

/** The layout digest the store recorded, or null (none, or no `trailbook_meta` yet). */
async function recordedLayout(engine: DuckDBEngine): Promise<string | null> {
  try {
    return await readMeta(engine, LAYOUT_KEY);
  } catch {
    return null;
  }
}

/** Whether a writable open would change nothing: the layout is this code's and the caches are current. */
export async function storeIsCurrent(engine: DuckDBEngine, caches: StoreCaches): Promise<boolean> {
  try {
    if ((await readMeta(engine, LAYOUT_KEY)) !== STORE_LAYOUT) return false;
  } catch {
    return false; // no trailbook_meta: a store from before it
  }
  return caches.isCurrent(engine);
}

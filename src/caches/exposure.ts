import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { EXPOSURE_EVENT_NAMES } from '../ports/normalize/index.js';
import { UNMODELLED_EVENT_NAMES } from '../ports/unmodelled.js';
import { exposureChangesCurrent, syncExposureChanges, type KeptChangesUpdate } from '../ports/exposure-changes.js';
import { exposureCopyCurrent, installExposureCopy, syncExposureCopy } from '../store/exposure-copy.js';
import { TOPOLOGY_EVENT_NAMES } from '../topology/membership.js';

/**
 * The exposure caches a local store keeps beside its tables (ARCHITECTURE.md, "The
 * investigation"): the narrow copy of the events ports/ and topology/ read
 * (store/exposure-copy.ts) and the changes ports/ judged from it (ports/exposure-changes.ts).
 * They are brought up to date after every ingest and on every writable open, through
 * `STORE_CACHES` (caches/store.ts; store/layout.ts takes them as `StoreCaches`), so store/ names no judging code.
 */

/**
 * The exposure candidates, the events that say which groups an interface carries (src/topology),
 * and the network changes ports/ does not model (said beside every `investigate` report).
 */
export const COPIED_EVENT_NAMES: readonly string[] = [...new Set([...EXPOSURE_EVENT_NAMES, ...TOPOLOGY_EVENT_NAMES, ...UNMODELLED_EVENT_NAMES])].sort();

/** On a writable open: the copy and the kept changes, created if missing and brought up to date. */
export async function installExposureCaches(engine: DuckDBEngine): Promise<KeptChangesUpdate> {
  await installExposureCopy(engine, COPIED_EVENT_NAMES);
  return syncExposureChanges(engine);
}

/** After an ingest added events: the copy first, then the changes judged from it. */
export async function syncExposureCaches(engine: DuckDBEngine): Promise<KeptChangesUpdate> {
  await syncExposureCopy(engine, COPIED_EVENT_NAMES);
  return syncExposureChanges(engine);
}

/** Whether `installExposureCaches` would change nothing. */
export async function exposureCachesCurrent(engine: DuckDBEngine): Promise<boolean> {
  return (await exposureCopyCurrent(engine, COPIED_EVENT_NAMES)) && exposureChangesCurrent(engine);
}

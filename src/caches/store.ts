import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import type { KeptChangesUpdate } from '../ports/exposure-changes.js';
import type { StoreCaches } from '../store/layout.js';
import { exposureCachesCurrent, installExposureCaches, syncExposureCaches } from './exposure.js';
import { flowCachesCurrent, syncFlowCaches } from '../flows/flow-caches.js';

/** Every cache a local store keeps (store/layout.ts takes them as `StoreCaches`): the exposure caches, then the flow cache. */
export const STORE_CACHES: StoreCaches = {
  install: async (engine) => {
    const kept = await installExposureCaches(engine);
    await syncFlowCaches(engine);
    return kept;
  },
  isCurrent: async (engine) => (await exposureCachesCurrent(engine)) && flowCachesCurrent(engine),
};

/** After an ingest: the caches of what it added (the exposure caches' update when it stored events). */
export async function syncCachesAfterIngest(engine: DuckDBEngine, added: { events: number; flowRecords: number }): Promise<KeptChangesUpdate | undefined> {
  const kept = added.events > 0 ? await syncExposureCaches(engine) : undefined;
  if (added.flowRecords > 0) await syncFlowCaches(engine);
  return kept;
}

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import type { IngestSummary } from '../../src/ingest/ingest.js';

export function assertTotalsAddUp(s: IngestSummary): void {
  assert.equal(
    s.files.seen,
    s.files.read + s.files.unchanged + s.files.duplicateContent + s.files.skipped + s.files.pruned,
    'files: seen = read + … + skipped',
  );
  assert.equal(s.events.found, s.events.accepted + s.events.skipped, 'records: found = accepted + skipped');
  assert.equal(s.events.accepted, s.events.inserted + s.events.duplicates + s.events.insights + s.events.filtered);
  const f = s.flows;
  assert.equal(f.lines, f.records + f.nodata + f.skipdata + f.headers + f.bad, 'flow lines add up');
}

export async function openStore(t: { after: (fn: () => Promise<void>) => void }, dir: string): Promise<DuckDBEngine> {
  const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
  t.after(() => engine.close());
  return engine;
}

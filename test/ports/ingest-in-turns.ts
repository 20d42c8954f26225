import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { EXPOSURE_CHANGES_TABLE } from '../../src/ports/exposure-changes.js';
import { tempDir } from '../helpers/fixtures.js';

/** Everything the kept changes consist of: the table and both metadata rows. */
export async function keptTable(engine: DuckDBEngine) {
  const chunks = (await engine.all(`SELECT chunk, first_time, last_time, events, entries FROM ${EXPOSURE_CHANGES_TABLE} ORDER BY chunk`)).rows;
  const meta = (await engine.all(`SELECT key, value FROM trailbook_meta WHERE key LIKE 'exposure-changes%' ORDER BY key`)).rows;
  return { chunks, meta };
}

/** Ingests the files one run each, then all of them into a fresh store: the kept changes must end alike. */
export async function ingestInTurns(t: { after: (fn: () => void) => void }, files: Record<string, Record<string, any>[]>) {
  const dir = tempDir(t);
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void engine.close());
  const updates: (string | undefined)[] = [];
  for (const [name, records] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ Records: records }));
    updates.push((await ingestPaths(engine, [join(dir, `${name}.json`)])).exposureChanges);
  }
  const whole = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => void whole.close());
  await ingestPaths(
    whole,
    Object.keys(files).map((name) => join(dir, `${name}.json`)),
  );
  assert.deepStrictEqual(await keptTable(engine), await keptTable(whole), 'as one recomputation of all the events leaves them');
  return { engine, updates };
}

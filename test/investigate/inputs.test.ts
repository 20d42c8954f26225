import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { storeInputs } from '../../src/investigate/inputs.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { ctEvent, gz, records, tempDir, writeTree } from '../helpers/fixtures.js';

test('the inputs section counts what the store holds and lists every file still skipped, with its reason', async (t) => {
  const dir = tempDir(t);
  const good = records(ctEvent({ eventID: 'a' }), ctEvent({ eventID: 'b' }), ctEvent({ eventID: 'a' }));
  const truncated = gz(records(ctEvent({ eventID: 'c' }))).subarray(0, 30);
  writeTree(dir, {
    'ct/z-good.json': good,
    'ct/b-broken.json.gz': truncated,
    'ct/a-not-json.json': '{"Records": [',
    'ct/fixed-later.json.gz': truncated,
  });
  const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
  t.after(() => engine.close());
  await ingestPaths(engine, [join(dir, 'ct'), join(REPO_ROOT, 'sample', 'vpcflow')]);
  // The truncated file is delivered again, whole: read now, it is no longer listed as skipped.
  writeTree(dir, { 'ct/fixed-later.json.gz': gz(records(ctEvent({ eventID: 'c' }))) });
  await ingestPaths(engine, [join(dir, 'ct')]);

  const inputs = await storeInputs(engine);
  assert.equal(inputs.cloudtrail.files, 2);
  assert.equal(inputs.cloudtrail.events, 3, 'a, b and c: the repeated a is one event');
  assert.deepEqual(
    inputs.cloudtrail.skipped.map((s) => s.path.slice(dir.length + 1)),
    ['ct/a-not-json.json', 'ct/b-broken.json.gz'],
  );
  assert.match(inputs.cloudtrail.skipped[0]!.reason, /invalid JSON/);
  assert.match(inputs.cloudtrail.skipped[1]!.reason, /truncated/);
  assert.ok(inputs.vpcflow.files > 0 && inputs.vpcflow.records > 0);
  assert.deepEqual(inputs.vpcflow.skipped, []);
});

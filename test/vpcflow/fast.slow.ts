// Slow suite (`npm run test:slow`): bulk loading a generated corpus of 6,000 flow records beside the fixtures (~18 s); the rest is in fast.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { flowFiles } from '../../src/bench/flows-contenders.js';
import { compare } from './fast-compare.js';
import { generateFlowCorpus } from '../../src/bench/flows-generate.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { listLocalFiles } from '../../src/sources/local.js';
import { formatIngestSummary } from '../../src/report/ingest-summary.js';
import { FIXTURES, ingestAll } from './fast-fixtures.js';

test('ingest loads clean flow files in bulk, one read_csv per run of a layout, and stores exactly what the line parser stores', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trailbook-vpcbulk-'));
  for (const [name, [content]] of Object.entries(FIXTURES)) writeFileSync(join(dir, name), content);
  await generateFlowCorpus({ root: join(dir, 'generated'), records: 6_000, days: 1 });
  // The same content under another name: its rows are duplicates, the first file's copy stays.
  writeFileSync(join(dir, 'zz-copy-of-clean.log'), FIXTURES['clean.log']![0]);
  const files = (await listLocalFiles([dir])).map((f) => f.path);
  const slow = await ingestAll(files, false);

  for (const workers of [0, 2]) {
    const engine = await DuckDBEngine.open({ path: ':memory:' });
    try {
      const s = await ingestPaths(engine, [dir], { kind: 'vpcflow', workers });
      const { rows } = await engine.all('SELECT * FROM vpc_flow_records ORDER BY _key, _file, _line');
      assert.deepEqual(rows, slow.rows, `workers=${workers}: the stored rows are identical, byte for byte (file and line included)`);

      const sum = (k: 'lines' | 'records' | 'nodata' | 'skipdata' | 'headers' | 'bad') => slow.results.reduce((n, r) => n + r.stats[k], 0);
      const f = s.flows;
      assert.deepEqual(
        [f.lines, f.records, f.nodata, f.skipdata, f.headers, f.bad],
        [sum('lines'), sum('records'), sum('nodata'), sum('skipdata'), sum('headers'), sum('bad')],
      );
      assert.equal(f.appended, rows.length);
      assert.equal(
        f.appended + f.duplicates,
        slow.results.reduce((n, r) => n + r.appended + r.duplicates, 0),
      );
      const generated = files.filter((p) => p.includes('generated')).length;
      const cleanFixtures = Object.values(FIXTURES).filter(([, path]) => path === 'csv').length;
      assert.equal(f.bulkLoaded, cleanFixtures + 1 + generated, 'every clean file, and only those, was loaded by read_csv');
      assert.match(formatIngestSummary(s, 'store.duckdb'), new RegExp(`flow logs: ${files.length} files \\(${f.bulkLoaded} loaded in bulk by read_csv\\)`));
      assert.equal(f.files, files.length, 'every file was read (the empty one has no lines)');
      assert.equal(s.files.seen, s.files.read + s.files.unchanged + s.files.duplicateContent + s.files.skipped + s.files.pruned);

      const again = await ingestPaths(engine, [dir], { kind: 'vpcflow', workers });
      assert.equal(again.files.unchanged, s.files.read, 'a re-run opens nothing that was read');
      assert.equal(Number((await engine.all('SELECT count(*) AS n FROM vpc_flow_records')).rows[0]!['n']), rows.length);
    } finally {
      await engine.close();
    }
  }
});

test('fast and record paths agree on the generated benchmark corpus (gzip, v2 and custom v5, NODATA/SKIPDATA) and on re-ingest', async () => {
  const root = await mkdtemp(join(tmpdir(), 'trailbook-vpcfast-gen-'));
  await generateFlowCorpus({ root, records: 6_000, days: 1 });
  const files = await flowFiles(root);
  const twice = [...files, files[0]!, files[files.length - 1]!];
  const fast = await ingestAll(twice, true);
  const slow = await ingestAll(twice, false);
  compare(twice, fast, slow);
  assert.ok(fast.results.every((r) => r.loadedBy === 'csv'));
  assert.equal(fast.results[files.length]!.appended, 0, 'a re-ingested file adds nothing');
  assert.ok(fast.results[files.length]!.duplicates > 0);
});

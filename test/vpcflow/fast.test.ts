import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { FlowCleanScanner, scanCleanFlowFile } from '../../src/ingest/vpcflow/index.js';
import { FlowBulkQueue, type FlowFileDone } from '../../src/ingest/vpcflow/bulk.js';
import { CORPUS_ROOT } from '../helpers/corpus.js';
import { existsSync, readdirSync } from 'node:fs';
import { V2, R1, R2, ND, SK, FIXTURES, ingestAll } from './fast-fixtures.js';
import { compare } from './fast-compare.js';

test('fast path (validate, then DuckDB read_csv) and record path store identical rows and stats; unclean files take the record path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-vpcfast-'));
  const files: string[] = [];
  for (const [name, [content]] of Object.entries(FIXTURES)) {
    const path = join(dir, name);
    writeFileSync(path, content);
    files.push(path);
  }
  const fast = await ingestAll(files, true);
  const slow = await ingestAll(files, false);
  compare(files, fast, slow);
  for (let i = 0; i < files.length; i++) {
    const name = Object.keys(FIXTURES)[i]!;
    assert.equal(fast.results[i]!.loadedBy, FIXTURES[name]![1], `path taken for ${name}`);
    assert.equal(slow.results[i]!.loadedBy, 'records');
  }
  assert.ok(fast.rows.length > 10);
});

test('fast and record paths agree on the shared corpus files', async (t) => {
  const base = join(CORPUS_ROOT, 'vpcflow');
  if (!existsSync(base)) return t.skip(`shared corpus not found at ${base}`);
  const files: string[] = [];
  for (const sub of readdirSync(base)) for (const f of readdirSync(join(base, sub))) if (f.endsWith('.log')) files.push(join(base, sub, f));
  files.sort();
  const fast = await ingestAll(files, true);
  const slow = await ingestAll(files, false);
  compare(files, fast, slow);
});

test('the scanner accounts for lines across chunk boundaries', () => {
  const text = Buffer.from([V2, R1, R2, ND, SK, R1, ''].join('\n'));
  for (const size of [1, 7, 64, text.length]) {
    const scanner = new FlowCleanScanner();
    for (let i = 0; i < text.length; i += size) scanner.push(text.subarray(i, i + size));
    const clean = scanner.end();
    assert.ok(clean);
    assert.deepEqual(
      [clean.rows, clean.skip, clean.stats.lines, clean.stats.records, clean.stats.nodata, clean.stats.skipdata, clean.stats.headers],
      [5, 1, 6, 3, 1, 1, 1],
    );
    assert.deepEqual(clean.range, { lo: 1700000000, hi: 1700000200, nullStart: false });
  }
});

test('a bulk load DuckDB refuses (a file changed after its validation) stores nothing and reads each file on its own', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trailbook-vpcbulk-race-'));
  const paths = ['a.log', 'b.log', 'c.log'].map((n) => join(dir, n));
  writeFileSync(paths[0]!, [V2, R1, ND, ''].join('\n'));
  writeFileSync(paths[1]!, [V2, R2, SK, R1.replace('50000', '50001'), ''].join('\n'));
  writeFileSync(paths[2]!, [V2, R1.replace('50000', '50002'), ''].join('\n'));
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const done: FlowFileDone[] = [];
    let appended = 0;
    const queue = new FlowBulkQueue(engine, {
      beforeWrite: async () => {},
      onFile: (d) => done.push(d),
      onRows: (a) => (appended += a),
      onError: (path, error) => assert.fail(`${path}: ${error.message}`),
    });
    for (const path of paths) await queue.add(path, 'text', await scanCleanFlowFile(path));
    // After validation, before the load: b.log loses a line (a rotation, a rewrite).
    writeFileSync(paths[1]!, [V2, R2, ''].join('\n'));
    await queue.flush();
    assert.deepEqual(
      done.map((d) => [d.path, d.stats.lines]),
      [
        [paths[0], 3],
        [paths[1], 2],
        [paths[2], 2],
      ],
      'b.log is accounted as it is now',
    );
    const { rows } = await engine.all('SELECT _file, _line FROM vpc_flow_records ORDER BY _file, _line');
    assert.deepEqual(
      rows.map((r) => [r['_file'], Number(r['_line'])]),
      [
        [paths[0], 2],
        [paths[0], 3],
        [paths[1], 2],
        [paths[2], 2],
      ],
    );
    assert.equal(appended, 4);
  } finally {
    await engine.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBEngine } from '../../src/local-store.js';
import { FlowCleanScanner, ingestFlowLogFile, scanCleanFlowFile, type FlowFileIngest } from '../../src/ingest/vpcflow/index.js';
import { FlowBulkQueue, type FlowFileDone } from '../../src/ingest/vpcflow/bulk.js';
import { flowFiles } from '../../src/bench/flows-contenders.js';
import { generateFlowCorpus } from '../../src/bench/flows-generate.js';
import { CORPUS_ROOT } from '../helpers/corpus.js';
import { existsSync, readdirSync } from 'node:fs';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { listLocalFiles } from '../../src/sources/local.js';
import { formatIngestSummary } from '../../src/report/ingest-summary.js';

const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const R1 = '2 123456789012 eni-0aaa 198.51.100.7 10.0.0.5 50000 8443 6 3 180 1700000000 1700000060 ACCEPT OK';
const R2 = '2 123456789012 eni-0aaa 10.0.0.5 198.51.100.7 8443 50000 6 2 120 1700000000 1700000060 ACCEPT OK';
const ND = '2 123456789012 eni-0aaa - - - - - - - 1700000100 1700000160 - NODATA';
const SK = '2 123456789012 eni-0aaa - - - - - - - 1700000200 1700000260 - SKIPDATA';

/** Fixtures: name → [content, the path the fast ingest must take]. */
const FIXTURES: Record<string, [string | Buffer, 'csv' | 'records']> = {
  'clean.log': [[V2, R1, R2, ND, SK, ''].join('\n'), 'csv'],
  'clean-no-final-newline.log': [[V2, R1, ND].join('\n'), 'csv'],
  'clean.log.gz': [gzipSync([V2, R1, R2, ND, SK, ''].join('\n')), 'csv'],
  'headerless-v2.log': [[R1, R2, ND, ''].join('\n'), 'csv'],
  'repeat-in-file.log': [[V2, R1, R1, R2, R1, ''].join('\n'), 'csv'],
  'leading-zeros-and-dashes.log': [[V2, '2 000123 eni-1 - 10.0.0.1 0080 00443 06 - 0 1700000000 - REJECT OK', ''].join('\n'), 'csv'],
  'custom-no-start.log': [['interface-id srcaddr dstport action', 'eni-1 10.0.0.1 22 ACCEPT', 'eni-1 10.0.0.1 - -', ''].join('\n'), 'csv'],
  'dollar-header.log': [[V2.split(' ').map((f) => '${' + f + '}').join(' '), R1, ND, ''].join('\n'), 'csv'],
  'lower-case-first-field.log': [['interface-id srcaddr log-status', 'eni-1 10.0.0.1 OK', 'eni-2 - NODATA', ''].join('\n'), 'csv'],
  'crlf.log': [[V2, R1, R2, ''].join('\r\n'), 'records'],
  'double-space.log': [[V2, R1.replace(' ', '  '), R2, ''].join('\n'), 'records'],
  'bad-port.log': [[V2, R1, R2.replace('50000', '70000'), ''].join('\n'), 'records'],
  'non-numeric.log': [[V2, R1, R2.replace('50000', '5x000'), ''].join('\n'), 'records'],
  'too-few.log': [[V2, R1, '2 123456789012 eni-0aaa', ''].join('\n'), 'records'],
  'repeated-header.log': [[V2, R1, V2, R2, ''].join('\n'), 'records'],
  'header-change.log': [[V2, R1, 'version srcaddr dstaddr', '2 10.0.0.1 10.0.0.2', ''].join('\n'), 'records'],
  'empty-line.log': [[V2, R1, '', R2, ''].join('\n'), 'records'],
  'json.log': [[JSON.stringify({ message: R1 }), ''].join('\n'), 'records'],
  'tgw-field.log': [['version tgw-id srcaddr', '6 tgw-1 10.0.0.1', ''].join('\n'), 'records'],
  'unknown-field.log': [['version srcaddr frobnicate', '2 10.0.0.1 x', ''].join('\n'), 'records'],
  'int-overflow.log': [['version srcaddr', '4294967296 10.0.0.1', ''].join('\n'), 'records'],
  'non-ascii.log': [[V2, R1.replace('ACCEPT', 'ACCEPTé'), ''].join('\n'), 'records'],
  'header-only.log': [[V2, ''].join('\n'), 'records'],
  'empty.log': ['', 'records'],
  'timestamp-prefix.log': [['2024-05-10T00:00:00.000Z ' + R1, ''].join('\n'), 'records'],
};

async function ingestAll(files: string[], fast: boolean): Promise<{ results: FlowFileIngest[]; rows: unknown[] }> {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const results: FlowFileIngest[] = [];
    for (const file of files) results.push(await ingestFlowLogFile(engine, file, { fast }));
    // Every column, the internal ones included (key, its hash, file, line, kind, start_ts, extra).
    const { rows } = await engine.all('SELECT * FROM vpc_flow_records ORDER BY _key, _file, _line');
    return { results, rows };
  } finally {
    await engine.close();
  }
}

function compare(files: string[], fast: Awaited<ReturnType<typeof ingestAll>>, slow: Awaited<ReturnType<typeof ingestAll>>): void {
  for (let i = 0; i < files.length; i++) {
    const f = fast.results[i]!;
    const s = slow.results[i]!;
    assert.deepEqual(f.stats, s.stats, `stats of ${files[i]}`);
    assert.deepEqual([f.appended, f.duplicates, f.format], [s.appended, s.duplicates, s.format], `counts of ${files[i]}`);
    const st = f.stats;
    assert.equal(st.records + st.nodata + st.skipdata + st.headers + st.bad, st.lines, `accounting of ${files[i]}`);
  }
  assert.equal(fast.rows.length, slow.rows.length);
  assert.deepEqual(fast.rows, slow.rows, 'the stored rows are identical, byte for byte');
}

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
    assert.deepEqual([clean.rows, clean.skip, clean.stats.lines, clean.stats.records, clean.stats.nodata, clean.stats.skipdata, clean.stats.headers], [5, 1, 6, 3, 1, 1, 1]);
    assert.deepEqual(clean.range, { lo: 1700000000, hi: 1700000200, nullStart: false });
  }
});

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
      assert.equal(f.appended + f.duplicates, slow.results.reduce((n, r) => n + r.appended + r.duplicates, 0));
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
    assert.deepEqual(done.map((d) => [d.path, d.stats.lines]), [[paths[0], 3], [paths[1], 2], [paths[2], 2]], 'b.log is accounted as it is now');
    const { rows } = await engine.all('SELECT _file, _line FROM vpc_flow_records ORDER BY _file, _line');
    assert.deepEqual(rows.map((r) => [r['_file'], Number(r['_line'])]), [[paths[0], 2], [paths[0], 3], [paths[1], 2], [paths[2], 2]]);
    assert.equal(appended, 4);
  } finally {
    await engine.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestFlowLogFile } from '../../src/ingest/vpcflow/index.js';
import { flowFiles, readCsvSql } from '../../src/bench/flows-contenders.js';
import { FLOW_V2_HEADER, FLOW_V5_HEADER, generateFlowCorpus } from '../../src/bench/flows-generate.js';
import { flowLogLocation } from '../../src/ingest/vpcflow/detect.js';

async function generate(records: number) {
  const root = await mkdtemp(join(tmpdir(), 'trailbook-flowgen-'));
  const result = await generateFlowCorpus({ root, records, days: 1 });
  const files = await flowFiles(root);
  return { root, result, files };
}

async function digest(root: string, files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of files) h.update(relative(root, f)).update(await readFile(f));
  return h.digest('hex');
}

test('the flow corpus is deterministic, in the S3 layout, with both formats and every row counted', async () => {
  const a = await generate(30_000);
  const b = await generate(30_000);
  assert.deepEqual(a.result, b.result);
  assert.equal(await digest(a.root, a.files), await digest(b.root, b.files), 'byte-identical for the same parameters');
  assert.equal(a.files.length, a.result.files);
  assert.equal(a.result.rows, 30_000);
  assert.equal(a.result.records + a.result.nodata + a.result.skipdata, a.result.rows);
  assert.ok(a.result.nodata > 0 && a.result.skipdata > 0 && a.result.port8443Records > 0);
  assert.ok(a.result.v2Rows > 0 && a.result.v5Rows > 0);
  for (const f of a.files) {
    assert.ok(flowLogLocation(relative(a.root, f)), `S3 layout: ${f}`);
    assert.match(
      f,
      /AWSLogs\/\d{12}\/vpcflowlogs\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/\d{12}_vpcflowlogs_[a-z0-9-]+_fl-[0-9a-f]+_\d{8}T\d{4}Z_[0-9a-f]+\.log\.gz$/,
    );
    const first = gunzipSync(await readFile(f))
      .toString('latin1')
      .split('\n')[0];
    assert.ok(first === FLOW_V2_HEADER || first === FLOW_V5_HEADER);
  }
});

test('trailbook ingest and the read_csv baseline agree with the generator on the corpus', async () => {
  const { result, files } = await generate(8_000);
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  let lines = 0;
  let appended = 0;
  let bad = 0;
  try {
    for (const f of files) {
      const r = await ingestFlowLogFile(engine, f);
      lines += r.stats.lines;
      appended += r.appended;
      bad += r.stats.bad;
    }
    const stored = await engine.all('SELECT count(*) AS n, count(*) FILTER (WHERE srcport = 8443 OR dstport = 8443) AS p FROM vpc_flow_records');
    assert.equal(lines, result.lines);
    assert.equal(bad, 0);
    assert.equal(appended, result.rows);
    assert.equal(stored.rows[0]!['n'], result.rows);
    assert.equal(stored.rows[0]!['p'], result.port8443Records);
    // Ingesting again adds nothing (the probe finds every key).
    const again = await ingestFlowLogFile(engine, files[0]!);
    assert.equal(again.appended, 0);
    assert.equal(again.duplicates, again.stats.records + again.stats.nodata + again.stats.skipdata);
  } finally {
    await engine.close();
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const v2 = files.filter((f) => f.includes('us-east-1'));
  const reader = await connection.runAndReadAll(readCsvSql(FLOW_V2_HEADER, v2));
  assert.equal(Number(reader.getRows()[0]![0]), result.v2Rows);
  connection.closeSync();
  instance.closeSync();
});

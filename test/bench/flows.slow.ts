// Slow suite (`npm run test:slow`): ingest and the read_csv baseline over a generated corpus of 8,000 flow records (~4 s); the rest is in flows.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestFlowLogFile } from '../../src/ingest/vpcflow/index.js';
import { readCsvSql } from '../../src/bench/flows-contenders.js';
import { FLOW_V2_HEADER } from '../../src/bench/flows-generate.js';
import { generate } from './flow-corpus.js';

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

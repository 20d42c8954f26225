import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FLOW_V2_HEADER, FLOW_V5_HEADER } from '../../src/bench/flows-generate.js';
import { flowLogLocation } from '../../src/ingest/vpcflow/detect.js';
import { generate } from './flow-corpus.js';

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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBEngine } from '../../src/local-store.js';
import { TrailbookError } from '../../src/errors.js';
import { detectFlowLog, flowLogLocation, looksLikeFlowLogLine, readFlowLogFile, type FlowRecord } from '../../src/ingest/vpcflow/index.js';
import { corpusFile } from '../helpers/corpus.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction';
const LINES = [
  HEADER,
  '5 123456789012 eni-0aaa 198.51.100.7 10.0.0.5 50000 8443 6 3 180 1700000000 1700000060 ACCEPT OK 2 ingress',
  '5 123456789012 eni-0aaa 10.0.0.5 198.51.100.7 8443 50000 6 2 120 1700000000 1700000060 ACCEPT OK 18 egress',
  '5 123456789012 eni-0aaa - - - - - - - 1700000000 1700000060 - NODATA - -',
];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trailbook-vpcflow-'));
}

async function readAll(path: string, options = {}): Promise<{ records: FlowRecord[]; batches: number; file: ReturnType<typeof readFlowLogFile> }> {
  const file = readFlowLogFile(path, options);
  const records: FlowRecord[] = [];
  let batches = 0;
  for await (const batch of file) {
    batches++;
    records.push(...batch);
  }
  return { records, batches, file };
}

test('a .log.gz file in the S3 layout is read by its gzip magic, in batches', async () => {
  const dir = tmp();
  const path = join(dir, '123456789012_vpcflowlogs_us-east-1_fl-0abc123_20231114T2215Z_deadbeef.log.gz');
  writeFileSync(path, gzipSync(LINES.join('\n') + '\n'));
  const { records, batches, file } = await readAll(path, { batchSize: 2 });
  assert.equal(file.format, 'gzip');
  assert.equal(batches, 2);
  assert.equal(records.length, 3);
  assert.deepEqual(
    { records: file.stats.records, nodata: file.stats.nodata, headers: file.stats.headers, lines: file.stats.lines },
    { records: 2, nodata: 1, headers: 1, lines: 4 },
  );
  assert.equal(records[1]!.values['flow_direction'], 'egress');
});

test('gzip is sniffed, not trusted by extension: a .txt that is gzip, a .gz that is plain', async () => {
  const dir = tmp();
  const a = join(dir, 'flows.txt');
  writeFileSync(a, gzipSync(LINES.join('\n')));
  const b = join(dir, 'flows.log.gz');
  writeFileSync(b, LINES.join('\n'));
  assert.equal((await readAll(a)).records.length, 3);
  const plain = await readAll(b);
  assert.equal(plain.file.format, 'text');
  assert.equal(plain.records.length, 3);
});

test('a truncated .gz throws an INPUT error with the path; the stats keep what was read', async () => {
  const dir = tmp();
  const path = join(dir, 'cut.log.gz');
  const many = [HEADER, ...Array.from({ length: 2000 }, () => LINES[1]!)].join('\n');
  const full = gzipSync(many);
  writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)));
  const file = readFlowLogFile(path);
  await assert.rejects(
    async () => {
      for await (const _ of file) void _;
    },
    (error: unknown) => error instanceof TrailbookError && error.code === 'INPUT' && (error.location ?? '').startsWith(path),
  );
  assert.ok(file.stats.lines > 0);
});

test('a Parquet file damaged part-way is an INPUT error naming how far it was read, not a short read', async () => {
  // DuckDB's streamed result ends quietly when a row group fails to decompress; the reader must notice.
  const dir = tmp();
  const path = join(dir, 'flows.parquet');
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    await engine.run(`COPY (
      SELECT 5::INT AS version, '123456789012' AS account_id, 'eni-0aaa' AS interface_id, '198.51.100.' || (i % 250) AS srcaddr,
        '10.0.0.5' AS dstaddr, (i % 60000)::INT AS srcport, 8443::INT AS dstport, 6::INT AS protocol, i::BIGINT AS packets,
        (i * 7)::BIGINT AS bytes, (1700000000 + i)::BIGINT AS start, (1700000060 + i)::BIGINT AS "end", 'ACCEPT' AS action, 'OK' AS log_status
      FROM range(100000) t(i)
    ) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 10000, COMPRESSION snappy)`);
    const whole = await readAll(path, { engine });
    assert.equal(whole.file.stats.records, 100_000, 'the undamaged file is read whole');
    // Overwrite bytes inside the data pages of a row group near the end.
    const { rows } = await engine.all(
      `SELECT min(data_page_offset) AS first, max(data_page_offset + total_compressed_size) AS last FROM parquet_metadata($path) WHERE row_group_id = 8`,
      { path },
    );
    const bytes = readFileSync(path);
    const from = Number(rows[0]!['first']) + 50;
    bytes.fill(0x55, from, Math.min(from + 3000, Number(rows[0]!['last'])));
    writeFileSync(path, bytes);
    const file = readFlowLogFile(path, { engine });
    let read = 0;
    await assert.rejects(
      async () => {
        for await (const batch of file) read += batch.length;
      },
      (error: unknown) =>
        error instanceof TrailbookError && error.code === 'INPUT' && /of 100000 rows/.test(error.location ?? '') && /Parquet/.test(error.message),
    );
    assert.ok(read > 0 && read < 100_000, `the rows before the damage were read (${read})`);
  } finally {
    await engine.close();
  }
});

test('a missing file is an INPUT error', async () => {
  await assert.rejects(readAll('/nonexistent/flows.log'), (e: unknown) => e instanceof TrailbookError && e.code === 'INPUT');
});

test('Parquet flow logs are read with DuckDB read_parquet (fixture written with COPY … FORMAT parquet)', async () => {
  const dir = tmp();
  const path = join(dir, 'flows.parquet');
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    // The Parquet types AWS documents: version INT_32, ports INT_32, protocol INT_32, packets/bytes/start/end INT_64, strings.
    await engine.run(`COPY (
      SELECT * FROM (VALUES
        (5::INT, '123456789012', 'eni-0aaa', '198.51.100.7', '10.0.0.5', 50000::INT, 8443::INT, 6::INT, 3::BIGINT, 180::BIGINT, 1700000000::BIGINT, 1700000060::BIGINT, 'ACCEPT', 'OK', 2::INT, 'ingress', 'x'),
        (5::INT, '123456789012', 'eni-0aaa', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1700000000::BIGINT, 1700000060::BIGINT, NULL, 'NODATA', NULL, NULL, NULL)
      ) t(version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status, tcp_flags, flow_direction, mystery_field)
    ) TO '${path}' (FORMAT parquet)`);
    assert.equal(readFileSync(path).subarray(0, 4).toString('latin1'), 'PAR1');
    const { records, file } = await readAll(path, { engine });
    assert.equal(file.format, 'parquet');
    assert.equal(file.stats.formatSource, 'parquet');
    assert.equal(file.stats.records, 1);
    assert.equal(file.stats.nodata, 1);
    assert.equal(file.stats.lines, 2);
    assert.deepEqual(file.stats.unknownFields, ['mystery-field']);
    const v = records[0]!.values;
    assert.deepEqual(
      [v['srcaddr'], v['dstport'], v['bytes'], v['end'], v['tcp_flags'], v['flow_direction']],
      ['198.51.100.7', 8443, 180, 1700000060, 2, 'ingress'],
    );
    assert.deepEqual(records[0]!.extra, { 'mystery-field': 'x' });

    await assert.rejects(readAll(path), (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE', 'Parquet needs the engine');
  } finally {
    await engine.close();
  }
});

test('S3 layout detection: plain and Hive-style folders, daily and hourly, and file names', () => {
  assert.deepEqual(
    flowLogLocation('bucket/prefix/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/05/01/123456789012_vpcflowlogs_eu-west-1_fl-0abc_20240501T0000Z_abc.log.gz'),
    {
      accountId: '123456789012',
      region: 'eu-west-1',
      date: '2024-05-01',
      hour: null,
    },
  );
  assert.deepEqual(flowLogLocation('AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/01/13/x.log.gz'), {
    accountId: '123456789012',
    region: 'us-east-1',
    date: '2024-05-01',
    hour: '13',
  });
  assert.deepEqual(
    flowLogLocation('AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=05/day=01/hour=07/f.parquet'),
    { accountId: '123456789012', region: 'us-east-1', date: '2024-05-01', hour: '07' },
  );
  assert.equal(flowLogLocation('AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/x.json.gz'), null);
  assert.equal(flowLogLocation('AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/x.log.gz'), null, 'no day folder');
  assert.equal(detectFlowLog('/tmp/x/123456789012_vpcflowlogs_us-east-1_fl-0abc123_20231114T2215Z_deadbeef.log.gz').reason, 'file-name');
  assert.equal(detectFlowLog('AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/01/x.log.gz').reason, 's3-layout');
});

test('first-line detection: headers, header-less records, JSON-wrapped; not CloudTrail or prose', () => {
  assert.equal(detectFlowLog('flows.log', HEADER).reason, 'header');
  assert.equal(detectFlowLog('flows.log', LINES[1]!.split(' ').slice(0, 14).join(' ')).reason, 'record');
  assert.ok(looksLikeFlowLogLine('{"message":"2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA"}'));
  assert.ok(!looksLikeFlowLogLine('{"Records":[{"eventVersion":"1.08"}]}'));
  assert.ok(!looksLikeFlowLogLine('version'), 'a single field name is not a header');
  assert.ok(!looksLikeFlowLogLine('the quick brown fox'));
  assert.equal(detectFlowLog('notes.txt', 'hello world').isFlowLog, false);
});

test('first-line detection on every corpus file', async (t) => {
  for (const name of [
    'awsdocs/default-v2-examples.log',
    'awsdocs/custom-v3-tcp-flags.log',
    'awsdocs/custom-nat-gateway.log',
    'awsdocs/custom-v3-transit-gateway.log',
    'awsdocs/custom-v5-traffic-path.log',
    'elastic-integrations/test-extra-samples.log',
    'elastic-integrations/test-tgw-samples.log',
    'elastic-integrations/test-ecs-samples.log',
    'elastic-integrations/test-v8-samples.log',
    'elastic-integrations/test-with-message-field.log',
    'elastic-integrations/test-tcp-flag-sequence.log',
    'elastic-integrations/test-v5-all-fields.log',
  ]) {
    const path = corpusFile(t, `vpcflow/${name}`);
    if (!path) return;
    const first = readFileSync(path, 'utf8').split('\n')[0]!;
    assert.ok(detectFlowLog(path, first).isFlowLog, name);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { FlowLogParser, appendFlowRecords, flowRecordKey, ingestFlowLogFile, installVpcFlowSchema } from '../../src/ingest/vpcflow/index.js';
import { VPC_FLOW_LOGS_COLUMNS } from '../../src/store/vpcflow-schema.js';
import { corpusFile } from '../helpers/corpus.js';

const FIXTURE = [
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction',
  '5 123456789012 eni-0aaa 198.51.100.7 10.0.0.5 50000 8443 6 3 180 1700000000 1700000060 ACCEPT OK ingress',
  '5 123456789012 eni-0aaa 10.0.0.5 198.51.100.7 8443 50000 6 2 120 1700000000 1700000060 ACCEPT OK egress',
  '5 123456789012 eni-0aaa - - - - - - - 1700000100 1700000160 - NODATA -',
].join('\n');

async function withEngine(fn: (engine: DuckDBEngine) => Promise<void>): Promise<void> {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    await installVpcFlowSchema(engine);
    await fn(engine);
  } finally {
    await engine.close();
  }
}

test('vpc_flow_logs has the Athena column names and types AWS documents', async () => {
  await withEngine(async (engine) => {
    const { rows } = await engine.all('DESCRIBE vpc_flow_logs');
    const types = Object.fromEntries(rows.map((r) => [r['column_name'], r['column_type']]));
    assert.deepEqual(Object.keys(types), [...VPC_FLOW_LOGS_COLUMNS]);
    assert.deepEqual(Object.keys(types).slice(0, 29), [
      'version',
      'account_id',
      'interface_id',
      'srcaddr',
      'dstaddr',
      'srcport',
      'dstport',
      'protocol',
      'packets',
      'bytes',
      'start',
      'end',
      'action',
      'log_status',
      'vpc_id',
      'subnet_id',
      'instance_id',
      'tcp_flags',
      'type',
      'pkt_srcaddr',
      'pkt_dstaddr',
      'region',
      'az_id',
      'sublocation_type',
      'sublocation_id',
      'pkt_src_aws_service',
      'pkt_dst_aws_service',
      'flow_direction',
      'traffic_path',
    ]);
    assert.equal(types['version'], 'INTEGER');
    assert.equal(types['srcport'], 'INTEGER');
    assert.equal(types['dstport'], 'INTEGER');
    assert.equal(types['protocol'], 'BIGINT');
    assert.equal(types['packets'], 'BIGINT');
    assert.equal(types['bytes'], 'BIGINT');
    assert.equal(types['start'], 'BIGINT');
    assert.equal(types['end'], 'BIGINT');
    assert.equal(types['tcp_flags'], 'INTEGER');
    assert.equal(types['traffic_path'], 'INTEGER');
    assert.equal(types['account_id'], 'VARCHAR');
    assert.equal(types['reject_reason'], 'VARCHAR');
    assert.ok(!('_key' in types), 'internal columns stay out of the view');
  });
});

test('ingesting the same file twice never duplicates; internal columns say where each row came from', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-vpcstore-'));
  const path = join(dir, 'flows.log');
  writeFileSync(path, FIXTURE);
  await withEngine(async (engine) => {
    const first = await ingestFlowLogFile(engine, path);
    assert.deepEqual([first.appended, first.duplicates], [3, 0]);
    assert.equal(first.stats.records, 2);
    assert.equal(first.stats.nodata, 1);
    const again = await ingestFlowLogFile(engine, path);
    assert.deepEqual([again.appended, again.duplicates], [0, 3]);
    const { rows } = await engine.all('SELECT _file, _line, _kind, _start_ts, dstport FROM vpc_flow_records ORDER BY _line');
    assert.equal(rows.length, 3);
    assert.deepEqual(
      rows.map((r) => r['_line']),
      [2, 3, 4],
    );
    assert.equal(rows[0]!['_file'], path);
    assert.equal(rows[0]!['_kind'], 'vpc');
    assert.equal(rows[0]!['_start_ts'], '2023-11-14T22:13:20.000Z');
    const count = await engine.all('SELECT count(*) AS n FROM vpc_flow_logs WHERE dstport = 8443');
    assert.equal(count.rows[0]!['n'], 1);
  });
});

test('the same record from another file (a re-delivery, a JSON-wrapped copy) is the same key', async () => {
  const a = new FlowLogParser().parseLine(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  )!;
  const b = new FlowLogParser().parseLine(
    JSON.stringify({ message: '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK' }),
  )!;
  const c = new FlowLogParser().parseLine(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4250 1418530010 1418530070 ACCEPT OK',
  )!;
  assert.equal(flowRecordKey(a), flowRecordKey(b));
  assert.notEqual(flowRecordKey(a), flowRecordKey(c), 'one byte more is another record');
  await withEngine(async (engine) => {
    assert.deepEqual(await appendFlowRecords(engine, [a, b, c], 'one.log'), { appended: 2, duplicates: 1 });
    const stored = await engine.all('SELECT _key FROM vpc_flow_records ORDER BY bytes');
    assert.deepEqual(
      stored.rows.map((r) => r['_key']),
      [flowRecordKey(a), flowRecordKey(c)],
      'the SQL key is the TypeScript key',
    );
    assert.deepEqual(await appendFlowRecords(engine, [b], 'two.log'), { appended: 0, duplicates: 1 });
    assert.deepEqual(await appendFlowRecords(engine, [], 'three.log'), { appended: 0, duplicates: 0 });
  });
});

test('records without start (formats that lack it) are deduplicated too', async () => {
  const parse = () => {
    const p = new FlowLogParser();
    p.parseLine('instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr');
    return p.parseLine('- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5')!;
  };
  await withEngine(async (engine) => {
    assert.equal((await appendFlowRecords(engine, [parse()], 'a')).appended, 1);
    assert.equal((await appendFlowRecords(engine, [parse()], 'b')).appended, 0);
  });
});

test('every corpus file ingests; Transit Gateway records stay out of vpc_flow_logs but in the table', async (t) => {
  const files = [
    'awsdocs/default-v2-examples.log',
    'awsdocs/custom-v3-tcp-flags.log',
    'awsdocs/custom-nat-gateway.log',
    'awsdocs/custom-v3-transit-gateway.log',
    'awsdocs/custom-v5-traffic-path.log',
    'elastic-integrations/test-extra-samples.log',
    'elastic-integrations/test-v5-all-fields.log',
    'elastic-integrations/test-tcp-flag-sequence.log',
    'elastic-integrations/test-tgw-samples.log',
    'elastic-integrations/test-ecs-samples.log',
    'elastic-integrations/test-v8-samples.log',
    'elastic-integrations/test-with-message-field.log',
  ];
  await withEngine(async (engine) => {
    let appended = 0;
    for (const name of files) {
      const path = corpusFile(t, `vpcflow/${name}`);
      if (!path) return;
      const result = await ingestFlowLogFile(engine, path);
      appended += result.appended;
    }
    // 12 files: 60 rows read (records + NODATA + SKIPDATA). The default-v2 and Elastic extra
    // samples share 5 identical records (NODATA, SKIPDATA, the ICMP pair, IPv6), and the first
    // record of the tcp-flag sequence is the doc's first tcp-flags record: 54 distinct rows.
    // (The v8 sample differs from the last ECS record by its reject-reason: both stay.)
    const total = await engine.all('SELECT count(*) AS n FROM vpc_flow_records');
    assert.equal(total.rows[0]!['n'], appended);
    assert.equal(appended, 54);
    const tgw = await engine.all("SELECT count(*) AS n FROM vpc_flow_records WHERE _kind = 'tgw'");
    const extra = await engine.all("SELECT _extra FROM vpc_flow_records WHERE _kind = 'tgw' AND _line = 1");
    assert.equal(JSON.parse(extra.rows[0]!['_extra'] as string)['tgw-attachment-id'], 'tgw-attach-0789ijkl');
    assert.equal(tgw.rows[0]!['n'], 10);
    const view = await engine.all('SELECT count(*) AS n FROM vpc_flow_logs');
    assert.equal(view.rows[0]!['n'], 44);
    const bpa = await engine.all("SELECT count(*) AS n FROM vpc_flow_logs WHERE reject_reason = 'BPA'");
    assert.equal(bpa.rows[0]!['n'], 1);
  });
});

test('custom formats: the SQL key equals flowRecordKey with absent columns folded; repeats in a batch and stored keys are found by the hash probe', async () => {
  const p = new FlowLogParser();
  p.parseLine(
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id tcp-flags flow-direction traffic-path reject-reason',
  );
  const a = p.parseLine('5 123456789012 eni-0aaa 198.51.100.7 10.0.0.5 50000 8443 6 3 180 1700000000 1700000060 ACCEPT OK vpc-1 2 ingress - -')!;
  const b = p.parseLine('5 123456789012 eni-0aaa 10.0.0.5 198.51.100.7 8443 50000 6 2 120 1700000000 1700000060 ACCEPT OK vpc-1 18 egress 1 BPA')!;
  await withEngine(async (engine) => {
    assert.deepEqual(await appendFlowRecords(engine, [a, b, a], 'x.log'), { appended: 2, duplicates: 1 });
    const stored = await engine.all('SELECT _key, _key_hash = hash(_key) AS ok FROM vpc_flow_records ORDER BY bytes');
    assert.deepEqual(
      stored.rows.map((r) => r['_key']),
      [flowRecordKey(b), flowRecordKey(a)],
    );
    assert.ok(stored.rows.every((r) => r['ok'] === true));
    assert.deepEqual(await appendFlowRecords(engine, [b, a], 'y.log'), { appended: 0, duplicates: 2 });
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFlowLogFile, type FlowReadStats, type FlowRecord } from '../../src/ingest/vpcflow/index.js';
import { corpusFile } from '../helpers/corpus.js';

/**
 * Every flow-log file of ../shared/corpus/vpcflow, with the counts its SOURCES.md section states
 * (and that reading the records by eye confirms).
 */
async function readAll(path: string): Promise<{ records: FlowRecord[]; stats: FlowReadStats }> {
  const file = readFlowLogFile(path);
  const records: FlowRecord[] = [];
  for await (const batch of file) records.push(...batch);
  return { records, stats: file.stats };
}

function assertTotals(stats: FlowReadStats): void {
  assert.equal(stats.records + stats.nodata + stats.skipdata + stats.headers + stats.bad, stats.lines, 'every line is accounted for');
}

interface Case {
  file: string;
  lines: number;
  records: number;
  nodata: number;
  skipdata: number;
  headers: number;
  fields: number;
  source: string;
  check?: (records: FlowRecord[], stats: FlowReadStats) => void;
}

const CASES: Case[] = [
  {
    file: 'awsdocs/default-v2-examples.log',
    lines: 7,
    records: 5,
    nodata: 1,
    skipdata: 1,
    headers: 0,
    fields: 14,
    source: 'default-v2',
    check(records, stats) {
      assert.match(stats.formatNote!, /default v2/);
      const ssh = records[0]!.values;
      assert.deepEqual([ssh['srcaddr'], ssh['dstport'], ssh['action'], ssh['bytes'], ssh['start']], ['172.31.16.139', 22, 'ACCEPT', 4249, 1418530010]);
      assert.equal(records[1]!.values['action'], 'REJECT');
      const nodata = records[2]!.values;
      assert.equal(nodata['log_status'], 'NODATA');
      assert.equal(nodata['srcaddr'], null, '"-" is null');
      assert.equal(records[6]!.values['srcaddr'], '2001:db8:1234:a100:8d6e:3477:df66:f105');
    },
  },
  {
    file: 'awsdocs/custom-v3-tcp-flags.log',
    lines: 9,
    records: 8,
    nodata: 0,
    skipdata: 0,
    headers: 1,
    fields: 21,
    source: 'header',
    check(records) {
      assert.deepEqual(
        records.map((r) => r.values['tcp_flags']),
        [2, 18, 2, 18, 1, 1, 3, 19],
      );
      // The doc's double space between two fields is read as one separator.
      assert.equal(records[7]!.values['dstport'], 43638);
      assert.equal(records[7]!.values['pkt_srcaddr'], '10.0.0.62');
      assert.equal(records[0]!.values['packets'], 8);
      assert.equal(records[0]!.values['bytes'], 568);
    },
  },
  {
    file: 'awsdocs/custom-nat-gateway.log',
    lines: 7,
    records: 6,
    nodata: 0,
    skipdata: 0,
    headers: 1,
    fields: 6,
    source: 'header',
    check(records) {
      assert.equal(records[0]!.values['instance_id'], null);
      assert.equal(records[0]!.values['pkt_dstaddr'], '203.0.113.5');
      assert.equal(records[4]!.values['instance_id'], 'i-01234567890123456');
      assert.equal(records[0]!.values['log_status'], undefined, 'a field the format lacks is absent, not null');
    },
  },
  {
    file: 'awsdocs/custom-v3-transit-gateway.log',
    lines: 5,
    records: 4,
    nodata: 0,
    skipdata: 0,
    headers: 1,
    fields: 17,
    source: 'header',
    check(records) {
      assert.equal(records[2]!.values['instance_id'], null);
      assert.equal(records[2]!.values['pkt_srcaddr'], '10.20.33.164');
      assert.equal(records[2]!.values['srcaddr'], '10.40.1.175');
    },
  },
  {
    file: 'awsdocs/custom-v5-traffic-path.log',
    lines: 3,
    records: 2,
    nodata: 0,
    skipdata: 0,
    headers: 1,
    fields: 29,
    source: 'header',
    check(records) {
      const [ingress, egress] = records.map((r) => r.values);
      assert.equal(ingress!['flow_direction'], 'ingress');
      assert.equal(ingress!['pkt_src_aws_service'], 'S3');
      assert.equal(ingress!['traffic_path'], null);
      assert.equal(egress!['flow_direction'], 'egress');
      assert.equal(egress!['pkt_dst_aws_service'], 'S3');
      assert.equal(egress!['traffic_path'], 8);
      assert.equal(egress!['region'], 'ap-southeast-2');
      assert.equal(egress!['az_id'], 'apse2-az3');
    },
  },
  {
    file: 'elastic-integrations/test-extra-samples.log',
    lines: 7,
    records: 5,
    nodata: 1,
    skipdata: 1,
    headers: 0,
    fields: 14,
    source: 'default-v2',
    check(records) {
      assert.deepEqual(
        records.filter((r) => r.values['log_status'] === 'OK').map((r) => r.values['dstport']),
        [22, 22, 3389, 0, 0],
      );
    },
  },
  {
    file: 'elastic-integrations/test-v5-all-fields.log',
    lines: 1,
    records: 1,
    nodata: 0,
    skipdata: 0,
    headers: 0,
    fields: 29,
    source: 'inferred',
    check(records) {
      const v = records[0]!.values;
      assert.equal(v['version'], 5);
      assert.equal(v['interface_id'], 'eni-069xxxxxb7a490');
      assert.equal(v['pkt_src_aws_service'], 'AMAZON');
      assert.equal(v['pkt_dst_aws_service'], 'CLOUDFRONT');
      assert.equal(v['flow_direction'], 'ingress');
      assert.equal(v['traffic_path'], 1);
      assert.equal(v['tcp_flags'], 1);
    },
  },
  {
    file: 'elastic-integrations/test-tcp-flag-sequence.log',
    lines: 6,
    records: 1,
    nodata: 1,
    skipdata: 1,
    headers: 3,
    fields: 21,
    source: 'header',
    check(records) {
      assert.equal(records[0]!.values['tcp_flags'], 2);
      assert.deepEqual(
        records.map((r) => r.line),
        [2, 4, 6],
      );
    },
  },
  {
    file: 'elastic-integrations/test-tgw-samples.log',
    lines: 10,
    records: 3,
    nodata: 1,
    skipdata: 6,
    headers: 0,
    fields: 36,
    source: 'inferred',
    check(records, stats) {
      assert.match(stats.formatNote!, /transit gateway/);
      assert.ok(records.every((r) => r.kind === 'tgw'));
      const first = records[0]!;
      assert.equal(first.values['srcaddr'], '1.128.0.0');
      assert.equal(first.values['dstport'], 22);
      assert.equal(first.values['flow_direction'], 'ingress');
      assert.equal(first.extra?.['tgw-id'], 'tgw-0a12bc34de56f7890');
      assert.equal(first.extra?.['tgw-src-eni'], 'eni-0cc3dd4ee5f66aa7b');
    },
  },
  {
    file: 'elastic-integrations/test-ecs-samples.log',
    lines: 10,
    records: 4,
    nodata: 4,
    skipdata: 2,
    headers: 0,
    fields: 39,
    source: 'inferred',
    check(records) {
      const v = records[0]!.values;
      assert.equal(v['ecs_cluster_name'], 'frontend-cluster');
      assert.equal(v['ecs_service_name'], 'payments-service');
      assert.equal(v['ecs_task_id'], '6adbd0d6-211');
      assert.equal(v['ecs_container_instance_id'], 'i-82bfd814a3c34e21a');
      assert.equal(v['flow_direction'], 'ingress');
      assert.ok(records.every((r) => r.kind === 'vpc' && r.extra === null));
    },
  },
  {
    file: 'elastic-integrations/test-v8-samples.log',
    lines: 1,
    records: 0,
    nodata: 1,
    skipdata: 0,
    headers: 0,
    fields: 40,
    source: 'inferred',
    check(records) {
      assert.equal(records[0]!.values['reject_reason'], 'BPA');
      assert.equal(records[0]!.values['ecs_task_id'], 'e504f037-35c');
    },
  },
  {
    file: 'elastic-integrations/test-with-message-field.log',
    lines: 1,
    records: 0,
    nodata: 1,
    skipdata: 0,
    headers: 0,
    fields: 14,
    source: 'default-v2',
    check(records, stats) {
      assert.equal(stats.jsonWrapped, 1);
      assert.equal(records[0]!.values['interface_id'], 'eni-0e0bf7be352692297');
      assert.equal(records[0]!.values['start'], 1671029698);
    },
  },
];

for (const c of CASES) {
  test(`corpus vpcflow/${c.file}: ${c.records} records, ${c.nodata} NODATA, ${c.skipdata} SKIPDATA, ${c.headers} headers`, async (t) => {
    const path = corpusFile(t, `vpcflow/${c.file}`);
    if (!path) return;
    const { records, stats } = await readAll(path);
    assert.deepEqual(stats.badLines, []);
    assert.equal(stats.bad, 0);
    assert.equal(stats.lines, c.lines);
    assert.equal(stats.records, c.records);
    assert.equal(stats.nodata, c.nodata);
    assert.equal(stats.skipdata, c.skipdata);
    assert.equal(stats.headers, c.headers);
    assert.equal(stats.fields?.length, c.fields);
    assert.equal(stats.formatSource, c.source);
    assert.deepEqual(stats.unknownFields, []);
    assert.equal(records.length, c.records + c.nodata + c.skipdata, 'NODATA/SKIPDATA rows are returned (stored) but counted apart');
    assertTotals(stats);
    c.check?.(records, stats);
  });
}

test('corpus: no collected flow record uses port 8443 (SOURCES.md)', async (t) => {
  for (const c of CASES) {
    const path = corpusFile(t, `vpcflow/${c.file}`);
    if (!path) return;
    const { records } = await readAll(path);
    assert.ok(
      records.every((r) => r.values['srcport'] !== 8443 && r.values['dstport'] !== 8443),
      c.file,
    );
  }
});

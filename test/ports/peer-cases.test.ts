import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join } from 'node:path';
import { cidrReach, EXPOSURE_EVENTS, normalizeEvent, parseCidr, rulesFromPermission } from '../../src/ports/index.js';
import { CORPUS_ROOT, corpusFile, REPO_ROOT } from '../helpers/corpus.js';
import { conformanceRows, conformanceTable, DIVERGENCES, TABLE_END, TABLE_START } from './peer-conformance.js';
import { rowFromRecord } from './records.js';

/**
 * Peers' own test cases, read from ../shared/corpus/peer-tests at test time (never copied: some
 * are GPL), asked in trailbook's terms by peer-conformance.ts. Where we answer differently on
 * purpose, the row carries the reason; docs/port-semantics.md lists every row.
 */
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('every peer case agrees, or differs for a stated reason (and a stated divergence still differs)', (t) => {
  if (!corpusFile(t, 'peer-tests')) return;
  const { rows, missing } = conformanceRows(CORPUS_ROOT);
  assert.deepEqual(missing, [], 'peer test files missing from the corpus');
  for (const row of rows) {
    const key = `${row.peer}:${row.rule}:${row.name}`;
    if (row.divergence) assert.notEqual(row.ours, row.theirs, `${key} is listed as a divergence but now agrees: remove it from DIVERGENCES`);
    else assert.equal(row.ours, row.theirs, key);
  }
  const count = (peer: string) => rows.filter((r) => r.peer === peer).length;
  assert.ok(
    count('prowler') >= 42 && count('panther') >= 55 && count('streamalert') >= 4 && count('cloudsploit') >= 6,
    JSON.stringify(Object.fromEntries(['prowler', 'panther', 'streamalert', 'cloudsploit'].map((p) => [p, count(p)]))),
  );
  const listed = new Set(rows.map((r) => `${r.peer}:${r.rule}:${r.name}`));
  for (const key of Object.keys(DIVERGENCES)) assert.ok(listed.has(key), `divergence ${key} names no case`);
});

test("docs/port-semantics.md lists every peer case with trailbook's answer (npm run gen:peer-table)", (t) => {
  if (!corpusFile(t, 'peer-tests')) return;
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'port-semantics.md'), 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  assert.ok(start >= 0 && end > start, 'the peer-conformance markers are missing');
  assert.equal(
    doc.slice(start + TABLE_START.length, end).trim(),
    conformanceTable(conformanceRows(CORPUS_ROOT).rows),
    'the table is stale: run npm run gen:peer-table',
  );
});

test('prowler: 8443 is not among its default high-risk ports; cloudsploit: the EMR 8443 rule is not world-open', (t) => {
  const prowler = corpusFile(t, 'peer-tests/prowler/security_groups_cases.json');
  const cloudsploit = corpusFile(t, 'peer-tests/cloudsploit/open_ports_cases.json');
  if (!prowler || !cloudsploit) return;
  assert.ok(!readJson(prowler).highRiskTcpPortsDefault.includes(8443), 'Prowler does not flag 8443 by default: trailbook must');
  const emr = readJson(cloudsploit).plugins.openHTTPS.describeSecurityGroups[1];
  const rules = (emr.IpPermissions as unknown[]).flatMap((p) => rulesFromPermission(p as never));
  const on8443 = rules.filter((r) => r.ports.kind === 'range' && r.ports.range.from <= 8443 && 8443 <= r.ports.range.to);
  assert.ok(on8443.length > 0, 'the EMR group has an 8443 rule');
  assert.ok(
    on8443.every((r) => r.peer.kind !== 'cidr' || cidrReach(parseCidr(r.peer.value)!) !== 'anywhere'),
    'its 8443 rule (72.21.196.64/29) is not anywhere',
  );
});

test('sigma: every event its SG / NACL / load-balancer rules select is one we judge', (t) => {
  const names = [
    'aws_cloudtrail_security_group_change_ingress_egress.yml',
    'aws_cloudtrail_new_acl_entries.yml',
    'aws_cloudtrail_security_group_change_loadbalancer.yml',
  ];
  for (const name of names) {
    const file = corpusFile(t, `peer-tests/sigma/${name}`);
    if (!file) return;
    const selection = parseYaml(readFileSync(file, 'utf8')).detection.selection;
    const source = selection.eventSource as keyof typeof EXPOSURE_EVENTS;
    const events = ([] as string[]).concat(selection.eventName);
    for (const eventName of events) assert.ok((EXPOSURE_EVENTS[source] as readonly string[] | undefined)?.includes(eventName), `${source} ${eventName}`);
  }
});

test('real CloudTrail samples: host-bit CIDR, documentation range, and robustness over 430 Panther events', (t) => {
  const stratus = corpusFile(t, 'cloudtrail/stratus-red-team-detonation-logs/aws.exfiltration.ec2-security-group-open-port-22-ingress.json');
  if (!stratus) return;
  const [open] = normalizeEvent(rowFromRecord(readJson(stratus)[0]));
  assert.equal(open!.fromPort, 22);
  assert.equal(open!.internetExposed, true, '208.236.235.254/0 is 0.0.0.0/0 to EC2');
  assert.match(open!.why, /effective 0\.0\.0\.0\/0/);
  const elastic = corpusFile(t, 'cloudtrail/elastic-integrations/test-authorize-security-group-ingress-json.log');
  if (!elastic) return;
  const [doc] = normalizeEvent(rowFromRecord(JSON.parse(readFileSync(elastic, 'utf8').trim())));
  assert.equal(doc!.internetExposed, false, '203.0.113.0/24 is a documentation range');
  const panther = corpusFile(t, 'cloudtrail/panther-analysis/panther-cloudtrail-test-events.json');
  if (!panther) return;
  const records = readJson(panther).Records as Record<string, any>[];
  let changes = 0;
  for (const record of records) {
    for (const change of normalizeEvent(rowFromRecord(record))) {
      changes++;
      assert.ok(change.why.length > 0);
      if (record['errorCode']) assert.equal(change.action, 'attempt');
    }
  }
  assert.ok(changes >= 8, `${changes} changes from ${records.length} events`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { hostileReport, HOSTILE } from './fixtures.js';
import { OCSF_SEVERITY, OCSF_STATUS, OCSF_VERSION, renderOcsf } from '../../src/report/render/ocsf.js';
import type { Action, Report } from '../../src/report/contract.js';

/**
 * `--format ocsf` (docs/ocsf.md): OCSF Detection Findings as JSON Lines, checked against the
 * attributes OCSF 1.8.0 requires, on a real in-process run of the bundled sample.
 */

type Kind = 'integer' | 'string' | 'object' | 'boolean';
/**
 * What OCSF 1.8.0 requires of a Detection Finding, as dotted paths and their types. From the
 * ocsf/ocsf-schema files, tag 1.8.0: events/base_event.json (activity_id, category_uid, class_uid,
 * metadata, severity_id, time, type_uid), events/findings/finding.json (finding_info),
 * objects/metadata.json (product, version), objects/finding_info.json (uid; title is required in
 * earlier releases and recommended now: checked too), profiles/cloud.json with objects/cloud.json
 * (cloud, provider: the cloud profile is applied), objects/analytic.json (type_id, when an analytic
 * is given). `time` and the *_time attributes are timestamp_t: integer milliseconds since the epoch.
 */
const REQUIRED: [path: string, kind: Kind][] = [
  ['activity_id', 'integer'],
  ['category_uid', 'integer'],
  ['class_uid', 'integer'],
  ['type_uid', 'integer'],
  ['time', 'integer'],
  ['severity_id', 'integer'],
  ['metadata', 'object'],
  ['metadata.version', 'string'],
  ['metadata.product', 'object'],
  ['finding_info', 'object'],
  ['finding_info.uid', 'string'],
  ['finding_info.title', 'string'],
  ['cloud', 'object'],
  ['cloud.provider', 'string'],
];
/** What the mapping promises beyond the schema's minimum (docs/ocsf.md). */
const PROMISED: [path: string, kind: Kind][] = [
  ['status_id', 'integer'],
  ['is_alert', 'boolean'],
  ['metadata.product.name', 'string'],
  ['metadata.product.vendor_name', 'string'],
  ['metadata.product.version', 'string'],
  ['finding_info.first_seen_time', 'integer'],
  ['finding_info.last_seen_time', 'integer'],
  ['finding_info.analytic.type_id', 'integer'],
  ['finding_info.analytic.uid', 'string'],
  ['finding_info.analytic.version', 'string'],
];
/** Enumerations the values must come from (finding.json activity_id and status_id; dictionary.json severity_id). */
const ENUMS: Record<string, number[]> = {
  activity_id: [0, 1, 2, 3, 99],
  severity_id: [0, 1, 2, 3, 4, 5, 6, 99],
  status_id: [0, 1, 2, 3, 4, 5, 6, 99],
};

type Json = Record<string, unknown>;
const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Json)[key] : undefined), value);

function hasKind(value: unknown, kind: Kind): boolean {
  if (kind === 'integer') return Number.isInteger(value);
  if (kind === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value);
  return typeof value === kind;
}

const sample = (p: string) => join(REPO_ROOT, 'sample', p);
const storeArgs = (db: string) => ['--intel', sample('intel/threat-feed.txt'), '--trusted', sample('trusted-networks.yaml'), '--db', db];
const sampleArgs = (db: string) => [sample('cloudtrail'), sample('vpcflow'), ...storeArgs(db)];
const TO = ['--to', '2024-05-15T00:00:00Z'];

function lines(text: string): Json[] {
  assert.ok(text.endsWith('\n'), 'JSON Lines end with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      assert.doesNotThrow(() => JSON.parse(line), `line ${i + 1} is JSON`);
      return JSON.parse(line) as Json;
    });
}

test('investigate --format ocsf --out on the sample: one Detection Finding a line, every required attribute, the documented severities', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const out = join(dir, 'findings.ocsf.jsonl');
  const started = Date.now() - 1000;
  const written = await runInProcess(['investigate', ...sampleArgs(db), '--format', 'ocsf', '--out', out, ...TO]);
  assert.equal(written.status, 0, written.stderr);
  assert.equal(written.stdout, '', 'the findings go to the file, not stdout');
  // The same store as the contract: the findings the OCSF lines must stand for.
  const json = await runInProcess(['investigate', ...storeArgs(db), '--format', 'json', '--schema', 'v2', ...TO]);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as Report;

  const events = lines(readFileSync(out, 'utf8'));
  assert.equal(events.length, report.findings.length);
  assert.ok(events.length >= 4, 'the sample has a finding per action');
  for (const [i, event] of events.entries()) {
    for (const [path, kind] of [...REQUIRED, ...PROMISED])
      assert.ok(hasKind(at(event, path), kind), `line ${i + 1}: ${path} is ${kind}, got ${JSON.stringify(at(event, path))}`);
    for (const [name, allowed] of Object.entries(ENUMS)) assert.ok(allowed.includes(event[name] as number), `line ${i + 1}: ${name} ${event[name]}`);
    assert.equal(event['class_uid'], 2004);
    assert.equal(event['category_uid'], 2);
    assert.equal(event['type_uid'], (event['class_uid'] as number) * 100 + (event['activity_id'] as number));
    assert.equal(at(event, 'metadata.version'), OCSF_VERSION);
    assert.equal(at(event, 'metadata.product.name'), 'trailbook');
    assert.equal(at(event, 'metadata.product.version'), (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    assert.equal(at(event, 'cloud.provider'), 'AWS');

    const finding = report.findings[i]!;
    assert.equal(at(event, 'finding_info.uid'), finding.id);
    assert.equal(at(event, 'finding_info.title'), finding.title);
    assert.equal(at(event, 'finding_info.first_seen_time'), Date.parse(finding.firstSeen));
    assert.equal(at(event, 'finding_info.last_seen_time'), Date.parse(finding.lastSeen));
    assert.equal(at(event, 'finding_info.analytic.uid'), report.runbook.id);
    assert.equal(at(event, 'finding_info.analytic.version'), report.runbook.version);
    // When the finding was made (this run), not when its activity happened.
    assert.ok((event['time'] as number) >= started && (event['time'] as number) <= Date.now(), `time ${event['time']}`);
    assert.equal(at(event, 'cloud.account.uid'), '111122223333');
    const action = finding.decision.action;
    assert.equal(event['severity_id'], OCSF_SEVERITY[action].id, `${finding.id} (${action})`);
    assert.equal(event['status_id'], OCSF_STATUS[action].id, `${finding.id} (${action})`);
    assert.equal(event['is_alert'], action !== 'false-positive');
    assert.deepEqual(at(event, 'unmapped.trailbook.decision'), finding.decision);
    assert.equal((event['evidences'] as unknown[]).length, finding.evidence.length);
  }
  // The documented mapping (docs/ocsf.md), for every action the sample decides.
  const severities = Object.fromEntries(events.map((e) => [(at(e, 'unmapped.trailbook.decision') as { action: Action }).action, e['severity_id']]));
  assert.deepEqual(severities, { isolate: 5, escalate: 4, ticket: 3, 'false-positive': 1 });
  // Observables: the suspicious caller's address as an IP Address (type_id 2).
  const isolate = events.find((e) => e['severity_id'] === 5)!;
  const observables = isolate['observables'] as { type_id: number; value: string }[];
  assert.ok(observables.some((o) => o.type_id === 2 && o.value === '198.51.100.23'));
  assert.ok(
    observables.every((o) => o.type_id !== 2 || /^[0-9a-f.:]+$/i.test(o.value)),
    'a service principal is no IP Address observable',
  );

  // A second run on a store of its own: the same finding uids, in the same order.
  const again = await runInProcess(['investigate', ...sampleArgs(join(dir, 'again.duckdb')), '--format', 'ocsf', ...TO]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(
    lines(again.stdout).map((e) => at(e, 'finding_info.uid')),
    events.map((e) => at(e, 'finding_info.uid')),
  );
});

test('ocsf: hostile log values (quotes, newlines, </script>, escapes) round-trip through JSON.parse intact, one line per finding', () => {
  const report = hostileReport();
  const agent = 'aws-cli/2.0 "evil"\nFAKE {"class_uid":1}\r\n</script><script>alert(1)</script>\u2028';
  report.findings[0]!.evidence[0]!.detail = `userAgent ${agent}`;
  report.findings[0]!.evidence[0]!.actor = agent;
  const events = lines(renderOcsf(report));
  assert.equal(events.length, report.findings.length, 'no value breaks a line');
  for (const [i, event] of events.entries()) {
    const finding = report.findings[i]!;
    assert.equal(at(event, 'finding_info.title'), finding.title);
    assert.equal(at(event, 'finding_info.desc'), finding.decision.reasons.join('\n'));
    assert.deepEqual(at(event, 'unmapped.trailbook.decision'), finding.decision);
    const evidences = event['evidences'] as { uid: string; data: { detail?: string } }[];
    assert.deepEqual(
      evidences.map((e) => [e.uid, e.data.detail]),
      finding.evidence.map((r) => [r.source_ref, r.detail]),
    );
  }
  assert.equal(at((events[0]!['evidences'] as Json[])[0], 'actor.user.uid'), agent);
  assert.equal(at(events[0], 'metadata.product.feature.uid'), HOSTILE.style);
});

test('ocsf: a report with no findings is no lines; --help names the format', async () => {
  assert.equal(renderOcsf({ ...hostileReport(), findings: [] }), '');
  for (const command of ['investigate', 'run']) {
    const help = await runInProcess([command, '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /\| ocsf\b/, `${command} --help`);
  }
  const bad = await runInProcess(['investigate', '--format', 'xml', '--db', join(REPO_ROOT, 'nonexistent.duckdb')]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /ocsf/);
});

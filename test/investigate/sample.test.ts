import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { demoArgs } from './demo-args.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { validateReport } from '../../src/report/json-schema.js';
import type { ReportV1 as Report } from '../../src/report/contract.js';

// End to end on the bundled sample, checked against sample/GROUND_TRUTH.md.

test('investigate on the sample gives the ground truth, as a valid trailbook.report/v1', async (t) => {
  const db = join(tempDir(t), 'store.duckdb');
  const result = await runInProcess(demoArgs(db, 'json'));
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Report;
  assert.deepEqual(validateReport(report), { ok: true });

  // The five answers.
  assert.equal(report.answers.firstSeen, '2024-05-14T08:40:05Z');
  assert.equal(report.answers.firstRequest, '2024-05-14T08:40:05Z');
  assert.equal(report.answers.firstChange, '2024-05-14T09:12:07Z');
  assert.equal(report.answers.direction, 'both');
  assert.deepEqual(report.answers.eventSources, ['ec2.amazonaws.com', 'elasticloadbalancing.amazonaws.com']);
  const verdicts = Object.fromEntries(report.answers.sources.map((s) => [s.ip, s.verdict]));
  assert.equal(verdicts['198.51.100.23'], 'suspicious');
  assert.equal(verdicts['198.51.100.77'], 'suspicious');
  assert.equal(verdicts['203.0.113.15'], 'allowed');
  assert.equal(verdicts['10.0.2.17'], 'allowed');
  assert.equal(verdicts['192.0.2.10'], 'known');
  assert.equal(verdicts['cloudformation.amazonaws.com'], 'known');
  const legacy = report.answers.credentials.find((c) => c.arn?.endsWith(':user/svc-legacy-deploy'));
  assert.equal(legacy?.keyKind, 'long-term');

  // The decisions, most severe first.
  const decisions = report.findings.map((f) => [f.kind, f.decision.action]);
  assert.deepEqual(decisions, [
    ['exposure', 'isolate'],
    ['attempt', 'escalate'],
    ['exposure', 'ticket'],
    ['exposure', 'false-positive'],
  ]);
  const [isolate, attempts, ticket, listener] = report.findings as [
    Report['findings'][number],
    Report['findings'][number],
    Report['findings'][number],
    Report['findings'][number],
  ];
  assert.match(isolate.title, /sg-0a1b2c3d4e5f60718/);
  assert.equal(isolate.firstSeen, '2024-05-14T08:40:05Z');
  // The web host's call-home to the C2 after the attacker came in is part of the intrusion.
  assert.equal(isolate.direction, 'both');
  assert.equal(isolate.flows.acceptedConnections, 5);
  const callHome = isolate.evidence.find((e) => e.source_ip === '198.51.100.77');
  assert.match(callHome?.detail ?? '', /reached-then-outbound: .* started it after 198\.51\.100\.23 was accepted on 8443/);
  assert.equal(isolate.windows?.length, 2);
  assert.ok(isolate.windows?.every((w) => w.closedAt !== null));
  assert.equal(isolate.credentials?.accessKeyId, 'AKIAQEXAMPLELEGACY01');
  assert.equal(attempts.eventIds.length, 5);
  assert.equal(attempts.credentials?.keyKind, 'session');
  assert.match(ticket.title, /sg-0e5f6a7b8c9d01234/);
  assert.deepEqual(listener.eventSources, ['elasticloadbalancing.amazonaws.com']);
  assert.equal(listener.credentials?.via, 'service');

  // Decoys never appear: no finding rests on the 18443, 8444-9000 or 443 rules, the bucket or the instance id.
  const text = JSON.stringify(report.findings);
  assert.doesNotMatch(text, /sg-0c1d2e3f4a5b6c7d8|backup-8443-archive|i-08443c0ffee123456/);
  // Every finding names the evidence it rests on.
  for (const f of report.findings) assert.ok(f.evidence.length > 0 && (f.eventIds.length > 0 || f.flows.connections > 0), f.title);
});

test('investigate prints the five answers first on a terminal, and writes md and html reports', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const text = await runInProcess(demoArgs(db, 'text'));
  assert.equal(text.status, 0, text.stderr);
  assert.ok(text.stdout.indexOf('Q1') < text.stdout.indexOf('FINDINGS'));
  assert.match(text.stdout, /OUTCOME: ISOLATE/);
  const html = await runInProcess([...demoArgs(db, 'html'), '--out', join(dir, 'report.html')]);
  assert.equal(html.status, 0, html.stderr);
  assert.match(html.stderr, /report written/);
  const md = await runInProcess(demoArgs(db, 'md'));
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /isolate/i);
});

test('--fail-on turns the decision into an exit status for pipelines; a missing or empty store is refused', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'store.duckdb');
  const isolate = await runInProcess([...demoArgs(db, 'json'), '--fail-on', 'isolate']);
  assert.equal(isolate.status, 1, isolate.stderr);
  assert.ok(JSON.parse(isolate.stdout).findings.length > 0, 'the report is printed either way');
  const missing = await runInProcess(['investigate', '--db', join(dir, 'missing.duckdb')]);
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /no store at/);
  // A store that exists but holds nothing is refused too, with its own reason.
  await (await DuckDBEngine.open({ path: join(dir, 'empty.duckdb') })).close();
  const empty = await runInProcess(['investigate', '--db', join(dir, 'empty.duckdb')]);
  assert.equal(empty.status, 3);
  assert.match(empty.stderr, /holds no CloudTrail events/);
  assert.equal((await runInProcess(['investigate', '--db', db, '--fail-on', 'panic'])).status, 2);
});

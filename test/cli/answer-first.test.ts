import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Report } from '../../src/report/contract.js';
import { validateReport } from '../../src/report/json-schema.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { demoArgs, demoSettings, sample } from '../investigate/demo-args.js';

// `investigate` and `run` into an empty store answer first (docs/report.md, "Answered first"):
// the report from a scan of what the runbook reads, then the logs stored; the next run reads the
// store and gives the same report.

/** The report without what differs between two runs by design: when it was made, and how the logs were counted. */
function answersOf(report: Report): unknown {
  const { generatedAt: _g, inputs: _i, ...rest } = report;
  return rest;
}

async function investigate(args: string[]): Promise<{ report: Report; stderr: string }> {
  const result = await runInProcess([...args, '--schema', 'v2']);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Report;
  assert.deepEqual(validateReport(report), { ok: true });
  return { report, stderr: result.stderr };
}

test('investigate into an empty store: the report comes first from the scan, the logs are then stored, and the warm run agrees', async (t) => {
  const db = join(tempDir(t), 'store.duckdb');
  const cold = await investigate(demoArgs(db, 'json'));
  assert.equal(cold.report.inputs.answeredFrom, 'scan');
  assert.equal(cold.report.inputs.cloudtrail.events, null);
  assert.equal(cold.report.inputs.vpcflow.records, null);
  assert.match(cold.stderr, /the logs are now stored in .*store\.duckdb/);

  // The store now holds every log: a run without paths reads it (no scan), with the same answers.
  const warm = await investigate(demoArgs(db, 'json').filter((a) => a !== sample('cloudtrail') && a !== sample('vpcflow')));
  assert.equal(warm.report.inputs.answeredFrom, undefined);
  assert.ok((warm.report.inputs.cloudtrail.events ?? 0) > 200, 'every event stored, not only the scanned ones');
  assert.deepEqual(answersOf(cold.report), answersOf(warm.report));

  // Given the same paths again, nothing is new: the store is read, not scanned.
  const again = await investigate(demoArgs(db, 'json'));
  assert.equal(again.report.inputs.answeredFrom, undefined);
  assert.deepEqual(again.report.inputs.cloudtrail, warm.report.inputs.cloudtrail);
});

test('--no-answer-first stores the logs before the report; a runbook with an SQL step is never answered first', async (t) => {
  const plain = await investigate([...demoArgs(join(tempDir(t), 'a.duckdb'), 'json'), '--no-answer-first']);
  assert.equal(plain.report.inputs.answeredFrom, undefined);
  assert.ok((plain.report.inputs.cloudtrail.events ?? 0) > 0);
  assert.doesNotMatch(plain.stderr, /now stored/);

  const result = await runInProcess(['run', 'logging-tampering', sample('cloudtrail'), '--db', join(tempDir(t), 'b.duckdb'), '--format', 'json']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as Report).inputs.answeredFrom, undefined);
});

test('a store that already holds logs takes new files the usual way; the text report says when it was answered first', async (t) => {
  const db = join(tempDir(t), 'store.duckdb');
  const first = await runInProcess(['run', 'port-exposure', sample('cloudtrail'), '--db', db, ...demoSettings(), '--format', 'text', '--no-progress']);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /answered first, before the logs were stored/);
  const second = await investigate(['run', 'port-exposure', sample('vpcflow'), '--db', db, ...demoSettings(), '--format', 'json']);
  assert.equal(second.report.inputs.answeredFrom, undefined);
  assert.ok((second.report.inputs.vpcflow.records ?? 0) > 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_JSON_SCHEMA_FILE, reportJsonSchema, reportJsonSchemaText, validateReport } from '../../src/report/json-schema.js';
import { renderReport } from '../../src/report/render/index.js';
import { sampleReport } from './fixtures.js';

const REPO = join(import.meta.dirname, '..', '..');

test('the committed JSON Schema is the generated one (UPDATE_GOLDEN=1 rewrites it)', () => {
  const path = join(REPO, REPORT_JSON_SCHEMA_FILE);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, reportJsonSchemaText());
  assert.equal(readFileSync(path, 'utf8'), reportJsonSchemaText(), `${REPORT_JSON_SCHEMA_FILE} is stale: run UPDATE_GOLDEN=1 node --import tsx --test test/report/json-schema.test.ts`);
});

test('the JSON Schema is draft 2020-12, closed, and names every §5 field', () => {
  type Def = { properties?: Record<string, unknown>; additionalProperties?: unknown; required?: string[] };
  const schema = reportJsonSchema() as { $schema: string; $ref: string; $defs: Record<string, Def> };
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.$ref, '#/$defs/Report');
  assert.deepEqual([...schema.$defs['Report']!.required!].sort(), ['answers', 'findings', 'generatedAt', 'inputs', 'parameters', 'runbook', 'schema']);
  const finding = schema.$defs['Finding']!;
  assert.equal(finding.additionalProperties, false);
  for (const field of ['id', 'kind', 'title', 'eventIds', 'firstSeen', 'lastSeen', 'direction', 'eventSources', 'credentials', 'sources', 'flows', 'decision']) {
    assert.ok(field in finding.properties!, field);
  }
});

test('validateReport accepts the sample report, also after a JSON round trip', () => {
  assert.deepEqual(validateReport(sampleReport()), { ok: true });
  assert.deepEqual(validateReport(JSON.parse(renderReport(sampleReport(), 'json'))), { ok: true });
});

test('validateReport rejects broken shapes with the path of each problem', () => {
  const broken = JSON.parse(JSON.stringify(sampleReport()));
  broken.schema = 'trailbook.report/v2';
  broken.findings[0].decision.action = 'panic';
  broken.findings[1].firstSeen = '2024-05-14 11:02:10';
  delete broken.findings[2].eventIds;
  broken.findings[3].flows.bytes = -1;
  broken.answers.extra = true;
  const result = validateReport(broken);
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  for (const path of ['schema', 'findings[0].decision.action', 'findings[1].firstSeen', 'findings[2].eventIds', 'findings[3].flows.bytes', 'answers']) {
    assert.ok(errors.some((e) => e.startsWith(`${path}:`)), `${path} in ${errors.join('\n')}`);
  }
  assert.equal(validateReport(null).ok, false);
  assert.equal(validateReport('{}').ok, false);
});

test('validateReport checks the meanings a JSON Schema cannot say', () => {
  const errorsOf = (mutate: (r: ReturnType<typeof sampleReport>) => void) => {
    const r = sampleReport();
    mutate(r);
    const result = validateReport(r);
    return result.ok ? [] : result.errors;
  };
  assert.match(errorsOf((r) => (r.answers.firstSeen = '2024-05-14T09:12:07Z')).join(), /answers\.firstSeen/);
  assert.deepEqual(errorsOf((r) => (r.answers.firstSeen = '2024-05-14T08:40:05.000Z')), [], 'same instant, other spelling');
  assert.match(errorsOf((r) => (r.findings[2]!.credentials!.keyKind = 'session')).join(), /findings\[2\]\.credentials\.keyKind.*AKIA/);
  assert.match(errorsOf((r) => (r.answers.direction = 'inbound')).join(), /answers\.direction/);
  assert.match(errorsOf((r) => r.findings[2]!.evidence.reverse()).join(), /not in time order/);
  assert.match(errorsOf((r) => (r.findings[0]!.eventSources = ['s3.amazonaws.com'])).join(), /missing from answers\.eventSources/);
  assert.match(errorsOf((r) => (r.findings[1]!.lastSeen = '2024-05-14T00:00:00Z')).join(), /later than lastSeen/);
});

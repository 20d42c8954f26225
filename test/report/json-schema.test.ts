import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportJsonSchema, reportJsonSchemaFile, reportJsonSchemaText, validateReport } from '../../src/report/json-schema.js';
import { toV1 } from '../../src/report/v1.js';
import { renderReport } from '../../src/report/render/index.js';
import { sampleReport } from './fixtures.js';

const REPO = join(import.meta.dirname, '..', '..');

for (const version of ['v1', 'v2'] as const) {
  test(`the committed ${version} JSON Schema is the generated one (UPDATE_GOLDEN=1 rewrites it)`, () => {
    const file = reportJsonSchemaFile(version);
    const path = join(REPO, file);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, reportJsonSchemaText(version));
    assert.equal(
      readFileSync(path, 'utf8'),
      reportJsonSchemaText(version),
      `${file} is stale: run UPDATE_GOLDEN=1 node --import tsx --test test/report/json-schema.test.ts`,
    );
  });
}

test('the v1 JSON Schema is draft 2020-12, closed, and names every field v1 consumers parse', () => {
  type Def = { properties?: Record<string, unknown>; additionalProperties?: unknown; required?: string[] };
  const schema = reportJsonSchema('v1') as { $schema: string; $ref: string; $defs: Record<string, Def> };
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.$ref, '#/$defs/ReportV1');
  assert.deepEqual([...schema.$defs['ReportV1']!.required!].sort(), ['answers', 'findings', 'generatedAt', 'inputs', 'parameters', 'runbook', 'schema']);
  const finding = schema.$defs['FindingV1']!;
  assert.equal(finding.additionalProperties, false);
  for (const field of [
    'id',
    'kind',
    'title',
    'eventIds',
    'firstSeen',
    'lastSeen',
    'direction',
    'eventSources',
    'credentials',
    'sources',
    'flows',
    'decision',
  ]) {
    assert.ok(field in finding.properties!, field);
  }
});

test("the v2 JSON Schema lists the runbook's questions, answers and each finding's signals", () => {
  type Def = { properties?: Record<string, unknown>; additionalProperties?: unknown; required?: string[] };
  const schema = reportJsonSchema('v2') as { $ref: string; $defs: Record<string, Def> };
  assert.equal(schema.$ref, '#/$defs/Report');
  assert.deepEqual([...schema.$defs['Report']!.required!].sort(), [
    'answerRows',
    'answers',
    'findings',
    'generatedAt',
    'inputs',
    'parameters',
    'questions',
    'runbook',
    'schema',
    'steps',
    'subject',
  ]);
  assert.ok('signals' in schema.$defs['Finding']!.properties!);
  assert.equal(schema.$defs['Finding']!.additionalProperties, false);
});

test('validateReport accepts the sample report as v2 and as v1, also after a JSON round trip', () => {
  assert.deepEqual(validateReport(sampleReport()), { ok: true });
  assert.deepEqual(validateReport(JSON.parse(renderReport(sampleReport(), 'json'))), { ok: true });
  assert.deepEqual(validateReport(toV1(sampleReport())), { ok: true });
  assert.deepEqual(validateReport(JSON.parse(renderReport(sampleReport(), 'json', { schema: 'v1' }))), { ok: true });
});

test('v2 meanings: every question names an answer present, every answer row exists', () => {
  const r = sampleReport();
  r.questions[0]!.details[0]!.answer = 'nowhere';
  r.answerRows['firstChange'] = { finding: r.findings[0]!.id, source_ref: 'not-a-row' };
  const result = validateReport(r);
  const errors = result.ok ? [] : result.errors;
  assert.ok(
    errors.some((e) => /questions\.q1: answer "nowhere"/.test(e)),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => /answerRows\.firstChange: finding .* has no evidence row not-a-row/.test(e)),
    errors.join('\n'),
  );
});

test('toV1 refuses a report that does not fit v1, and says to ask for v2', () => {
  const r = sampleReport();
  r.findings[0]!.kind = 'persistence';
  delete r.parameters['port'];
  assert.throws(() => toV1(r), /does not fit trailbook\.report\/v1: it has no integer parameter `port`; its finding kinds persistence are not v1's/);
});

test('validateReport rejects broken shapes with the path of each problem', () => {
  const broken = JSON.parse(JSON.stringify(toV1(sampleReport())));
  broken.findings[0].decision.action = 'panic';
  broken.findings[1].firstSeen = '2024-05-14 11:02:10';
  delete broken.findings[2].eventIds;
  broken.findings[3].flows.bytes = -1;
  broken.answers.extra = true;
  const result = validateReport(broken);
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  assert.ok(!validateReport({ ...toV1(sampleReport()), schema: 'trailbook.report/v3' }).ok, 'an unknown contract is refused');
  for (const path of ['findings[0].decision.action', 'findings[1].firstSeen', 'findings[2].eventIds', 'findings[3].flows.bytes', 'answers']) {
    assert.ok(
      errors.some((e) => e.startsWith(`${path}:`)),
      `${path} in ${errors.join('\n')}`,
    );
  }
  assert.equal(validateReport(null).ok, false);
  assert.equal(validateReport('{}').ok, false);
});

test('validateReport checks the meanings a JSON Schema cannot say', () => {
  const errorsOf = (mutate: (r: ReturnType<typeof toV1>) => void) => {
    const r = toV1(sampleReport());
    mutate(r);
    const result = validateReport(r);
    return result.ok ? [] : result.errors;
  };
  assert.match(errorsOf((r) => (r.answers.firstSeen = '2024-05-14T09:12:07Z')).join(), /answers\.firstSeen/);
  assert.deepEqual(
    errorsOf((r) => (r.answers.firstSeen = '2024-05-14T08:40:05.000Z')),
    [],
    'same instant, other spelling',
  );
  assert.match(errorsOf((r) => (r.findings[2]!.credentials!.keyKind = 'session')).join(), /findings\[2\]\.credentials\.keyKind.*AKIA/);
  assert.match(errorsOf((r) => (r.answers.direction = 'inbound')).join(), /answers\.direction/);
  assert.match(errorsOf((r) => r.findings[2]!.evidence.reverse()).join(), /not in time order/);
  assert.match(errorsOf((r) => (r.findings[0]!.eventSources = ['s3.amazonaws.com'])).join(), /missing from answers\.eventSources/);
  assert.match(errorsOf((r) => (r.findings[1]!.lastSeen = '2024-05-14T00:00:00Z')).join(), /later than lastSeen/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { JSON_SCHEMA_PATH, REFERENCE_PATH, runbookJsonSchema, runbookJsonSchemaText, runbookReferenceMarkdown } from '../../src/runbook/reference.js';
import { REPO_ROOT } from '../helpers/corpus.js';

const regenerate = 'run `node --import tsx scripts/gen-schema.ts` and commit the result';

test('the committed JSON Schema matches the zod schema', () => {
  assert.equal(readFileSync(join(REPO_ROOT, JSON_SCHEMA_PATH), 'utf8'), runbookJsonSchemaText(), `${JSON_SCHEMA_PATH} drifted: ${regenerate}`);
});

test('the committed reference docs match the zod schema', () => {
  assert.equal(readFileSync(join(REPO_ROOT, REFERENCE_PATH), 'utf8'), runbookReferenceMarkdown(), `${REFERENCE_PATH} drifted: ${regenerate}`);
});

test('the JSON Schema describes the example runbook: every field it uses is declared', () => {
  const schema = runbookJsonSchema() as { $ref: string; $defs: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> };
  const runbook = schema.$defs['Runbook']!;
  const example = parse(readFileSync(join(import.meta.dirname, 'fixtures', 'example', 'runbook.yaml'), 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(example)) assert.ok(runbook.properties?.[key], `Runbook.${key} is in the JSON Schema`);
  assert.equal(runbook.additionalProperties, false);
  assert.equal(schema.$ref, '#/$defs/Runbook');
});

/**
 * Regenerates the committed JSON Schema and Markdown reference of runbook.yaml from the zod
 * schema: `node --import tsx scripts/gen-schema.ts`. test/runbook/reference.test.ts fails until
 * the committed files match.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA_PATH, REFERENCE_PATH, runbookJsonSchemaText, runbookReferenceMarkdown } from '../src/runbook/reference.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, text] of [
  [JSON_SCHEMA_PATH, runbookJsonSchemaText()],
  [REFERENCE_PATH, runbookReferenceMarkdown()],
] as const) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  process.stdout.write(`wrote ${path}\n`);
}

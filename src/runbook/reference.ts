import { z } from 'zod';
import { FINDING_FIELDS } from '../decide/fields.js';
import { BUILTIN_STEP_COLUMNS, ROW_COLUMNS } from './row-columns.js';
import { REDUCERS } from './schema.js';
import { ACTIONS, OPERATORS } from '../decide/tree-schema.js';
import { DUE_SOON_DAYS } from './review.js';
import { RunbookSchema, SHARED_COLUMNS } from './schema.js';

/**
 * The committed JSON Schema and the Markdown reference, both generated from the zod schema so
 * they cannot disagree with it. scripts/gen-schema.ts writes them; a test fails when the
 * committed files drift from what these functions return.
 */
export const JSON_SCHEMA_PATH = 'schemas/runbook.schema.json';
export const REFERENCE_PATH = 'docs/runbook-format.md';

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  description?: string;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  title?: string;
  $defs?: Record<string, JsonSchema>;
};

export function runbookJsonSchema(): JsonSchema {
  return z.toJSONSchema(RunbookSchema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
}

export function runbookJsonSchemaText(): string {
  return JSON.stringify(runbookJsonSchema(), null, 2) + '\n';
}

/** Writing a runbook end to end; the scaffold it starts from is src/runbook/scaffold-files.ts (test/runbook/scaffold.test.ts runs these steps). */
const WALKTHROUGH: readonly string[] = [
  '## Writing a runbook',
  '',
  '1. **Scaffold.** `trailbook runbook new runbooks/open-to-internet` writes a folder that works as it',
  '   is (the id is the folder name unless `--id` says otherwise; an existing folder is refused):',
  '   `README.md` explaining each section, `runbook.yaml` with one SQL step over `cloudtrail_logs`',
  '   (security-group ingress rules naming `$cidr`, bound, never spliced), one finding rule (one finding',
  '   per security group), a signal (`byRoot`), four answers and the questions that print them, a',
  '   two-leaf decision tree (root user → `escalate`, anyone else → `ticket`), the review fields, and',
  '   `tests/` with a case for the escalate leaf and its near miss.',
  '2. **Edit.** Everything an investigation asks and decides is in `runbook.yaml`; no TypeScript changes.',
  '   Change the SQL to the events your question needs (keep the shared columns first); the finding',
  "   rule's `kind`, `where` and `groupBy` to what one incident is; the `signals` to the facts your",
  '   decision rests on (a row condition with `any`/`every`/`count`, or `when` over the finding and the',
  '   signals above it — the columns every row carries are listed under "Row columns"); the `answers`',
  '   and `questions` to what a responder must learn first; and the decision tree to your actions',
  '   (`signals.<name>` in its conditions). Raise `version`; set `owner` to the team or role that',
  '   answers for the runbook.',
  '3. **Lint.** `trailbook runbook lint runbooks/open-to-internet`: structure errors at `file:line:col`,',
  '   then meaning (ids, edges, parameters, the SQL bound by DuckDB against the tables). Errors exit 7;',
  '   warnings (no README, no questions, a field no row or finding has, no `owner`, no `reviewed` date, a review overdue',
  '   relative to `--now`) do not.',
  '4. **Test.** For every leaf, add `tests/<case>/` with the logs of a situation (`cloudtrail.json`, as',
  '   CloudTrail delivers it) and `expected.yaml` (what a correct run finds, compared as a subset; `now`',
  '   fixes relative defaults), and a near miss that must land elsewhere. `trailbook runbook test',
  '   runbooks/open-to-internet` runs each case on a fresh in-memory store and exits 8 on any difference.',
  "   A case may expect a finding's `signals` and `decision.leaf`, and the run's `answers` by id.",
  '5. **Run.** `trailbook run runbooks/open-to-internet ./AWSLogs --param cidr=0.0.0.0/0` (or the id of a',
  '   bundled runbook) ingests what is new and prints the report: your questions answered, each finding',
  '   with its decision path and evidence; `--format json` is `trailbook.report/v2` (docs/report.md).',
  '   A run goes: steps → rows (each row gets the columns below) → findings (`where`, `groupBy`,',
  '   `burst`, `related`) → signals → decision per finding → answers over all findings.',
  '6. **Review.** After each review with the owner, set `reviewed` to that day. `trailbook runbook list`',
  `   shows every runbook's version, owner and review state: \`ok\`, \`due in N days\` (the due day,`,
  `   \`reviewed\` + \`reviewInterval\`, is ${DUE_SOON_DAYS} days away or less) or \`overdue by N days\`. Reports record the version, a hash`,
  '   of `runbook.yaml` and, when the folder is in git, the commit (`runbook.git`, docs/report.md).',
  '',
];

export function runbookReferenceMarkdown(): string {
  const defs = runbookJsonSchema().$defs ?? {};
  const out: string[] = [
    '# runbook.yaml reference',
    '',
    '<!-- Generated by scripts/gen-schema.ts from src/runbook/schema.ts. Do not edit by hand: edit the schema and run `node --import tsx scripts/gen-schema.ts`. -->',
    '',
    'A runbook is a folder: `runbook.yaml` (this format), `README.md` (what it answers, how to verify a',
    'false positive) and `tests/<case>/` (fixtures and `expected.yaml`). The JSON Schema of this',
    `format is \`${JSON_SCHEMA_PATH}\` (for editors: \`# yaml-language-server: $schema=…\`).`,
    '',
    ...WALKTHROUGH,
    '## Conventions',
    '',
    '- **Parameters in SQL** are written `$name` and bound by the engine at execution, never spliced into',
    '  the text (`trailbook runbook plan` shows the SQL and the bound values). `$name` inside string literals,',
    '  quoted identifiers and comments is not a parameter. Positional `$1` is refused.',
    '- **Timestamps** are bound as ISO-8601 UTC text without milliseconds (`2024-05-01T00:00:00Z`), the format',
    '  of CloudTrail `eventtime`; use `from_iso8601_timestamp($from)` to compare as times. String lists are',
    '  bound as one JSON array text.',
    `- **Shared columns**: every step's table starts with \`${SHARED_COLUMNS.join(', ')}\`, in this order`,
    '  (`NULL AS actor` when a step has none); more columns may follow.',
    '- **Tables**: `cloudtrail_logs` and `vpc_flow_logs`, with the columns AWS documents for Athena.',
    '- **Lint** (`trailbook runbook lint`) checks structure (this reference), then meaning: ids unique, decision',
    '  edges and reachability, no cycles, parameters declared and used, step and column references, and the SQL',
    '  (parsed and bound by DuckDB against the table contract).',
    '',
    '## Decision conditions',
    '',
    'A condition is data: a comparison `{ field, op, value }`, or `{ all: [...] }`, `{ any: [...] }`,',
    '`{ not: ... }`. `field` is a path into the finding (`credentials.mfa`); `name[]` steps into every element of',
    'an array (`sources[].verdict`), and the comparison then holds for `any` element (default) or `all` of them',
    '(`quantifier`; `all` over no elements is false). A missing or null field makes every comparison false',
    'except `exists: false` and `count-*`. `value` may be `{ param: name }`.',
    '',
    '| op | holds when the field is |',
    '| --- | --- |',
    ...Object.entries(OPERATORS).map(([op, meaning]) => `| \`${op}\` | ${meaning} |`),
    '',
    `Leaves end on one action; severity order: ${ACTIONS.map((a) => `\`${a}\``).join(' > ')}.`,
    '',
    `Finding fields (report contract): ${FINDING_FIELDS.map((f) => `\`${f}\``).join(', ')}, and the runbook's own signals as \`signals.<name>\`.`,
    '',
    '## Row columns',
    '',
    "Row conditions (a finding rule's `where`, `credentials` and `parties`, a signal's `any`, `every`, `count` and `of`,",
    "an answer's `rows`) test the columns of the row's step and these, which the engine adds to every row:",
    '',
    '| column | meaning |',
    '| --- | --- |',
    ...Object.entries(ROW_COLUMNS).map(([name, meaning]) => `| \`${name}\` | ${cell(meaning)} |`),
    '',
    "The built-in steps' columns, after the shared ones:",
    '',
    '| step kind | columns |',
    '| --- | --- |',
    ...Object.entries(BUILTIN_STEP_COLUMNS).map(([kind, columns]) => `| \`${kind}\` | ${columns.map((c) => `\`${c}\``).join(', ')} |`),
    '',
    '## Reducers',
    '',
    'How an answer (`answers.<id>.reduce`) is computed over the findings of a run:',
    '',
    '| reduce | value |',
    '| --- | --- |',
    ...Object.entries(REDUCERS).map(([name, meaning]) => `| \`${name}\` | ${cell(meaning)} |`),
    '',
    '## Types',
    '',
  ];
  for (const [name, def] of Object.entries(defs)) {
    out.push(`### ${name}`, '');
    if (def.description) out.push(def.description, '');
    if (def.properties) {
      out.push('| Field | Type | Required | Description |', '| --- | --- | --- | --- |');
      for (const [field, property] of Object.entries(def.properties)) {
        const required = def.required?.includes(field) ? 'yes' : 'no';
        const defaultText =
          property.default !== undefined && JSON.stringify(property.default) !== '{}' ? ` Default: \`${JSON.stringify(property.default)}\`.` : '';
        out.push(`| \`${field}\` | ${typeText(property)} | ${required} | ${cell((property.description ?? '') + defaultText)} |`);
      }
      out.push('');
    } else {
      out.push(`One of: ${typeText(def)}.`, '');
    }
  }
  return out.join('\n');
}

function typeText(schema: JsonSchema): string {
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1)!;
    return `[${name}](#${name.toLowerCase()})`;
  }
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeText).join(' or ');
  if (schema.type === 'array') return `list of ${schema.items ? typeText(schema.items) : 'values'}`;
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    return `map of name → ${typeText(schema.additionalProperties)}`;
  }
  const base = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  const limits: string[] = [];
  if (schema.pattern) limits.push(`pattern \`${schema.pattern}\``);
  if (schema.minimum !== undefined && schema.minimum > -9007199254740991) limits.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum < 9007199254740991) limits.push(`≤ ${schema.maximum}`);
  return limits.length ? `${base} (${limits.join(', ')})` : base;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

import { z } from 'zod';
import { REPORT_SCHEMA_V1, type Report, type ReportV1 } from './contract.js';
import { ReportSchema, ReportV1Schema } from './contract-schema.js';

/**
 * The published JSON Schemas of `trailbook.report/v1` and `/v2`, and the validator the
 * end-to-end tests use. schemas/report-v1.schema.json and report-v2.schema.json are this
 * module's output, committed so that tools that never run trailbook can validate reports;
 * test/report/json-schema.test.ts fails when they differ (UPDATE_GOLDEN=1 rewrites them).
 */
export type ReportVersion = 'v1' | 'v2';

/** A URN, not a URL: the schema is found in the repository, not fetched from a host. */
export const reportJsonSchemaId = (version: ReportVersion) => `urn:trailbook:schema:report:${version}`;
export const reportJsonSchemaFile = (version: ReportVersion) => `schemas/report-${version}.schema.json`;

export function reportJsonSchema(version: ReportVersion): Record<string, unknown> {
  const generated = z.toJSONSchema(version === 'v1' ? ReportV1Schema : ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  // $schema and $id first: they are what a reader looks for at the top of the file.
  const { $schema, ...rest } = generated;
  return { $schema, $id: reportJsonSchemaId(version), ...rest };
}

/** The committed file's exact text (stable key order, two-space indent, final newline). */
export function reportJsonSchemaText(version: ReportVersion): string {
  return JSON.stringify(reportJsonSchema(version), null, 2) + '\n';
}

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

/**
 * Validates a parsed `--format json` document: first the shape (every field, with its type),
 * then the meanings that a JSON Schema cannot say (docs/report.md). Errors are `path: message`.
 */
export function validateReport(value: unknown): ValidationResult {
  const v1 = typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === REPORT_SCHEMA_V1;
  const parsed = (v1 ? ReportV1Schema : ReportSchema).safeParse(value);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${pathText(issue.path)}: ${issue.message}`) };
  }
  const errors = v1 ? meaningErrorsV1(parsed.data as ReportV1) : meaningErrors(parsed.data as Report);
  return errors.length ? { ok: false, errors } : { ok: true };
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(root)';
}

/** Cross-field rules of v2. Each is a promise a consumer may rely on. */
function meaningErrors(report: Report): string[] {
  const errors: string[] = [];
  for (const q of report.questions) {
    for (const id of [q.answer, ...q.details.map((d) => d.answer)]) {
      if (!Object.hasOwn(report.answers, id)) errors.push(`questions.${q.id}: answer "${id}" is not in answers`);
    }
  }
  const findings = new Map(report.findings.map((f) => [f.id, f] as const));
  for (const [id, from] of Object.entries(report.answerRows)) {
    const finding = findings.get(from.finding);
    if (!finding) errors.push(`answerRows.${id}: no finding ${from.finding}`);
    else if (!finding.evidence.some((row) => row.source_ref === from.source_ref))
      errors.push(`answerRows.${id}: finding ${from.finding} has no evidence row ${from.source_ref}`);
  }
  report.findings.forEach((f, i) => errors.push(...findingErrors(f, `findings[${i}]`)));
  return errors;
}

function findingErrors(f: Report['findings'][number] | ReportV1['findings'][number], at: string): string[] {
  const errors: string[] = [];
  if (Date.parse(f.firstSeen) > Date.parse(f.lastSeen)) errors.push(`${at}.firstSeen: later than lastSeen`);
  if (f.flows.acceptedConnections > f.flows.connections) errors.push(`${at}.flows.acceptedConnections: more than connections`);
  if (f.credentials) errors.push(...keyKindErrors(f.credentials, `${at}.credentials`));
  f.evidence.forEach((row, j) => {
    if (j > 0 && Date.parse(row.ts) < Date.parse(f.evidence[j - 1]!.ts)) errors.push(`${at}.evidence[${j}].ts: evidence is not in time order`);
  });
  return errors;
}

/** Cross-field rules of v1 (the port runbook's five answers). */
function meaningErrorsV1(report: ReportV1): string[] {
  const errors: string[] = [];
  // Compare instants, not strings: `…05Z` and `…05.000Z` are the same time.
  const times = report.findings.map((f) => Date.parse(f.firstSeen));
  const earliest = times.length ? new Date(Math.min(...times)).toISOString() : null;
  const answer = report.answers.firstSeen === null ? null : new Date(Date.parse(report.answers.firstSeen)).toISOString();
  if (answer !== earliest) {
    errors.push(`answers.firstSeen: is ${report.answers.firstSeen}, but the earliest finding firstSeen is ${earliest}`);
  }
  // Both halves of Q1 are times of the findings' evidence, so neither is before firstSeen.
  for (const half of ['firstRequest', 'firstChange'] as const) {
    const value = report.answers[half];
    if (value !== null && answer !== null && Date.parse(value) < Date.parse(answer)) {
      errors.push(`answers.${half}: ${value} is before answers.firstSeen ${answer}`);
    }
  }
  const sources = new Set(report.answers.eventSources);
  report.findings.forEach((f, i) => {
    const at = `findings[${i}]`;
    errors.push(...findingErrors(f, at));
    for (const s of f.eventSources) if (!sources.has(s)) errors.push(`${at}.eventSources: ${s} is missing from answers.eventSources`);
  });
  report.answers.credentials.forEach((c, i) => errors.push(...keyKindErrors(c, `answers.credentials[${i}]`)));
  const directions = new Set(report.findings.map((f) => f.direction).filter((d) => d !== null));
  const expected =
    directions.has('both') || (directions.has('inbound') && directions.has('outbound'))
      ? 'both'
      : directions.has('inbound')
        ? 'inbound'
        : directions.has('outbound')
          ? 'outbound'
          : 'none';
  if (report.answers.direction !== expected) {
    errors.push(`answers.direction: is ${report.answers.direction}, but the findings say ${expected}`);
  }
  return errors;
}

function keyKindErrors(c: { accessKeyId: string | null; keyKind: string }, at: string): string[] {
  const id = c.accessKeyId ?? '';
  const expected = id.startsWith('AKIA') ? 'long-term' : id.startsWith('ASIA') ? 'session' : id === '' ? 'none' : null;
  return expected !== null && expected !== c.keyKind ? [`${at}.keyKind: is ${c.keyKind}, but key ${id || '(none)'} is ${expected}`] : [];
}

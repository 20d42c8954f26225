import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ACTIONS } from '../decide/tree-schema.js';
import { SourceLocator } from './location.js';
import { problem, type Problem } from './problems.js';
import { zodProblems } from './structure.js';
import { yamlValue } from '../yaml-value.js';

/**
 * A runbook test case: a folder `runbooks/<id>/tests/<case>/` holding fixture files (CloudTrail
 * and flow-log files, intel lists, trusted networks — whatever the executor ingests) and
 * `expected.yaml`, what a correct run yields. Expectations are partial: only what is written is
 * compared, so a case states the facts it is about and survives unrelated report additions.
 */
export const EXPECTED_FILE = 'expected.yaml';

const ParameterValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const ExpectedSchema = z.strictObject({
  description: z.string().min(1).describe('What the case is about, in one sentence: the incident and why the outcome is right.'),
  now: z.iso.datetime().optional().describe('Reference time of relative parameter defaults (now-7d); default: the time of the run.'),
  parameters: z.record(z.string(), ParameterValueSchema).default({}).describe('Parameter values for this case.'),
  action: z.enum(ACTIONS).optional().describe('The most severe action over all findings.'),
  answers: z.record(z.string(), z.unknown()).optional().describe("Expected answers, by the runbook's answer ids, compared as a subset."),
  findings: z
    .array(z.record(z.string(), z.unknown()))
    .default([])
    .describe('Expected findings, each a subset of a report finding, e.g. { kind: exposure, decision: { action: isolate } }.'),
  otherFindings: z.enum(['forbidden', 'allowed']).default('forbidden').describe('forbidden (default): every actual finding must match an expected one.'),
});
export type Expected = z.infer<typeof ExpectedSchema>;

export interface TestCase {
  name: string;
  dir: string;
  expected: Expected;
  /** Fixture files, relative to the case folder, sorted; expected.yaml excluded. */
  files: string[];
}

export type LoadedCase = { ok: true; testCase: TestCase } | { ok: false; name: string; dir: string; problems: Problem[] };

export async function loadTestCase(dir: string, name: string): Promise<LoadedCase> {
  const file = join(dir, EXPECTED_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    return { ok: false, name, dir, problems: [problem('MISSING_EXPECTED', `case "${name}" has no ${EXPECTED_FILE}`, file)] };
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const locator = new SourceLocator(file, text, document, lines);
  if (document.errors.length > 0) {
    return { ok: false, name, dir, problems: document.errors.map((e) => problem('YAML_SYNTAX', e.message.split('\n')[0]!, locator.atOffset(e.pos[0]))) };
  }
  const value = yamlValue(document);
  if (!value.ok) return { ok: false, name, dir, problems: [problem('YAML_SYNTAX', value.reason, `${file}:1:1`)] };
  const parsed = ExpectedSchema.safeParse(value.value);
  if (!parsed.success) {
    return { ok: false, name, dir, problems: zodProblems(parsed.error.issues, locator) };
  }
  const files = (await listFiles(dir))
    .map((f) => relative(dir, f))
    .filter((f) => f !== EXPECTED_FILE)
    .sort();
  return { ok: true, testCase: { name, dir, expected: parsed.data, files } };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

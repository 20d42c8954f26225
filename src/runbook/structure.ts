import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SourceLocator, type YamlPath } from './location.js';
import { problem, type Problem } from './problems.js';
import { RunbookSchema, type Runbook } from './schema.js';
import { yamlValue } from '../yaml-value.js';

/**
 * Tier one of checking: YAML syntax and the zod schema, each problem at `file:line:col`. Pure:
 * text in, runbook (when valid) and problems out.
 */
export interface ParsedRunbook {
  runbook: Runbook | undefined;
  problems: Problem[];
  locator: SourceLocator;
}

export function parseRunbookText(file: string, text: string): ParsedRunbook {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const locator = new SourceLocator(file, text, document, lines);
  const problems: Problem[] = document.errors.map((error) => problem('YAML_SYNTAX', firstLine(error.message), locator.atOffset(error.pos[0])));
  if (problems.length > 0) return { runbook: undefined, problems, locator };
  const value = yamlValue(document);
  if (!value.ok) return { runbook: undefined, problems: [problem('YAML_SYNTAX', value.reason, `${file}:1:1`)], locator };
  const result = RunbookSchema.safeParse(value.value);
  if (result.success) return { runbook: result.data, problems, locator };
  problems.push(...zodProblems(result.error.issues, locator));
  return { runbook: undefined, problems, locator };
}

/** Zod issues as problems located in the YAML source (shared with expected.yaml loading). */
export function zodProblems(issues: readonly Issue[], locator: SourceLocator): Problem[] {
  return flattenIssues(issues, []).flatMap((issue) => issueProblems(issue, locator));
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

type Issue = z.core.$ZodIssue;
interface PlacedIssue {
  issue: Issue;
  path: (string | number)[];
}

/**
 * A union's issues list every branch's complaints, most of them noise ("not an AllCondition").
 * Keep only the branch the author evidently meant: the one whose fields were recognised, with
 * the fewest complaints.
 */
function flattenIssues(issues: readonly Issue[], prefix: (string | number)[]): PlacedIssue[] {
  const out: PlacedIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => branchScore(a) - branchScore(b))[0]!;
      out.push(...flattenIssues(best, path));
    } else {
      out.push({ issue, path });
    }
  }
  return out;
}

function branchScore(issues: readonly Issue[]): number {
  let score = 0;
  for (const issue of issues) {
    const atRoot = issue.path.length === 0;
    if (issue.code === 'unrecognized_keys' && atRoot) score += 100 * issue.keys.length;
    else if (issue.code === 'invalid_type' && atRoot) score += 1000;
    else if (issue.code === 'invalid_union') score += 1 + Math.min(...issue.errors.map(branchScore), 50);
    else score += 1;
  }
  return score;
}

function issueProblems({ issue, path }: PlacedIssue, locator: SourceLocator): Problem[] {
  const where = dotted(path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      problem('UNKNOWN_FIELD', `unknown field "${key}"${where ? ` in ${where}` : ''}`, locator.at([...path, key], { key: true }), {
        hint: 'check the spelling against docs/runbook-format.md',
      }),
    );
  }
  if (issue.code === 'invalid_type' && !locator.has(path)) {
    return [problem('MISSING_FIELD', `missing required field "${where}"`, locator.at(path))];
  }
  if (issue.code === 'invalid_key') {
    return [
      problem('INVALID_VALUE', `invalid name "${String(path.at(-1))}": ${issue.issues.map((i) => i.message).join('; ')}`, locator.at(path, { key: true })),
    ];
  }
  return [problem('INVALID_VALUE', `${where || 'runbook'}: ${issue.message}`, locator.at(path))];
}

/** `steps[2].sql`, as authors read paths. */
export function dotted(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

import { jsonEqual } from '../decide/evaluate.js';
import { mostSevereAction, type Action } from '../decide/actions.js';
import { ACTIONS } from '../decide/tree-schema.js';
import type { Expected } from './test-case.js';

/**
 * Compares what a case expects with what the run produced, as readable differences (one line
 * each, naming the field). Objects compare as subsets (only expected keys), arrays element by
 * element with equal length, scalars as JSON. Expected findings match actual ones in any order.
 */
export interface CaseOutput {
  /** Report findings (DESIGN §5), each with its `decision`. */
  findings: readonly Record<string, unknown>[];
  answers: Readonly<Record<string, unknown>>;
}

export function compareCase(expected: Expected, actual: CaseOutput): string[] {
  const diffs: string[] = [];
  if (expected.action !== undefined) {
    const overall = mostSevereAction(actual.findings.map(actionOf).filter((a): a is Action => a !== undefined));
    if (overall !== expected.action)
      diffs.push(`action: expected ${JSON.stringify(expected.action)}, got ${overall === undefined ? 'no finding with a decision' : JSON.stringify(overall)}`);
  }
  for (const [name, value] of Object.entries(expected.answers ?? {})) {
    diffs.push(...subsetDiff(value, actual.answers[name], `answers.${name}`));
  }
  const unmatched = new Set(actual.findings.map((_, i) => i));
  expected.findings.forEach((want, i) => {
    const candidates = [...unmatched].map((j) => ({ j, diffs: subsetDiff(want, actual.findings[j], `findings[${j}]`) }));
    const exact = candidates.find((c) => c.diffs.length === 0);
    if (exact) {
      unmatched.delete(exact.j);
      return;
    }
    const closest = candidates.sort((a, b) => a.diffs.length - b.diffs.length)[0];
    diffs.push(
      `expected finding ${i + 1} ${summary(want)} not found${closest ? `; closest is findings[${closest.j}] ${summary(actual.findings[closest.j]!)}:` : ' (no findings left)'}`,
    );
    if (closest) diffs.push(...closest.diffs.map((d) => `    ${d}`));
  });
  if (expected.otherFindings === 'forbidden') {
    for (const j of unmatched) diffs.push(`unexpected finding findings[${j}] ${summary(actual.findings[j]!)}`);
  }
  return diffs;
}

function actionOf(finding: Record<string, unknown>): Action | undefined {
  const decision = finding['decision'];
  const action = decision && typeof decision === 'object' ? (decision as Record<string, unknown>)['action'] : undefined;
  return (ACTIONS as readonly unknown[]).includes(action) ? (action as Action) : undefined;
}

/** `{kind: exposure, title: "…", action: isolate}` — enough to recognise a finding in a diff. */
function summary(finding: Record<string, unknown>): string {
  const parts = (['kind', 'title'] as const).filter((k) => finding[k] !== undefined).map((k) => `${k}: ${JSON.stringify(finding[k])}`);
  const action = actionOf(finding);
  if (action) parts.push(`action: ${action}`);
  return `{${parts.join(', ')}}`;
}

export function subsetDiff(expected: unknown, actual: unknown, path: string): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${show(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} item(s) ${show(expected)}, got ${actual.length} ${show(actual)}`];
    return expected.flatMap((e, i) => subsetDiff(e, actual[i], `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => subsetDiff(v, (actual as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return jsonEqual(expected, actual) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? text.slice(0, 117) + '...' : text;
}

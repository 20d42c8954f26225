import type { Action } from './actions.js';
import { isLeaf, type Comparison, type Condition, type DecisionNode, type DecisionTree, type ParameterRef } from './tree-schema.js';

/**
 * The decision-tree evaluator: pure (finding in, decision out), no IO, no eval. A finding is any
 * JSON-shaped object (docs/report.md: kind, direction, eventSources, credentials, sources[], flows…);
 * the evaluator only reads own properties along field paths, so hostile field values are data.
 */

export type Finding = Readonly<Record<string, unknown>>;
export type ParameterValues = Readonly<Record<string, unknown>>;

export interface TraceStep {
  node: string;
  label?: string;
  /** Branch nodes: whether `when` held. Absent on the leaf. */
  result?: boolean;
  /** Branch nodes: what was compared with what, for the analyst reading the path. */
  explanation?: string;
}

export interface Decision {
  action: Action;
  /** Node ids from the root to the leaf. */
  path: string[];
  /** The leaf's reasons. */
  reasons: string[];
  /** The leaf's "how to verify a false positive". */
  verify: string;
  trace: TraceStep[];
}

export interface EvaluateOptions {
  /** Runbook parameter values, for `{ param: name }` in conditions. */
  params?: ParameterValues;
}

/** Raised for a tree the linter would have rejected (missing node, cycle, undeclared parameter). */
export class DecisionTreeError extends Error {
  override readonly name = 'DecisionTreeError';
}

export function evaluate(tree: DecisionTree, finding: Finding, options: EvaluateOptions = {}): Decision {
  const nodes = new Map<string, DecisionNode>(tree.nodes.map((node) => [node.id, node]));
  const params = options.params ?? {};
  const path: string[] = [];
  const trace: TraceStep[] = [];
  let id = tree.root;
  for (;;) {
    const node = nodes.get(id);
    if (!node) throw new DecisionTreeError(`decision node "${id}" does not exist`);
    // A tree is acyclic once linted; this guard keeps an unlinted one from looping forever.
    if (path.includes(id)) throw new DecisionTreeError(`decision tree has a cycle through "${id}"`);
    path.push(id);
    if (isLeaf(node)) {
      trace.push(withLabel({ node: id }, node.label));
      return { action: node.action, path, reasons: [...node.reasons], verify: node.verify, trace };
    }
    const outcome = evaluateCondition(node.when, finding, params);
    trace.push(withLabel({ node: id, result: outcome.result, explanation: outcome.explanation }, node.label));
    id = outcome.result ? node.then : node.else;
  }
}

function withLabel(step: TraceStep, label: string | undefined): TraceStep {
  return label === undefined ? step : { ...step, label };
}

export interface ConditionOutcome {
  result: boolean;
  explanation: string;
}

export function evaluateCondition(condition: Condition, finding: Finding, params: ParameterValues = {}): ConditionOutcome {
  if ('all' in condition) {
    const parts = condition.all.map((c) => evaluateCondition(c, finding, params));
    return { result: parts.every((p) => p.result), explanation: `all(${parts.map(show).join('; ')})` };
  }
  if ('any' in condition) {
    const parts = condition.any.map((c) => evaluateCondition(c, finding, params));
    return { result: parts.some((p) => p.result), explanation: `any(${parts.map(show).join('; ')})` };
  }
  if ('not' in condition) {
    const inner = evaluateCondition(condition.not, finding, params);
    return { result: !inner.result, explanation: `not(${show(inner)})` };
  }
  return compare(condition, finding, params);
}

/**
 * `evaluateCondition(...).result` without the explanation: signals, `where` and answers test every
 * evidence row, and writing out what each comparison found (JSON of the values) was most of a
 * warm run's time in them. Every part is evaluated, as there, so a bad condition fails alike.
 */
export function conditionHolds(condition: Condition, finding: Finding, params: ParameterValues = {}): boolean {
  if ('all' in condition || 'any' in condition) {
    const all = 'all' in condition;
    let result = all;
    for (const part of all ? condition.all : condition.any) {
      const holds = conditionHolds(part, finding, params);
      result = all ? result && holds : result || holds;
    }
    return result;
  }
  if ('not' in condition) return !conditionHolds(condition.not, finding, params);
  return applyOperator(condition, resolveValue(condition.value, params), resolveField(finding, condition.field));
}

function show(outcome: ConditionOutcome): string {
  return `${outcome.explanation} → ${outcome.result}`;
}

/** The values a field path reaches. `many` is true when the path steps through `[]`. */
export interface Resolved {
  values: unknown[];
  many: boolean;
}

interface PathSegment {
  name: string;
  each: boolean;
}

/** Field paths split once: a run resolves the same few paths on every evidence row. */
const parsedPaths = new Map<string, readonly PathSegment[]>();

function pathSegments(path: string): readonly PathSegment[] {
  let segments = parsedPaths.get(path);
  if (segments === undefined) {
    segments = path.split('.').map((segment) => (segment.endsWith('[]') ? { name: segment.slice(0, -2), each: true } : { name: segment, each: false }));
    // Paths come from runbooks; the bound only keeps a long-lived process from growing without end.
    if (parsedPaths.size < 10_000) parsedPaths.set(path, segments);
  }
  return segments;
}

export function resolveField(finding: unknown, path: string): Resolved {
  const segments = pathSegments(path);
  // The common case, a plain column of a row: no arrays to build along the way.
  if (segments.length === 1 && !segments[0]!.each) return { values: [ownProperty(finding, path)], many: false };
  let current: unknown[] = [finding];
  let many = false;
  for (const { name, each } of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      const child = ownProperty(value, name);
      if (!each) next.push(child);
      else if (Array.isArray(child)) next.push(...child);
    }
    if (each) many = true;
    current = next;
  }
  return { values: many ? current.filter(isPresent) : current, many };
}

function ownProperty(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function compare(comparison: Comparison, finding: Finding, params: ParameterValues): ConditionOutcome {
  const expected = resolveValue(comparison.value, params);
  const resolved = resolveField(finding, comparison.field);
  const found = resolved.many ? resolved.values : resolved.values[0];
  const explanation = `${comparison.field} ${comparison.op}${
    comparison.value === undefined ? '' : ` ${JSON.stringify(expected)}`
  } (found ${found === undefined ? 'nothing' : JSON.stringify(found)})`;
  return { result: applyOperator(comparison, expected, resolved), explanation };
}

function resolveValue(value: Comparison['value'], params: ParameterValues): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const name = (value as ParameterRef).param;
    if (!Object.hasOwn(params, name)) throw new DecisionTreeError(`condition uses parameter "${name}", which has no value`);
    return params[name];
  }
  return value;
}

function applyOperator(comparison: Comparison, expected: unknown, resolved: Resolved): boolean {
  const { op } = comparison;
  if (op === 'exists') {
    const present = resolved.values.some(isPresent);
    return expected === false ? !present : present;
  }
  if (op === 'count-gte' || op === 'count-lte') {
    if (typeof expected !== 'number') return false;
    const count = countValues(resolved);
    return op === 'count-gte' ? count >= expected : count <= expected;
  }
  const test = (actual: unknown): boolean => isPresent(actual) && testOne(op, actual, expected);
  if (!resolved.many) return test(resolved.values[0]);
  // `all` over nothing is false on purpose: a rule like "every source is trusted" must not
  // hold for a finding that has no sources at all.
  if (comparison.quantifier === 'all') return resolved.values.length > 0 && resolved.values.every(test);
  return resolved.values.some(test);
}

function countValues(resolved: Resolved): number {
  if (resolved.many) return resolved.values.length;
  const value = resolved.values[0];
  if (Array.isArray(value)) return value.length;
  return isPresent(value) ? 1 : 0;
}

function testOne(op: Comparison['op'], actual: unknown, expected: unknown): boolean {
  switch (op) {
    case 'eq':
      return jsonEqual(actual, expected);
    case 'ne':
      return !jsonEqual(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return order(op, actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((candidate) => jsonEqual(actual, candidate));
    case 'contains':
      if (Array.isArray(actual)) return actual.some((element) => jsonEqual(element, expected));
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'starts-with':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'ends-with':
      return typeof actual === 'string' && typeof expected === 'string' && actual.endsWith(expected);
    default:
      // exists and count-* are handled before; a new operator must be added here explicitly.
      throw new DecisionTreeError(`operator "${op}" cannot compare single values`);
  }
}

function order(op: 'gt' | 'gte' | 'lt' | 'lte', actual: unknown, expected: unknown): boolean {
  const comparable = (typeof actual === 'number' && typeof expected === 'number') || (typeof actual === 'string' && typeof expected === 'string');
  if (!comparable) return false;
  const a = actual as number | string;
  const b = expected as number | string;
  if (op === 'gt') return a > b;
  if (op === 'gte') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}

/** Equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

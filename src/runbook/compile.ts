import type { Params, ParamValue } from '../engines/engine.js';
import { TrailbookError } from '../errors.js';
import type { ParameterRef } from '../decide/tree-schema.js';
import { bindValue, checkParameterValue, isoUtc, type ParameterValue } from './params.js';
import type { ParameterType, Runbook, Step } from './schema.js';
import { findSqlParameters } from './sql-params.js';

/**
 * Compile: runbook + parameter values → Plan. Pure (no IO, the clock is an argument): every
 * value is validated and typed before anything runs, and each SQL step carries exactly the
 * parameters it references, ready to bind. `runbook plan` prints this; the executor runs it.
 */
export interface PlanParameter {
  type: ParameterType;
  value: ParameterValue;
  source: 'given' | 'default';
}

export interface BoundParameter {
  type: ParameterType;
  /** As the engine binds it (lists as JSON array text). */
  value: ParamValue;
}

export interface SqlPlanStep {
  id: string;
  title: string;
  kind: 'sql';
  /** The SQL text exactly as written in the runbook: `$name` placeholders, nothing spliced. */
  sql: string;
  params: Record<string, BoundParameter>;
}

export interface BuiltinPlanStep {
  id: string;
  title: string;
  kind: 'exposures' | 'flows' | 'intel';
  /** The step's options with `{ param: name }` replaced by the typed value. */
  options: Record<string, unknown>;
}

export type PlanStep = SqlPlanStep | BuiltinPlanStep;

export interface Plan {
  runbook: { id: string; title: string; version: string };
  /** Reference time of relative defaults such as now-7d (ISO-8601 UTC). */
  now: string;
  parameters: Record<string, PlanParameter>;
  steps: PlanStep[];
  /** The questions the report will ask, parameters filled in. */
  questions: { id: string; label: string }[];
  /** The signals the decision tree tests, with what each means. */
  signals: Record<string, string>;
}

export interface ParameterProblem {
  parameter: string;
  message: string;
}

/** Bad parameter values: all of them at once, so the analyst fixes the command in one go. */
export class ParameterError extends TrailbookError {
  readonly problems: readonly ParameterProblem[];
  constructor(problems: readonly ParameterProblem[]) {
    super('USAGE', `invalid parameters: ${problems.map((p) => `${p.parameter}: ${p.message}`).join('; ')}`, {
      hint: "see the parameters and their types with `trailbook runbook plan <runbook>`; give them with `trailbook run <runbook> --param name=value` (`investigate` gives the port runbook's as flags)",
    });
    this.problems = problems;
  }
}

export interface CompileOptions {
  /** The clock, for relative times (now-7d). */
  now: Date;
}

export function compile(runbook: Runbook, given: Readonly<Record<string, unknown>>, options: CompileOptions): Plan {
  const parameters = resolveParameters(runbook, given, options.now);
  return {
    runbook: { id: runbook.id, title: runbook.title, version: runbook.version },
    now: isoUtc(options.now),
    parameters,
    steps: runbook.steps.map((step) => planStep(step, parameters)),
    questions: runbook.questions.map((q) => ({ id: q.id, label: fillParameters(q.label, parameters) })),
    signals: Object.fromEntries(Object.entries(runbook.signals).map(([name, signal]) => [name, signal.description])),
  };
}

/** `{{$name}}` in a label → the parameter's value. */
function fillParameters(template: string, parameters: Record<string, PlanParameter>): string {
  return template.replace(/\{\{\s*\$([a-z][a-z0-9_]*)\s*\}\}/g, (_, name: string) => String(parameters[name]?.value ?? ''));
}

export function resolveParameters(runbook: Runbook, given: Readonly<Record<string, unknown>>, now: Date): Record<string, PlanParameter> {
  const problems: ParameterProblem[] = [];
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(runbook.parameters, name)) {
      problems.push({ parameter: name, message: `unknown parameter (declared: ${Object.keys(runbook.parameters).join(', ') || 'none'})` });
    }
  }
  const resolved: Record<string, PlanParameter> = {};
  for (const [name, declaration] of Object.entries(runbook.parameters)) {
    const isGiven = Object.hasOwn(given, name) && given[name] !== undefined;
    const raw = isGiven ? given[name] : declaration.default;
    if (raw === undefined) {
      problems.push({ parameter: name, message: 'required: it has no default' });
      continue;
    }
    const checked = checkParameterValue(declaration, raw, now);
    if (!checked.ok) problems.push({ parameter: name, message: `${isGiven ? '' : 'default: '}${checked.message}` });
    else resolved[name] = { type: declaration.type, value: checked.value, source: isGiven ? 'given' : 'default' };
  }
  if (problems.length > 0) throw new ParameterError(problems);
  return resolved;
}

function planStep(step: Step, parameters: Record<string, PlanParameter>): PlanStep {
  if (step.kind === 'sql') {
    const params: Record<string, BoundParameter> = {};
    for (const ref of findSqlParameters(step.sql)) {
      const parameter = parameters[ref.name];
      if (ref.positional || !parameter) {
        throw new TrailbookError(
          'RUNBOOK_INVALID',
          `step "${step.id}" uses ${ref.positional ? 'a positional parameter' : 'an undeclared parameter'} $${ref.name}`,
          {
            hint: 'run `trailbook runbook lint` first',
          },
        );
      }
      params[ref.name] = { type: parameter.type, value: bindValue(parameter.value) };
    }
    return { id: step.id, title: step.title, kind: 'sql', sql: step.sql, params };
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step.options)) {
    options[key] = isParameterRef(value) ? requireParameter(parameters, value.param, step.id).value : value;
  }
  return { id: step.id, title: step.title, kind: step.kind, options };
}

function requireParameter(parameters: Record<string, PlanParameter>, name: string, stepId: string): PlanParameter {
  const parameter = parameters[name];
  if (!parameter)
    throw new TrailbookError('RUNBOOK_INVALID', `step "${stepId}" uses an undeclared parameter "${name}"`, { hint: 'run `trailbook runbook lint` first' });
  return parameter;
}

export function isParameterRef(value: unknown): value is ParameterRef {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as ParameterRef).param === 'string'
  );
}

/** The named parameters of a SQL step, as Engine.query/all take them. */
export function stepParams(step: SqlPlanStep): Params {
  return Object.fromEntries(Object.entries(step.params).map(([name, p]) => [name, p.value]));
}

/** Raw `--param name=value` strings → values (text; compile checks and types them). */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new TrailbookError('USAGE', `--param expects name=value, got "${arg}"`, { hint: 'e.g. --param port=8443' });
    const name = arg.slice(0, eq).trim();
    if (Object.hasOwn(out, name)) throw new TrailbookError('USAGE', `--param ${name} is given twice`);
    out[name] = arg.slice(eq + 1);
  }
  return out;
}

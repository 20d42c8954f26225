import { join } from 'node:path';
import { FINDING_FIELDS, isKnownFindingField } from '../decide/fields.js';
import { isLeaf, type Condition, type DecisionTree } from '../decide/tree-schema.js';
import { isParameterRef } from './compile.js';
import { readRunbookFolder, README_FILE } from './load.js';
import type { SourceLocator, YamlPath } from './location.js';
import { checkParameterValue, compilePattern } from './params.js';
import { problem, sortProblems, type Problem } from './problems.js';
import { FIELD_REDUCERS, SHARED_COLUMNS, type ParameterType, type Runbook } from './schema.js';
import { BUILTIN_STEP_COLUMNS, ROW_COLUMNS } from './row-columns.js';
import { reviewState } from './review.js';
import { isSelect, type SqlCheck, type SqlChecker } from './sql-check.js';
import { findSqlParameters } from './sql-params.js';
import { parseRunbookText } from './structure.js';

/**
 * Lint, tier two: meaning. Runs only on a runbook that passed the structure tier (zod), and
 * reports every problem at once: ids, decision edges, reachability and cycles, parameters
 * declared and used, step and column references, and the SQL itself (via DuckDB, see
 * sql-check.ts). The checks that need no database are pure (`lintMeaning`).
 */
export interface LintReport {
  dir: string;
  file: string;
  runbook: Runbook | undefined;
  problems: Problem[];
}

export interface LintOptions {
  /** Checks SQL against the table contract; omit to skip the SQL checks (they are then reported as skipped by the caller). */
  sql?: SqlChecker;
  /** The day a review is judged overdue against (default: the current time). */
  now?: Date;
}

export async function lintRunbookFolder(dir: string, options: LintOptions = {}): Promise<LintReport> {
  const folder = await readRunbookFolder(dir);
  const parsed = parseRunbookText(folder.file, folder.text);
  const problems = [...parsed.problems];
  if (folder.readme === undefined) {
    problems.push(
      problem('MISSING_README', `no ${README_FILE}: say what the runbook answers and how to verify a false positive`, join(dir, README_FILE), {
        severity: 'warning',
      }),
    );
  }
  if (parsed.runbook) {
    const sqlChecks = options.sql ? await checkSql(parsed.runbook, options.sql) : new Map<string, SqlCheck>();
    problems.push(...lintMeaning(parsed.runbook, parsed.locator, sqlChecks));
    problems.push(...lintReview(parsed.runbook, parsed.locator, options.now ?? new Date()));
  }
  return { dir, file: folder.file, runbook: parsed.runbook, problems: sortProblems(problems) };
}

/**
 * Review metadata: warnings only, because a stale review is a reminder for the owner, not a
 * reason to stop an investigation at 3 a.m.
 */
export function lintReview(runbook: Runbook, at: SourceLocator, now: Date): Problem[] {
  const problems: Problem[] = [];
  const warn = (code: string, message: string, path: YamlPath, hint: string) =>
    problems.push(problem(code, message, at.at(path, { key: true }), { severity: 'warning', hint }));
  if (runbook.owner === undefined)
    warn('MISSING_OWNER', 'no `owner`: name the team or role that answers for this runbook', ['owner'], 'e.g. `owner: security-engineering`');
  const review = reviewState(runbook, now);
  if (review.state === 'unknown') {
    warn('MISSING_REVIEW', 'no `reviewed` date: nobody has said when this runbook was last checked', ['reviewed'], 'add `reviewed: YYYY-MM-DD` after a review');
  } else if (review.state === 'overdue') {
    warn(
      'REVIEW_OVERDUE',
      `review overdue by ${review.days} day${review.days === 1 ? '' : 's'}: reviewed ${runbook.reviewed}, every ${runbook.reviewInterval}, due ${review.dueOn}`,
      ['reviewed'],
      'review the runbook with its owner, then set `reviewed` to the day of the review',
    );
  }
  return problems;
}

/** SQL check results by step id. */
export async function checkSql(runbook: Runbook, checker: SqlChecker): Promise<Map<string, SqlCheck>> {
  const types: Record<string, ParameterType> = Object.fromEntries(Object.entries(runbook.parameters).map(([n, p]) => [n, p.type]));
  const out = new Map<string, SqlCheck>();
  for (const step of runbook.steps) if (step.kind === 'sql') out.set(step.id, await checker.check(step.sql, types));
  return out;
}

export function lintMeaning(runbook: Runbook, at: SourceLocator, sqlChecks: ReadonlyMap<string, SqlCheck> = new Map()): Problem[] {
  const problems: Problem[] = [];
  const report = (code: string, message: string, path: YamlPath, extra: { severity?: 'warning'; hint?: string } = {}) =>
    problems.push(problem(code, message, at.at(path), extra));
  const usedParameters = new Set<string>();
  const useParameter = (name: string, path: YamlPath, expected?: readonly ParameterType[]) => {
    usedParameters.add(name);
    const declared = runbook.parameters[name];
    if (!declared) report('UNDECLARED_PARAMETER', `parameter "${name}" is not declared`, path, { hint: 'declare it under parameters:' });
    else if (expected && !expected.includes(declared.type)) {
      report('PARAMETER_TYPE', `parameter "${name}" is ${declared.type}, here ${expected.join(' or ')} is needed`, path);
    }
  };

  // Ids: each kind of id names one thing.
  duplicateIds(
    runbook.steps.map((s) => s.id),
    (i) => ['steps', i, 'id'],
    'step',
    report,
  );
  duplicateIds(
    runbook.findings.map((f) => f.id),
    (i) => ['findings', i, 'id'],
    'finding rule',
    report,
  );
  duplicateIds(
    runbook.decision.nodes.map((n) => n.id),
    (i) => ['decision', 'nodes', i, 'id'],
    'decision node',
    report,
  );

  // Parameters: defaults and patterns are checked like given values would be.
  for (const [name, parameter] of Object.entries(runbook.parameters)) {
    if ('pattern' in parameter && parameter.pattern !== undefined && !compilePattern(parameter.pattern)) {
      report('BAD_PATTERN', `pattern of "${name}" is not a valid regular expression`, ['parameters', name, 'pattern']);
    }
    if (parameter.type === 'integer' && parameter.min !== undefined && parameter.max !== undefined && parameter.min > parameter.max) {
      report('BAD_RANGE', `min of "${name}" is above its max`, ['parameters', name, 'min']);
    }
    if (parameter.default !== undefined) {
      const checked = checkParameterValue(parameter, parameter.default, new Date(0));
      if (!checked.ok) report('BAD_DEFAULT', `default of "${name}": ${checked.message}`, ['parameters', name, 'default']);
    }
  }

  // Steps: SQL, parameters, references between steps.
  const stepKinds = new Map(runbook.steps.map((s) => [s.id, s.kind]));
  const columnsOf = (stepId: string): string[] | undefined => {
    const check = sqlChecks.get(stepId);
    return check?.ok ? check.columns : undefined;
  };
  const requireStep = (stepId: string, path: YamlPath, kind?: string) => {
    const found = stepKinds.get(stepId);
    if (found === undefined) report('UNKNOWN_STEP', `no step "${stepId}"`, path);
    else if (kind && found !== kind) report('WRONG_STEP_KIND', `step "${stepId}" is a ${found} step, a ${kind} step is needed`, path);
  };
  const requireColumn = (stepId: string, column: string, path: YamlPath) => {
    const columns = columnsOf(stepId);
    if (columns && !columns.includes(column)) {
      report('UNKNOWN_COLUMN', `step "${stepId}" has no column "${column}"`, path, { hint: `its columns: ${columns.join(', ')}` });
    }
  };

  runbook.steps.forEach((step, i) => {
    if (step.kind === 'sql') {
      for (const ref of findSqlParameters(step.sql)) {
        const where = at.inString(['steps', i, 'sql'], ref.line, ref.col);
        if (ref.positional) {
          problems.push(problem('POSITIONAL_PARAMETER', `$${ref.name}: use a named parameter ($port), not a position`, where));
          continue;
        }
        usedParameters.add(ref.name);
        if (!runbook.parameters[ref.name])
          problems.push(problem('UNDECLARED_PARAMETER', `parameter "${ref.name}" is not declared`, where, { hint: 'declare it under parameters:' }));
      }
      problems.push(...sqlProblems(sqlChecks.get(step.id), step.id, ['steps', i, 'sql'], at));
      return;
    }
    for (const [key, value] of Object.entries(step.options)) {
      if (!isParameterRef(value)) continue;
      const expected: ParameterType[] | undefined =
        key === 'port' ? ['integer'] : key === 'from' || key === 'to' ? ['timestamp'] : key === 'protocol' ? ['string'] : undefined;
      useParameter(value.param, ['steps', i, 'options', key, 'param'], expected);
    }
    if (step.kind === 'flows' && step.options.exposures !== undefined) requireStep(step.options.exposures, ['steps', i, 'options', 'exposures'], 'exposures');
    if (step.kind === 'intel') {
      step.options.of.forEach((of, j) => {
        requireStep(of, ['steps', i, 'options', 'of', j]);
        if (of === step.id) report('SELF_REFERENCE', `step "${of}" cannot judge its own addresses`, ['steps', i, 'options', 'of', j]);
        else requireColumn(of, step.options.column ?? 'source_ip', ['steps', i, 'options', 'of', j]);
      });
    }
  });

  // Findings: which step, which columns, which template names.
  runbook.findings.forEach((rule, i) => {
    requireStep(rule.step, ['findings', i, 'step']);
    rule.groupBy.forEach((column, j) => requireColumn(rule.step, column, ['findings', i, 'groupBy', j]));
    for (const name of templateNames(rule.title)) {
      if (name.startsWith('$')) useParameter(name.slice(1), ['findings', i, 'title']);
      else if (name.endsWith('[]')) requireColumn(rule.step, name.slice(0, -2), ['findings', i, 'title']);
      else if (name !== 'rows' && !name.startsWith('rows|') && !rule.groupBy.includes(name)) {
        report('TEMPLATE_UNKNOWN', `{{${name}}} in the title is not a groupBy column, a column[] list, a $parameter or rows`, ['findings', i, 'title']);
      }
    }
    rule.related?.forEach((related, j) => {
      requireStep(related.step, ['findings', i, 'related', j, 'step']);
      related.on.forEach((column, k) => {
        requireColumn(rule.step, column, ['findings', i, 'related', j, 'on', k]);
        requireColumn(related.step, column, ['findings', i, 'related', j, 'on', k]);
      });
    });
  });

  // Row conditions: the fields a row can have (its step's columns, the shared ones, the ones the
  // engine adds). Only known when the columns are (SQL checked, or a built-in step).
  const rowFieldsOf = (stepIds: readonly string[]): Set<string> | undefined => {
    const fields = new Set<string>([...SHARED_COLUMNS, ...Object.keys(ROW_COLUMNS)]);
    for (const id of stepIds) {
      const kind = stepKinds.get(id);
      const columns = kind === undefined ? undefined : kind === 'sql' ? columnsOf(id) : BUILTIN_STEP_COLUMNS[kind];
      if (!columns) return undefined;
      for (const c of columns) fields.add(c);
    }
    return fields;
  };
  const findingRowSteps = (rule: Runbook['findings'][number]) => [rule.step, ...(rule.related ?? []).map((r) => r.step)];
  const allFindingSteps = [...new Set(runbook.findings.flatMap(findingRowSteps))];
  const lintRowCondition = (condition: Condition | undefined, path: YamlPath, fields: Set<string> | undefined) => {
    if (condition) problems.push(...lintCondition(condition, path, at, useParameter, { kind: 'row', fields }));
  };
  runbook.findings.forEach((rule, i) => {
    lintRowCondition(rule.where, ['findings', i, 'where'], rowFieldsOf([rule.step]));
    lintRowCondition(rule.credentials, ['findings', i, 'credentials'], rowFieldsOf(findingRowSteps(rule)));
    lintRowCondition(rule.parties, ['findings', i, 'parties'], rowFieldsOf(findingRowSteps(rule)));
  });

  // Signals: exactly one way to compute each; `when` sees only the signals written above it.
  const signalNames = Object.keys(runbook.signals);
  const findingFields = (upTo: number) => [...FINDING_FIELDS, ...signalNames.slice(0, upTo).map((n) => `signals.${n}`)];
  signalNames.forEach((name, i) => {
    const signal = runbook.signals[name]!;
    const path: YamlPath = ['signals', name];
    const ways = (['any', 'every', 'count', 'when'] as const).filter((k) => signal[k] !== undefined);
    if (ways.length !== 1)
      report('SIGNAL_SHAPE', `signal "${name}" needs exactly one of any, every, count, when (it has ${ways.length ? ways.join(', ') : 'none'})`, path);
    if (signal.of !== undefined && signal.every === undefined && signal.count === undefined)
      report('SIGNAL_SHAPE', `signal "${name}": \`of\` goes with every or count`, [...path, 'of']);
    const rowFields = rowFieldsOf(allFindingSteps);
    for (const key of ['any', 'every', 'count', 'of'] as const) lintRowCondition(signal[key], [...path, key], rowFields);
    if (signal.when)
      problems.push(
        ...lintCondition(signal.when, [...path, 'when'], at, useParameter, {
          kind: 'finding',
          fields: findingFields(i),
          signals: signalNames,
          signalsBefore: i,
        }),
      );
  });

  // Answers and questions.
  for (const [id, answer] of Object.entries(runbook.answers)) {
    const path: YamlPath = ['answers', id];
    if (FIELD_REDUCERS.includes(answer.reduce) && answer.field === undefined) report('ANSWER_FIELD', `answer "${id}": ${answer.reduce} needs a field`, path);
    if (!FIELD_REDUCERS.includes(answer.reduce) && answer.field !== undefined)
      report('ANSWER_FIELD', `answer "${id}": ${answer.reduce} reads no field`, [...path, 'field'], { severity: 'warning' });
    if (answer.findings)
      problems.push(
        ...lintCondition(answer.findings, [...path, 'findings'], at, useParameter, {
          kind: 'finding',
          fields: findingFields(signalNames.length),
          signals: signalNames,
        }),
      );
    lintRowCondition(answer.rows, [...path, 'rows'], rowFieldsOf(allFindingSteps));
    if (answer.field !== undefined && answer.rows === undefined && !isKnownFindingField(answer.field, FINDING_FIELDS)) {
      report('UNKNOWN_FINDING_FIELD', `answer "${id}": "${answer.field}" is not a field of a finding`, [...path, 'field'], {
        severity: 'warning',
        hint: 'give `rows` to read a row column',
      });
    }
  }
  duplicateIds(
    runbook.questions.map((q) => q.id),
    (i) => ['questions', i, 'id'],
    'question',
    report,
  );
  runbook.questions.forEach((q, i) => {
    const answerIds = [
      { id: q.answer, path: ['questions', i, 'answer'] as YamlPath },
      ...(q.details ?? []).map((d, j) => ({ id: d.answer, path: ['questions', i, 'details', j, 'answer'] as YamlPath })),
    ];
    for (const { id, path } of answerIds) if (!Object.hasOwn(runbook.answers, id)) report('UNKNOWN_ANSWER', `no answer "${id}" under answers:`, path);
    for (const name of templateNames(q.label)) {
      if (name.startsWith('$')) useParameter(name.slice(1), ['questions', i, 'label']);
      else report('TEMPLATE_UNKNOWN', `{{${name}}} in a question can only be a $parameter`, ['questions', i, 'label']);
    }
  });
  if (runbook.questions.length === 0)
    report('NO_QUESTIONS', 'the runbook asks no question: its report will show findings but no answers', ['questions'], { severity: 'warning' });
  for (const name of templateNames(runbook.report?.subject ?? '')) {
    if (name.startsWith('$')) useParameter(name.slice(1), ['report', 'subject']);
    else report('TEMPLATE_UNKNOWN', `{{${name}}} in the subject can only be a $parameter`, ['report', 'subject']);
  }

  problems.push(...lintDecisionTree(runbook.decision, at, useParameter, findingFields(signalNames.length), signalNames));

  for (const name of Object.keys(runbook.parameters)) {
    if (!usedParameters.has(name))
      report('UNUSED_PARAMETER', `parameter "${name}" is used by no step, title or condition`, ['parameters', name], { hint: 'remove it, or use it' });
  }
  return problems;
}

function duplicateIds(
  ids: readonly string[],
  pathOf: (i: number) => YamlPath,
  what: string,
  report: (code: string, message: string, path: YamlPath) => void,
): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) report('DUPLICATE_ID', `${what} id "${id}" is used twice`, pathOf(i));
    seen.add(id);
  });
}

/** `{{name}}` placeholders of a title template (without a `?? words` fallback). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([^}\s?]+)(?:\s*\?\?[^}]*)?\s*\}\}/g)].map((m) => m[1]!);
}

function sqlProblems(check: SqlCheck | undefined, stepId: string, path: YamlPath, at: SourceLocator): Problem[] {
  if (!check) return [];
  if (!check.ok) {
    const where = check.line !== undefined ? at.inString(path, check.line, check.col ?? 1) : at.at(path);
    const code = check.stage === 'parse' ? 'SQL_SYNTAX' : check.stage === 'bind' ? 'SQL_UNKNOWN_NAME' : 'SQL_PARAMETER_TYPES';
    const prefix = check.stage === 'types' ? 'with the declared parameter types: ' : '';
    return [problem(code, `step "${stepId}": ${prefix}${check.message}`, where)];
  }
  const out: Problem[] = [];
  if (!isSelect(check)) out.push(problem('SQL_NOT_SELECT', `step "${stepId}" must be a SELECT: steps read evidence, they never change the store`, at.at(path)));
  else if (check.columns) {
    const leading = check.columns.slice(0, SHARED_COLUMNS.length);
    if (leading.join(',') !== SHARED_COLUMNS.join(',')) {
      out.push(
        problem(
          'SQL_SHARED_COLUMNS',
          `step "${stepId}" must start with the columns ${SHARED_COLUMNS.join(', ')}; it starts with ${leading.join(', ')}`,
          at.at(path),
          {
            hint: 'alias them, e.g. eventtime AS ts, useridentity.arn AS actor, …; NULL AS actor when there is none',
          },
        ),
      );
    }
  }
  for (const warning of check.warnings) {
    out.push(
      problem(
        `SQL_${warning.rule.toUpperCase().replaceAll('-', '_')}`,
        `step "${stepId}": ${warning.message}`,
        at.inString(path, warning.line, warning.column),
        { severity: warning.severity === 'error' ? 'error' : 'warning', hint: warning.instead },
      ),
    );
  }
  return out;
}

function lintDecisionTree(
  tree: DecisionTree,
  at: SourceLocator,
  useParameter: (name: string, path: YamlPath) => void,
  fields: readonly string[],
  signals: readonly string[],
): Problem[] {
  const problems: Problem[] = [];
  const ids = new Set(tree.nodes.map((n) => n.id));
  if (!ids.has(tree.root)) problems.push(problem('UNKNOWN_NODE', `root "${tree.root}" is not a node`, at.at(['decision', 'root'])));
  tree.nodes.forEach((node, i) => {
    if (isLeaf(node)) return;
    for (const edge of ['then', 'else'] as const) {
      if (!ids.has(node[edge]))
        problems.push(problem('UNKNOWN_NODE', `${edge} of "${node.id}" goes to "${node[edge]}", which is not a node`, at.at(['decision', 'nodes', i, edge])));
    }
    problems.push(
      ...lintCondition(node.when, ['decision', 'nodes', i, 'when'], at, useParameter, { kind: 'finding', fields, signals, signalsBefore: signals.length }),
    );
  });

  // Reachability and cycles, by depth-first walk from the root.
  const byId = new Map(tree.nodes.map((n, i) => [n.id, { node: n, index: i }]));
  const reached = new Set<string>();
  const onPath = new Set<string>();
  const walk = (id: string, from: YamlPath | undefined) => {
    const entry = byId.get(id);
    if (!entry) return;
    if (onPath.has(id)) {
      problems.push(problem('DECISION_CYCLE', `the decision tree loops back to "${id}"`, at.at(from ?? ['decision', 'root'])));
      return;
    }
    if (reached.has(id)) return;
    reached.add(id);
    onPath.add(id);
    if (!isLeaf(entry.node)) {
      walk(entry.node.then, ['decision', 'nodes', entry.index, 'then']);
      walk(entry.node.else, ['decision', 'nodes', entry.index, 'else']);
    }
    onPath.delete(id);
  };
  walk(tree.root, undefined);
  tree.nodes.forEach((node, i) => {
    if (!reached.has(node.id) && ids.has(tree.root))
      problems.push(problem('UNREACHABLE_NODE', `node "${node.id}" cannot be reached from the root "${tree.root}"`, at.at(['decision', 'nodes', i, 'id'])));
  });
  return problems;
}

const NEEDS_NUMBER = new Set(['count-gte', 'count-lte']);
const NEEDS_STRING = new Set(['starts-with', 'ends-with']);

/**
 * What a condition is over: a finding (contract fields and the signals before it) or a row (its
 * columns; `fields` undefined when they cannot be known without running the SQL).
 */
type ConditionSubject =
  | { kind: 'finding'; fields: readonly string[]; signals?: readonly string[]; signalsBefore?: number }
  | { kind: 'row'; fields: Set<string> | undefined };

function lintCondition(
  condition: Condition,
  path: YamlPath,
  at: SourceLocator,
  useParameter: (name: string, path: YamlPath) => void,
  subject: ConditionSubject,
): Problem[] {
  if ('all' in condition) return condition.all.flatMap((c, i) => lintCondition(c, [...path, 'all', i], at, useParameter, subject));
  if ('any' in condition) return condition.any.flatMap((c, i) => lintCondition(c, [...path, 'any', i], at, useParameter, subject));
  if ('not' in condition) return lintCondition(condition.not, [...path, 'not'], at, useParameter, subject);
  const problems: Problem[] = [];
  const bad = (message: string, where: YamlPath = [...path, 'value']) => problems.push(problem('INVALID_CONDITION', message, at.at(where)));
  const { op, value, field } = condition;
  if (subject.kind === 'row') {
    const column = field.split('.')[0]!.replace('[]', '');
    if (subject.fields && !subject.fields.has(column)) {
      problems.push(
        problem('UNKNOWN_ROW_FIELD', `"${column}" is not a column of these rows`, at.at([...path, 'field']), {
          severity: 'warning',
          hint: `columns: ${[...subject.fields].join(', ')}`,
        }),
      );
    }
  } else if (field.startsWith('signals.')) {
    // A misspelt signal would silently make a branch never fire: an error, not a warning.
    const name = field.slice('signals.'.length);
    const index = (subject.signals ?? []).indexOf(name);
    if (index < 0) problems.push(problem('UNKNOWN_SIGNAL', `no signal "${name}" is declared under signals:`, at.at([...path, 'field'])));
    else if (subject.signalsBefore !== undefined && index >= subject.signalsBefore) {
      problems.push(
        problem('SIGNAL_ORDER', `signal "${name}" is computed later: a signal's \`when\` sees only the signals written above it`, at.at([...path, 'field'])),
      );
    }
  } else if (!isKnownFindingField(field, subject.fields)) {
    problems.push(
      problem('UNKNOWN_FINDING_FIELD', `"${field}" is not a field of a finding in the report contract`, at.at([...path, 'field']), {
        severity: 'warning',
        hint: `known fields: ${subject.fields.join(', ')}`,
      }),
    );
  }
  if (isParameterRef(value)) {
    useParameter(value.param, [...path, 'value', 'param']);
    return problems;
  }
  if (value === undefined && op !== 'exists') bad(`operator ${op} needs a value`, path);
  else if (op === 'exists' && value !== undefined && typeof value !== 'boolean') bad('exists takes true or false');
  else if (op === 'in' && !Array.isArray(value)) bad('in takes a list');
  else if (op !== 'in' && Array.isArray(value) && op !== 'eq' && op !== 'ne' && op !== 'contains') bad(`${op} takes a single value, not a list`);
  else if (NEEDS_NUMBER.has(op) && typeof value !== 'number') bad(`${op} takes a number`);
  else if (NEEDS_STRING.has(op) && typeof value !== 'string') bad(`${op} takes a string`);
  if (condition.quantifier !== undefined && !field.includes('[]')) bad('quantifier only applies to a field that goes through []', [...path, 'quantifier']);
  return problems;
}

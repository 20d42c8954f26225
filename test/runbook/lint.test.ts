import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRunbookFolders } from '../../src/runbook/load.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { lintRunbookFolder, type LintReport } from '../../src/runbook/lint.js';
import { SqlChecker } from '../../src/runbook/sql-check.js';
import { lineOf, MINIMAL, minimalWith, REVIEW_CURRENT_ON, writeTree } from './helpers.js';

let sql: SqlChecker;
before(async () => {
  sql = await SqlChecker.open();
});
after(async () => {
  await sql.close();
});

async function lint(yaml: string, extra: Record<string, string> = { 'README.md': '# x\n' }): Promise<LintReport> {
  return lintRunbookFolder(writeTree({ 'runbook.yaml': yaml, ...extra }), { sql, now: REVIEW_CURRENT_ON });
}

/** `CODE@line:col` of every problem, file name stripped, for compact assertions. */
function codes(report: LintReport): string[] {
  return report.problems.map((p) => `${p.code}@${p.location.slice(report.file.length + 1)}`);
}

test('the example fixture and the minimal runbook lint clean', async () => {
  const example = await lintRunbookFolder(join(import.meta.dirname, 'fixtures', 'example'), { sql, now: REVIEW_CURRENT_ON });
  assert.deepEqual(example.problems, []);
  assert.deepEqual((await lint(MINIMAL)).problems, []);
});

test('structure: YAML syntax errors point at the line', async () => {
  const yaml = minimalWith('title: Minimal', 'title: [Minimal');
  const report = await lint(yaml);
  assert.equal(report.runbook, undefined);
  assert.equal(report.problems[0]!.code, 'YAML_SYNTAX');
  assert.match(report.problems[0]!.location, /runbook\.yaml:\d+:\d+$/);
});

test('structure: unknown and missing fields, at the key and at the parent', async () => {
  const yaml = minimalWith('    title: Changes\n', '    titel: Changes\n');
  const line = lineOf(yaml, 'titel:');
  assert.deepEqual(codes(await lint(yaml)), [`MISSING_FIELD@${line - 1}:5`, `UNKNOWN_FIELD@${line}:5`]);
});

test('structure: a bad leaf reports the leaf problem, not every union branch', async () => {
  const yaml = minimalWith('      action: escalate', '      action: panic');
  const line = lineOf(yaml, 'action: panic');
  const report = await lint(yaml);
  assert.deepEqual(codes(report), [`INVALID_VALUE@${line}:15`]);
  assert.match(report.problems[0]!.message, /decision\.nodes\[1\]\.action: Invalid option/);
});

test('structure: a bad condition inside all/not is located precisely', async () => {
  const yaml = minimalWith(
    '      when: { field: "sources[].verdict", op: eq, value: suspicious }',
    '      when:\n        all:\n          - not: { field: "sources[].verdict", op: equals, value: suspicious }',
  );
  const report = await lint(yaml);
  assert.deepEqual(codes(report), [`INVALID_VALUE@${lineOf(yaml, 'op: equals')}:52`]);
});

test('structure: a parameter with an unknown type names the options', async () => {
  const report = await lint(minimalWith('type: integer', 'type: int'));
  assert.equal(report.problems[0]!.code, 'INVALID_VALUE');
  assert.match(report.problems[0]!.message, /parameters\.port\.type: .*integer/);
});

test('meaning: duplicate ids, unknown edges, unreachable nodes and cycles', async () => {
  const yaml = minimalWith('      else: ticket', '      else: nowhere').replace(
    '    - id: ticket\n      action: ticket',
    '    - id: escalate\n      action: ticket',
  );
  assert.deepEqual(codes(await lint(yaml)), [
    `UNKNOWN_NODE@${lineOf(yaml, 'else: nowhere')}:13`,
    `DUPLICATE_ID@${lineOf(yaml, '    - id: escalate\n      action: ticket')}:11`,
  ]);

  const unreachable = MINIMAL + '    - id: orphan\n      action: isolate\n      reasons: [x]\n      verify: y\n';
  assert.deepEqual(codes(await lint(unreachable)), [`UNREACHABLE_NODE@${lineOf(unreachable, 'id: orphan')}:11`]);

  const cycle = minimalWith('      then: escalate', '      then: external');
  assert.deepEqual(codes(await lint(cycle)), [`DECISION_CYCLE@${lineOf(cycle, 'then: external')}:13`, `UNREACHABLE_NODE@${lineOf(cycle, 'id: escalate')}:11`]);

  const badRoot = minimalWith('root: external', 'root: start');
  assert.deepEqual(codes(await lint(badRoot)), [`UNKNOWN_NODE@${lineOf(badRoot, 'root: start')}:9`]);
});

test('meaning: parameters declared and used, in SQL, options, titles and conditions', async () => {
  const unused = minimalWith('parameters:\n', 'parameters:\n  spare:\n    type: boolean\n    description: Unused.\n');
  assert.deepEqual(codes(await lint(unused)), [`UNUSED_PARAMETER@${lineOf(unused, 'type: boolean')}:5`]);

  const undeclared = minimalWith('CAST($port AS VARCHAR)', 'CAST($prot AS VARCHAR)');
  const sqlLine = lineOf(undeclared, '$prot');
  const report = await lint(undeclared);
  // The SQL line in the file and the column of `$prot` on it.
  const col = undeclared.split('\n')[sqlLine - 1]!.indexOf('$prot') + 1;
  assert.deepEqual(codes(report).slice(0, 1), [`UNDECLARED_PARAMETER@${sqlLine}:${col}`]);

  const positional = minimalWith('CAST($port AS VARCHAR)', 'CAST($1 AS VARCHAR)').replace('{{$port}}', '{{$port}}');
  assert.ok(codes(await lint(positional)).some((c) => c.startsWith('POSITIONAL_PARAMETER@')));

  const inCondition = minimalWith('value: suspicious }', 'value: { param: verdict } }');
  assert.deepEqual(codes(await lint(inCondition)), [`UNDECLARED_PARAMETER@${lineOf(inCondition, 'param: verdict')}:67`]);

  const badTitle = minimalWith('{{$port}}', '{{$nope}} {{resource}}');
  assert.deepEqual(
    codes(await lint(badTitle)).map((c) => c.split('@')[0]),
    ['TEMPLATE_UNKNOWN', 'UNDECLARED_PARAMETER'],
  );
});

test('meaning: {{column[]}} in a title lists any column of the step, and must name one', async () => {
  assert.deepEqual(codes(await lint(minimalWith('{{actor}} changed port {{$port}}', '{{actor}} changed port {{$port}} on {{resource[]}}'))), []);
  const typo = minimalWith('{{actor}} changed port {{$port}}', '{{actor}} changed port {{$port}} on {{resourse[]}}');
  assert.deepEqual(codes(await lint(typo)), [`UNKNOWN_COLUMN@${lineOf(typo, 'resourse[]')}:12`]);
});

test('meaning: defaults and patterns are checked like given values', async () => {
  const yaml = minimalWith('    default: 8443', '    default: 8443\n    max: 1024');
  assert.deepEqual(codes(await lint(yaml)), [`BAD_DEFAULT@${lineOf(yaml, 'default: 8443')}:14`]);
  const pattern = minimalWith('parameters:\n', 'parameters:\n  name:\n    type: string\n    description: x\n    pattern: "("\n');
  assert.ok(codes(await lint(pattern)).some((c) => c.startsWith('BAD_PATTERN@')));
});

test('meaning: an answer may select findings by a declared signal; a misspelt one is an error', async () => {
  const withSignal = minimalWith(
    'answers:\n',
    'signals:\n  fromFeed:\n    description: a caller on a threat feed\n    any: { field: source_hostile, op: eq, value: true }\nanswers:\n',
  ).replace(
    '  firstSeen: { reduce: earliest, field: firstSeen }',
    '  firstSeen: { reduce: earliest, field: firstSeen, findings: { field: signals.fromFeed, op: eq, value: true } }',
  );
  assert.deepEqual(codes(await lint(withSignal)), []);
  const misspelt = withSignal.replace('field: signals.fromFeed', 'field: signals.fromFed');
  assert.deepEqual(
    codes(await lint(misspelt)).map((c) => c.split('@')[0]),
    ['UNKNOWN_SIGNAL'],
  );
});

test('meaning: steps, columns and answers that are referenced must exist', async () => {
  const yaml = minimalWith('groupBy: [actor]', 'groupBy: [actr]').replace('answer: eventSources', 'answer: eventSource');
  assert.deepEqual(codes(await lint(yaml)), [
    `UNKNOWN_COLUMN@${lineOf(yaml, 'actr]')}:15`,
    // the title's {{actor}} is no longer a groupBy column either
    `TEMPLATE_UNKNOWN@${lineOf(yaml, 'title: "{{actor}}')}:12`,
    `UNKNOWN_ANSWER@${lineOf(yaml, 'answer: eventSource }')}:${yaml.split('\n')[lineOf(yaml, 'answer: eventSource }') - 1]!.indexOf('eventSource }') + 1}`,
  ]);
  const wrongStep = minimalWith('    step: changes', '    step: change');
  assert.deepEqual(codes(await lint(wrongStep)), [`UNKNOWN_STEP@${lineOf(wrongStep, 'step: change')}:11`]);
});

test('meaning: SQL syntax, unknown tables and columns, non-SELECT, shared columns, parameter types', async () => {
  const column = minimalWith('eventsource AS event_source', 'eventsorce AS event_source');
  const line = lineOf(column, 'eventsorce');
  const col = column.split('\n')[line - 1]!.indexOf('eventsorce') + 1;
  const report = await lint(column);
  assert.deepEqual(codes(report), [`SQL_UNKNOWN_NAME@${line}:${col}`]);
  assert.match(report.problems[0]!.message, /step "changes": Binder Error: Referenced column "eventsorce" not found/);

  const table = minimalWith('FROM cloudtrail_logs', 'FROM cloudtrail');
  assert.deepEqual(
    codes(await lint(table)).map((c) => c.split('@')[0]),
    ['SQL_UNKNOWN_NAME'],
  );

  const syntax = minimalWith('      WHERE strpos', '      WHERE WHERE strpos');
  assert.deepEqual(
    codes(await lint(syntax)).map((c) => c.split('@')[0]),
    ['SQL_SYNTAX'],
  );

  const shared = minimalWith('sourceipaddress AS source_ip', 'sourceipaddress AS ip');
  const sharedReport = await lint(shared);
  assert.ok(codes(sharedReport).some((c) => c.startsWith('SQL_SHARED_COLUMNS@')));

  // Binding an integer where text is needed works untyped but fails with the declared type.
  const types = minimalWith('strpos(requestparameters, CAST($port AS VARCHAR))', 'strpos(requestparameters, $port)');
  assert.deepEqual(
    codes(await lint(types)).map((c) => c.split('@')[0]),
    ['SQL_PARAMETER_TYPES'],
  );

  const two = minimalWith(
    '      WHERE strpos(requestparameters, CAST($port AS VARCHAR)) > 0',
    '      WHERE strpos(requestparameters, CAST($port AS VARCHAR)) > 0; SELECT 1',
  );
  assert.deepEqual(
    codes(await lint(two)).map((c) => c.split('@')[0]),
    ['SQL_SYNTAX'],
  );

  const flows = minimalWith(
    'FROM cloudtrail_logs\n      WHERE strpos(requestparameters, CAST($port AS VARCHAR)) > 0',
    'FROM cloudtrail_logs, vpc_flow_logs\n      WHERE dstport = $port',
  );
  assert.deepEqual(codes(await lint(flows)), [], 'vpc_flow_logs is a known table');
});

test('meaning: the classic port-substring mistake is flagged in step SQL', async () => {
  const yaml = minimalWith('strpos(requestparameters, CAST($port AS VARCHAR)) > 0', "requestparameters LIKE '%8443%' AND $port > 0");
  const report = await lint(yaml);
  assert.ok(
    report.problems.some((p) => p.code.startsWith('SQL_SUBSTRING')),
    JSON.stringify(report.problems),
  );
});

test('warnings: missing README, no questions, unknown finding fields, bad condition values', async () => {
  const yaml = minimalWith(MINIMAL.slice(MINIMAL.indexOf('questions:\n'), MINIMAL.indexOf('decision:')), '').replace(
    '"sources[].verdict"',
    '"sources[].verdikt"',
  );
  const report = await lint(yaml, {});
  assert.deepEqual(
    report.problems.map((p) => `${p.severity}:${p.code}`),
    ['warning:MISSING_README', 'warning:NO_QUESTIONS', 'warning:UNKNOWN_FINDING_FIELD'],
  );
  const bad = minimalWith('op: eq, value: suspicious', 'op: count-gte, value: many');
  assert.deepEqual(
    codes(await lint(bad)).map((c) => c.split('@')[0]),
    ['INVALID_CONDITION'],
  );
});

test('review metadata: missing owner and reviewed date are warnings at the top of the file', async () => {
  const report = await lint(minimalWith('owner: security-engineering\nreviewed: 2026-12-03\n', ''));
  assert.deepEqual(codes(report), ['MISSING_OWNER@1:1', 'MISSING_REVIEW@1:1']);
  assert.ok(report.problems.every((p) => p.severity === 'warning'));
});

test('review metadata: an overdue review is a warning at the `reviewed` key, relative to now', async () => {
  const dir = writeTree({ 'runbook.yaml': MINIMAL, 'README.md': '# x\n' });
  const line = lineOf(MINIMAL, 'reviewed:');
  const dueDay = await lintRunbookFolder(dir, { sql, now: new Date('2027-03-03T23:59:00Z') });
  assert.deepEqual(dueDay.problems, [], 'due on 2026-12-03 + 90 days: not yet overdue on that day');
  const late = await lintRunbookFolder(dir, { sql, now: new Date('2027-03-05T08:00:00Z') });
  assert.deepEqual(codes(late), [`REVIEW_OVERDUE@${line}:1`]);
  assert.equal(late.problems[0]!.severity, 'warning');
  assert.match(late.problems[0]!.message, /overdue by 2 days: reviewed 2026-12-03, every 90d, due 2027-03-03/);
});

test('review metadata: a date that is not a calendar day and an interval that is not days are errors', async () => {
  const badDate = await lint(minimalWith('reviewed: 2026-12-03', 'reviewed: 2026-02-30'));
  assert.deepEqual(codes(badDate), [`INVALID_VALUE@${lineOf(MINIMAL, 'reviewed:')}:11`]);
  const badInterval = await lint(minimalWith('reviewInterval: 90d', 'reviewInterval: 3 months'));
  assert.deepEqual(codes(badInterval), [`INVALID_VALUE@${lineOf(MINIMAL, 'reviewInterval:')}:17`]);
});

test('every bundled runbook lints clean on the day of its last review', async () => {
  const bundled = await findRunbookFolders(join(REPO_ROOT, 'runbooks'));
  assert.ok(bundled.length >= 1);
  for (const dir of bundled) {
    const report = await lintRunbookFolder(dir, { sql, now: new Date(`${reviewedDay(dir)}T00:00:00Z`) });
    assert.deepEqual(report.problems, [], dir);
  }
});

/** The day a bundled runbook says it was reviewed: on that day its review cannot be overdue. */
function reviewedDay(dir: string): string {
  const reviewed = /^reviewed: (\d{4}-\d{2}-\d{2})$/m.exec(readFileSync(join(dir, 'runbook.yaml'), 'utf8'))?.[1];
  assert.ok(reviewed, `${dir} names the day it was reviewed`);
  return reviewed;
}

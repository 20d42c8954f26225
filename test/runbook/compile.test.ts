import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { TrailbookError } from '../../src/errors.js';
import { installVpcFlowSchema } from '../../src/store/vpcflow-schema.js';
import { compile, ParameterError, parseParamArgs, stepParams, type SqlPlanStep } from '../../src/runbook/compile.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { checkParameterValue } from '../../src/runbook/params.js';
import { formatPlanText, planToJson } from '../../src/runbook/plan-format.js';
import type { Parameter } from '../../src/runbook/schema.js';
import { findSqlParameters, sqlParameterNames, toPositional } from '../../src/runbook/sql-params.js';

const EXAMPLE = join(import.meta.dirname, 'fixtures', 'example');
const GOLDEN = join(import.meta.dirname, 'golden');
const NOW = new Date('2024-05-08T12:00:00Z');

/** Golden files: set UPDATE_GOLDEN=1 to rewrite them, then review the diff like code. */
function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  assert.ok(existsSync(path), `no golden file ${name}: run with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file`);
}

test('plan of the example runbook with defaults: text and JSON goldens', async () => {
  const { runbook } = await loadRunbook(EXAMPLE);
  const plan = compile(runbook, {}, { now: NOW });
  assert.equal(plan.parameters['from']!.value, '2024-05-01T12:00:00Z');
  assert.deepEqual(plan.parameters['port'], { type: 'integer', value: 8443, source: 'default' });
  const connections = plan.steps.find((s) => s.id === 'connections') as SqlPlanStep;
  assert.deepEqual(Object.keys(connections.params), ['port', 'from', 'to']);
  assert.deepEqual(stepParams(connections), { port: 8443, from: '2024-05-01T12:00:00Z', to: '2024-05-08T12:00:00Z' });
  assert.deepEqual(
    plan.steps.find((s) => s.id === 'exposures'),
    {
      id: 'exposures',
      title: 'Windows during which the port was reachable',
      kind: 'exposures',
      options: { port: 8443, from: '2024-05-01T12:00:00Z', to: '2024-05-08T12:00:00Z' },
    },
  );
  golden('example-plan.txt', formatPlanText(plan));
  golden('example-plan.json', planToJson(plan));
});

test('every SQL step of the plan runs on the embedded engine with its bound parameters', async () => {
  const { runbook } = await loadRunbook(EXAMPLE);
  const plan = compile(runbook, {}, { now: NOW });
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    await installVpcFlowSchema(engine);
    for (const step of plan.steps) {
      if (step.kind !== 'sql') continue;
      const result = await engine.all(step.sql, stepParams(step));
      assert.deepEqual(result.columns.slice(0, 8), ['ts', 'actor', 'source_ip', 'action', 'resource', 'account_id', 'region', 'source_ref']);
    }
  } finally {
    await engine.close();
  }
});

test('given values are checked, typed, and the SQL text is never changed', async () => {
  const { runbook } = await loadRunbook(EXAMPLE);
  const plan = compile(runbook, parseParamArgs(['port=9443', 'from=2024-05-01', 'approved_roles=arn:a, arn:b']), { now: NOW });
  assert.deepEqual(plan.parameters['port'], { type: 'integer', value: 9443, source: 'given' });
  assert.equal(plan.parameters['from']!.value, '2024-05-01T00:00:00Z');
  assert.deepEqual(plan.parameters['approved_roles']!.value, ['arn:a', 'arn:b']);
  const sqlStep = plan.steps[0] as SqlPlanStep;
  assert.equal(sqlStep.sql, (runbook.steps[0] as { sql: string }).sql);
  assert.ok(!sqlStep.sql.includes('9443'));
});

test('bad values fail together, with every problem named', async () => {
  const { runbook } = await loadRunbook(EXAMPLE);
  const error = (() => {
    try {
      compile(runbook, { port: '70000', from: 'yesterday', colour: 'red' }, { now: NOW });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(error instanceof ParameterError);
  assert.ok(error instanceof TrailbookError);
  assert.equal(error.code, 'USAGE');
  assert.deepEqual(
    error.problems.map((p) => p.parameter),
    ['colour', 'port', 'from'],
  );
  assert.match(error.message, /port: 70000 is above the maximum 65535/);
});

test('a parameter without default must be given', async () => {
  const { runbook } = await loadRunbook(EXAMPLE);
  const { default: _unused, ...port } = runbook.parameters['port'] as Extract<Parameter, { type: 'integer' }>;
  assert.throws(() => compile({ ...runbook, parameters: { ...runbook.parameters, port } }, {}, { now: NOW }), /port: required/);
});

test('parameter values by type', () => {
  const check = (p: Parameter, raw: unknown) => checkParameterValue(p, raw, NOW);
  const int: Parameter = { type: 'integer', description: 'x', min: 1, max: 10, options: [1, 2, 3] };
  assert.deepEqual(check(int, '2'), { ok: true, value: 2 });
  assert.equal(check(int, 2.5).ok, false);
  assert.equal(check(int, '4').ok, false);
  assert.equal(check(int, '0x2').ok, false);
  const str: Parameter = { type: 'string', description: 'x', pattern: '[a-z]+' };
  assert.deepEqual(check(str, 'abc'), { ok: true, value: 'abc' });
  assert.equal(check(str, 'abc1').ok, false, 'the pattern is anchored');
  const cidr: Parameter = { type: 'cidr', description: 'x' };
  assert.deepEqual(check(cidr, '10.0.0.0/8'), { ok: true, value: '10.0.0.0/8' });
  assert.deepEqual(check(cidr, '2001:db8::1'), { ok: true, value: '2001:db8::1/128' });
  assert.equal(check(cidr, '10.0.0.0/33').ok, false);
  assert.equal(check(cidr, '10.0.0/8').ok, false);
  const ts: Parameter = { type: 'timestamp', description: 'x' };
  assert.deepEqual(check(ts, 'now-12h'), { ok: true, value: '2024-05-08T00:00:00Z' });
  assert.deepEqual(check(ts, '2024-05-01T10:00:00+02:00'), { ok: true, value: '2024-05-01T08:00:00Z' });
  assert.deepEqual(check(ts, '2024-05-01T10:00:00.250Z'), { ok: true, value: '2024-05-01T10:00:00.250Z' });
  assert.deepEqual(check(ts, '2024-05-01 10:00'), { ok: true, value: '2024-05-01T10:00:00Z' });
  assert.equal(check(ts, '2024-13-01').ok, false);
  assert.equal(check(ts, 'last week').ok, false);
  const bool: Parameter = { type: 'boolean', description: 'x' };
  assert.deepEqual(check(bool, 'false'), { ok: true, value: false });
  assert.equal(check(bool, 'yes').ok, false);
  const list: Parameter = { type: 'string-list', description: 'x', options: ['a', 'b'] };
  assert.deepEqual(check(list, 'a,b'), { ok: true, value: ['a', 'b'] });
  assert.equal(check(list, ['a', 'c']).ok, false);
});

test('SQL parameters: $name outside strings, identifiers and comments; positional form for Athena', () => {
  const sql = `SELECT '$.groupId', "$weird" -- $comment\n/* $block */ FROM t WHERE a = $port AND b = $1 AND c = 'it''s $x' AND d = $port`;
  assert.deepEqual(
    findSqlParameters(sql).map((r) => [r.name, r.line, r.positional]),
    [
      ['port', 2, false],
      ['1', 2, true],
      ['port', 2, false],
    ],
  );
  assert.deepEqual(sqlParameterNames('SELECT $b, $a, $b'), ['b', 'a']);
  assert.deepEqual(toPositional("SELECT $b, '$a', $a, $b"), { sql: "SELECT ?, '$a', ?, ?", order: ['b', 'a', 'b'] });
});

test('--param parsing', () => {
  assert.deepEqual(parseParamArgs(['a=1', 'b=x=y', 'c=']), { a: '1', b: 'x=y', c: '' });
  assert.throws(() => parseParamArgs(['a']), /name=value/);
  assert.throws(() => parseParamArgs(['a=1', 'a=2']), /twice/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, actionSeverity, compareActions, mostSevereAction } from '../../src/decide/actions.js';
import { conditionHolds, DecisionTreeError, evaluate, evaluateCondition, resolveField, type Finding } from '../../src/decide/evaluate.js';
import { DecisionTreeSchema, type Condition, type DecisionTree } from '../../src/decide/tree-schema.js';

/** A finding shaped like the report contract (docs/report.md). */
const finding: Finding = {
  id: 'f-1',
  kind: 'exposure',
  title: 'Port 8443 opened to 0.0.0.0/0 on sg-1',
  eventIds: ['e-1', 'e-2'],
  firstSeen: '2024-05-01T10:00:00Z',
  lastSeen: '2024-05-01T12:00:00Z',
  direction: 'inbound',
  eventSources: ['ec2.amazonaws.com'],
  credentials: {
    identityType: 'IAMUser',
    arn: 'arn:aws:iam::111122223333:user/alice',
    accessKeyId: 'AKIAEXAMPLE',
    keyKind: 'long-term',
    mfa: false,
    via: 'api',
  },
  sources: [
    { ip: '198.51.100.7', verdict: 'known', reasons: ['corporate egress'] },
    { ip: '203.0.113.9', verdict: 'suspicious', reasons: ['listed in ipsum level 3'] },
  ],
  flows: { connections: 12, acceptedConnections: 3, bytes: 40960, externalPeers: 2 },
};

/** The result, and the same from `conditionHolds` (the result without the explanation), on every condition tested here. */
const holds = (condition: Condition, f: Finding = finding, params = {}) => {
  const { result } = evaluateCondition(condition, f, params);
  assert.equal(conditionHolds(condition, f, params), result, JSON.stringify(condition));
  return result;
};

test('resolveField: plain paths, [] over arrays, missing parts, no prototype access', () => {
  assert.deepEqual(resolveField(finding, 'credentials.mfa'), { values: [false], many: false });
  assert.deepEqual(resolveField(finding, 'sources[].verdict'), { values: ['known', 'suspicious'], many: true });
  assert.deepEqual(resolveField(finding, 'sources[].reasons[]'), { values: ['corporate egress', 'listed in ipsum level 3'], many: true });
  assert.deepEqual(resolveField(finding, 'nothing.here'), { values: [undefined], many: false });
  assert.deepEqual(resolveField(finding, 'nothing[].here'), { values: [], many: true });
  assert.deepEqual(resolveField(finding, 'constructor'), { values: [undefined], many: false });
  assert.deepEqual(resolveField(finding, 'title.length'), { values: [undefined], many: false });
});

test('eq / ne on scalars, JSON values, and missing fields', () => {
  assert.equal(holds({ field: 'kind', op: 'eq', value: 'exposure' }), true);
  assert.equal(holds({ field: 'kind', op: 'eq', value: 'traffic' }), false);
  assert.equal(holds({ field: 'credentials.mfa', op: 'eq', value: false }), true);
  assert.equal(holds({ field: 'eventSources', op: 'eq', value: ['ec2.amazonaws.com'] }), true);
  assert.equal(holds({ field: 'kind', op: 'ne', value: 'traffic' }), true);
  assert.equal(holds({ field: 'kind', op: 'ne', value: 'exposure' }), false);
  // A missing field makes every comparison false, ne included: use `not` for "absent or different".
  assert.equal(holds({ field: 'credentials.sessionName', op: 'ne', value: 'x' }), false);
  assert.equal(holds({ field: 'credentials.sessionName', op: 'eq', value: null }), false);
});

test('gt / gte / lt / lte: numbers numerically, strings by code point, mixed types never', () => {
  assert.equal(holds({ field: 'flows.acceptedConnections', op: 'gt', value: 2 }), true);
  assert.equal(holds({ field: 'flows.acceptedConnections', op: 'gt', value: 3 }), false);
  assert.equal(holds({ field: 'flows.acceptedConnections', op: 'gte', value: 3 }), true);
  assert.equal(holds({ field: 'flows.bytes', op: 'lt', value: 40961 }), true);
  assert.equal(holds({ field: 'flows.bytes', op: 'lte', value: 40960 }), true);
  assert.equal(holds({ field: 'flows.bytes', op: 'lte', value: 100 }), false);
  assert.equal(holds({ field: 'firstSeen', op: 'lt', value: '2024-05-02T00:00:00Z' }), true);
  assert.equal(holds({ field: 'firstSeen', op: 'gte', value: '2024-05-02T00:00:00Z' }), false);
  assert.equal(holds({ field: 'flows.bytes', op: 'gt', value: '1' }), false);
});

test('in, contains, starts-with, ends-with', () => {
  assert.equal(holds({ field: 'direction', op: 'in', value: ['inbound', 'both'] }), true);
  assert.equal(holds({ field: 'direction', op: 'in', value: ['outbound'] }), false);
  assert.equal(holds({ field: 'eventSources', op: 'contains', value: 'ec2.amazonaws.com' }), true);
  assert.equal(holds({ field: 'eventSources', op: 'contains', value: 'elasticloadbalancing.amazonaws.com' }), false);
  assert.equal(holds({ field: 'title', op: 'contains', value: '0.0.0.0/0' }), true);
  assert.equal(holds({ field: 'credentials.accessKeyId', op: 'starts-with', value: 'AKIA' }), true);
  assert.equal(holds({ field: 'credentials.accessKeyId', op: 'starts-with', value: 'ASIA' }), false);
  assert.equal(holds({ field: 'credentials.arn', op: 'ends-with', value: ':user/alice' }), true);
  assert.equal(holds({ field: 'flows.bytes', op: 'starts-with', value: '40' }), false);
});

test('exists, with value false, and on [] paths', () => {
  assert.equal(holds({ field: 'credentials.accessKeyId', op: 'exists' }), true);
  assert.equal(holds({ field: 'credentials.sessionName', op: 'exists' }), false);
  assert.equal(holds({ field: 'credentials.sessionName', op: 'exists', value: false }), true);
  assert.equal(holds({ field: 'sources[].ip', op: 'exists' }), true);
  assert.equal(holds({ field: 'sources[].ip', op: 'exists' }, { sources: [] }), false);
});

test('count-gte / count-lte on arrays, [] paths, scalars and missing fields', () => {
  assert.equal(holds({ field: 'eventIds', op: 'count-gte', value: 2 }), true);
  assert.equal(holds({ field: 'eventIds', op: 'count-gte', value: 3 }), false);
  assert.equal(holds({ field: 'sources[].ip', op: 'count-lte', value: 2 }), true);
  assert.equal(holds({ field: 'sources[].ip', op: 'count-lte', value: 1 }), false);
  assert.equal(holds({ field: 'kind', op: 'count-gte', value: 1 }), true);
  assert.equal(holds({ field: 'missing', op: 'count-lte', value: 0 }), true);
});

test('quantifier: any by default, all when asked, all over nothing is false', () => {
  assert.equal(holds({ field: 'sources[].verdict', op: 'eq', value: 'suspicious' }), true);
  assert.equal(holds({ field: 'sources[].verdict', op: 'eq', value: 'suspicious', quantifier: 'all' }), false);
  assert.equal(holds({ field: 'sources[].verdict', op: 'in', value: ['known', 'suspicious'], quantifier: 'all' }), true);
  assert.equal(holds({ field: 'sources[].verdict', op: 'in', value: ['known', 'allowed'], quantifier: 'all' }, { sources: [] }), false);
  assert.equal(holds({ field: 'sources[].reasons[]', op: 'contains', value: 'ipsum' }), true);
});

test('all / any / not compose, with an explanation of every part', () => {
  const condition: Condition = {
    all: [
      { field: 'kind', op: 'eq', value: 'exposure' },
      {
        any: [
          { field: 'credentials.mfa', op: 'eq', value: true },
          { field: 'credentials.keyKind', op: 'eq', value: 'long-term' },
        ],
      },
      { not: { field: 'direction', op: 'eq', value: 'outbound' } },
    ],
  };
  const outcome = evaluateCondition(condition, finding);
  assert.equal(outcome.result, true);
  assert.match(outcome.explanation, /^all\(kind eq "exposure" \(found "exposure"\) → true; any\(/);
  assert.match(outcome.explanation, /not\(direction eq "outbound" \(found "inbound"\) → false\) → true\)$/);
  assert.equal(
    holds({
      any: [
        { field: 'kind', op: 'eq', value: 'x' },
        { field: 'kind', op: 'eq', value: 'y' },
      ],
    }),
    false,
  );
});

test('{ param } values come from the parameters; a missing one is an error', () => {
  const condition: Condition = { field: 'credentials.arn', op: 'in', value: { param: 'approved' } };
  assert.equal(holds(condition, finding, { approved: ['arn:aws:iam::111122223333:user/alice'] }), true);
  assert.equal(holds(condition, finding, { approved: [] }), false);
  assert.throws(() => holds(condition, finding, {}), DecisionTreeError);
});

const tree: DecisionTree = DecisionTreeSchema.parse({
  root: 'suspicious',
  nodes: [
    {
      id: 'suspicious',
      label: 'Any suspicious source?',
      when: { field: 'sources[].verdict', op: 'eq', value: 'suspicious' },
      then: 'accepted',
      else: 'ticket',
    },
    { id: 'accepted', label: 'Connections accepted?', when: { field: 'flows.acceptedConnections', op: 'gte', value: 1 }, then: 'isolate', else: 'escalate' },
    { id: 'isolate', action: 'isolate', reasons: ['suspicious source got through'], verify: 'check the peers' },
    { id: 'escalate', action: 'escalate', reasons: ['suspicious source, nothing accepted'], verify: 'check the source' },
    { id: 'ticket', label: 'Known parties', action: 'ticket', reasons: ['known parties only'], verify: 'find the change request' },
  ],
});

test('evaluate walks the tree and returns action, path, reasons, verify and a trace', () => {
  const decision = evaluate(tree, finding);
  assert.equal(decision.action, 'isolate');
  assert.deepEqual(decision.path, ['suspicious', 'accepted', 'isolate']);
  assert.deepEqual(decision.reasons, ['suspicious source got through']);
  assert.equal(decision.verify, 'check the peers');
  assert.deepEqual(
    decision.trace.map((s) => [s.node, s.label, s.result]),
    [
      ['suspicious', 'Any suspicious source?', true],
      ['accepted', 'Connections accepted?', true],
      ['isolate', undefined, undefined],
    ],
  );
  assert.match(decision.trace[0]!.explanation!, /found \["known","suspicious"\]/);

  const quiet = evaluate(tree, { ...finding, flows: { acceptedConnections: 0 } });
  assert.deepEqual(quiet.path, ['suspicious', 'accepted', 'escalate']);
  const known = evaluate(tree, { ...finding, sources: [{ ip: '198.51.100.7', verdict: 'known' }] });
  assert.deepEqual([known.action, known.path, known.trace.at(-1)!.label], ['ticket', ['suspicious', 'ticket'], 'Known parties']);
});

test('evaluate refuses broken trees instead of looping or guessing', () => {
  const missing = { root: 'a', nodes: [{ id: 'a', when: { field: 'kind', op: 'exists' }, then: 'b', else: 'b' }] } as DecisionTree;
  assert.throws(() => evaluate(missing, finding), /"b" does not exist/);
  const loop = {
    root: 'a',
    nodes: [
      { id: 'a', when: { field: 'kind', op: 'exists' }, then: 'b', else: 'b' },
      { id: 'b', when: { field: 'kind', op: 'exists' }, then: 'a', else: 'a' },
    ],
  } as DecisionTree;
  assert.throws(() => evaluate(loop, finding), /cycle/);
});

test('hostile finding values are data: prototype keys and odd types do not match', () => {
  const hostile = JSON.parse('{"__proto__": {"kind": "exposure"}, "sources": "not-an-array", "flows": {"acceptedConnections": "9"}}') as Finding;
  assert.equal(holds({ field: 'kind', op: 'eq', value: 'exposure' }, hostile), false);
  assert.equal(holds({ field: 'sources[].verdict', op: 'exists' }, hostile), false);
  assert.equal(holds({ field: 'flows.acceptedConnections', op: 'gte', value: 1 }, hostile), false);
});

test('severity order: isolate > escalate > ticket > false-positive', () => {
  assert.deepEqual([...ACTIONS], ['isolate', 'escalate', 'ticket', 'false-positive']);
  assert.ok(actionSeverity('isolate') < actionSeverity('escalate'));
  assert.deepEqual((['ticket', 'false-positive', 'isolate', 'escalate'] as const).slice().sort(compareActions), [
    'isolate',
    'escalate',
    'ticket',
    'false-positive',
  ]);
  assert.equal(mostSevereAction(['ticket', 'escalate', 'false-positive']), 'escalate');
  assert.equal(mostSevereAction([]), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { evaluate } from '../../src/decide/evaluate.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { takenPath, treeOutline, withDecisionTrees, type OutlineNode } from '../../src/decide/taken-path.js';
import type { DecisionTree } from '../../src/decide/tree-schema.js';

const leaf = (id: string, action: 'isolate' | 'escalate' | 'ticket' | 'false-positive') => ({ id, action, reasons: [id], verify: 'look' });

// Two questions; `escalate` is reached from both, as shared leaves are in the bundled runbooks.
const tree: DecisionTree = {
  root: 'exposed',
  nodes: [
    { id: 'exposed', label: 'Exposed?', when: { field: 'kind', op: 'eq', value: 'exposure' }, then: 'hostile', else: 'noisy' },
    { id: 'hostile', when: { field: 'hostile', op: 'eq', value: true }, then: 'isolate', else: 'escalate' },
    { id: 'noisy', when: { field: 'noisy', op: 'eq', value: true }, then: 'escalate', else: 'ticket' },
    leaf('isolate', 'isolate'),
    leaf('escalate', 'escalate'),
    leaf('ticket', 'ticket'),
  ],
};

test('the taken path is the decision path the evaluator records, root to leaf', () => {
  for (const finding of [{ kind: 'exposure', hostile: true }, { kind: 'exposure' }, { kind: 'traffic', noisy: true }, { kind: 'traffic' }]) {
    const decision = evaluate(tree, finding);
    assert.deepEqual(takenPath(tree, decision.path), decision.path);
  }
});

test('a path that leaves the tree stops where it parts (an older tree version, a missing node)', () => {
  assert.deepEqual(takenPath(tree, ['exposed', 'noisy', 'isolate']), ['exposed', 'noisy'], 'isolate is not a child of noisy');
  assert.deepEqual(takenPath(tree, ['hostile', 'isolate']), [], 'a path must start at the root');
  assert.deepEqual(takenPath(tree, ['exposed', 'gone', 'ticket']), ['exposed']);
  assert.deepEqual(takenPath(tree, []), []);
});

test('a report path as investigate writes it (labels with yes/no, the leaf by label or id) maps to node ids', async () => {
  // The bundled port runbook and the decision paths of its golden run on the sample.
  const { runbook } = await loadRunbook('runbooks/port-exposure');
  const golden = JSON.parse(readFileSync('test/investigate/golden/sample-run.json', 'utf8')) as { findings: { decision: { path: string[] } }[] };
  for (const finding of golden.findings) {
    const taken = takenPath(runbook.decision, finding.decision.path);
    assert.equal(taken.length, finding.decision.path.length, finding.decision.path.join(' → '));
    assert.equal(taken[0], runbook.decision.root);
  }
  assert.deepEqual(takenPath(runbook.decision, golden.findings[0]!.decision.path), ['hostile-exposure', 'isolate']);
  // Labelled or not, by label or by id, in the same tree.
  assert.deepEqual(takenPath(tree, ['Exposed? no', 'noisy', 'escalate']), ['exposed', 'noisy', 'escalate']);
  assert.deepEqual(takenPath(tree, ['Exposed? yes', 'noisy']), ['exposed'], 'yes leads to hostile, not noisy');
});

test('withDecisionTrees adds the tree and the taken path to every finding, leaving the rest as it was', () => {
  const report = { schema: 'x', findings: [{ id: 'f1', decision: { path: ['exposed', 'hostile', 'isolate'] } }] };
  const out = withDecisionTrees(report, tree);
  assert.equal(out.schema, 'x');
  assert.equal(out.findings[0]!.id, 'f1');
  assert.deepEqual(out.findings[0]!.takenPath, ['exposed', 'hostile', 'isolate']);
  assert.equal(out.findings[0]!.decisionTree, tree);
  assert.equal((report.findings[0] as Record<string, unknown>)['takenPath'], undefined, 'the input is not changed');
});

/** Each outline node as `answer:id` with `*` when taken and `^` when a repeat. */
function flat(node: OutlineNode | null, out: string[] = []): string[] {
  if (!node) return out;
  out.push(`${node.answer ?? 'root'}:${node.node.id}${node.taken ? '*' : ''}${node.repeat ? '^' : ''}`);
  for (const child of node.children) flat(child, out);
  return out;
}

test('the outline draws every node once, then before else, and marks only the edges the path took', () => {
  assert.deepEqual(flat(treeOutline(tree, ['exposed', 'noisy', 'escalate'])), [
    'root:exposed*',
    'yes:hostile',
    'yes:isolate',
    'no:escalate',
    'no:noisy*',
    'yes:escalate*^',
    'no:ticket',
  ]);
  // The same shared leaf reached the other way: taken where it is drawn under `hostile`, not under `noisy`.
  assert.deepEqual(flat(treeOutline(tree, ['exposed', 'hostile', 'escalate'])), [
    'root:exposed*',
    'yes:hostile*',
    'yes:isolate',
    'no:escalate*',
    'no:noisy',
    'yes:escalate^',
    'no:ticket',
  ]);
  assert.deepEqual(
    flat(treeOutline(tree, [])).filter((s) => s.includes('*')),
    [],
  );
});

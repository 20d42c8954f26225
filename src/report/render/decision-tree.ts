import { h, type VNode } from 'preact';
import { isLeafNode as isLeaf, treeOutline, type OutlineNode } from '../../decide/taken-path.js';
import type { DecisionTree } from '../../decide/tree-schema.js';
import { plain } from './safe.js';

/**
 * A finding's decision drawn as its runbook's tree, the taken path highlighted: one Preact
 * component for the static HTML report (pre-rendered) and the web workspace. An outline of
 * nested lists (the stylesheet draws the connectors): every question with its yes and no
 * branches, leaves with their action, nodes on the taken path marked `taken`, branches not taken
 * folded (one click shows them). Runbook text is
 * reviewed content, but it still goes through `plain` and Preact's escaping like any value.
 */

export interface DecisionTreeProps {
  tree: DecisionTree;
  takenPath: readonly string[];
}

export function DecisionTreeView({ tree, takenPath }: DecisionTreeProps): VNode<any> {
  const root = treeOutline(tree, takenPath);
  return h(
    'div',
    { class: 'decision-tree', 'data-testid': 'decision-tree' },
    root ? h('ul', { class: 'tree' }, outlineItem(root)) : h('p', null, 'The tree has no root node.'),
  );
}

function outlineItem(item: OutlineNode): VNode<any> {
  const { node } = item;
  const taken = item.taken ? { 'data-testid': 'tree-node-taken' } : {};
  const answer = item.answer ? h('span', { class: `answer ${item.answer}` }, item.answer) : null;
  const text = isLeaf(node)
    ? [h('span', { class: `leaf action-${node.action}` }, node.action), ' ', plain(node.label ?? node.id)]
    : [plain(node.label ?? node.id)];
  const box = h(
    'span',
    { class: 'node-box', ...taken, title: node.id },
    answer,
    ' ',
    text,
    ' ',
    h('code', { class: 'node-id' }, node.id),
    item.repeat && !isLeaf(node) ? ' (drawn above)' : null,
  );
  const children = item.children.length ? h('ul', null, item.children.map(outlineItem)) : null;
  // Branches the decision did not take are folded under their first node (<details> needs no
  // script, so the static report folds them too): the taken path reads top to bottom.
  const folded = !item.taken && children ? h('details', null, h('summary', null, box, ` (${count(item) - 1} more)`), children) : null;
  return h('li', { class: `node${item.taken ? ' taken' : ''}${isLeaf(node) ? ' is-leaf' : ''}` }, folded ?? [box, children]);
}

/** Nodes drawn in an outline item, itself included. */
function count(item: OutlineNode): number {
  return 1 + item.children.reduce((n, child) => n + count(child), 0);
}

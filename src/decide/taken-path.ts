import type { DecisionNode, DecisionTree, LeafNode } from './tree-schema.js';

/**
 * A finding's decision shown against its runbook's tree: which nodes the decision went through.
 * Pure, and shared by the report JSON the web workspace reads and by the static HTML report, so
 * both highlight the same path.
 */

/**
 * Whether a node is a leaf. tree-schema.ts has the same test, but importing it brings zod into
 * the web workspace's bundle; this module imports types only, so the browser can use it.
 */
export function isLeafNode(node: DecisionNode): node is LeafNode {
  return 'action' in node;
}

/** What the report JSON adds to each finding for the web workspace (docs/web.md). */
export interface FindingTree {
  decisionTree: DecisionTree;
  /** Node ids from the root, as far as the finding's decision path follows the tree's edges. */
  takenPath: string[];
}

/**
 * Whether a decision-path entry names `node`. A report's path (investigate.ts) reads as the
 * analyst reads it: a labelled branch as `<label> yes|no`, a labelled leaf as its label, an
 * unlabelled node by its id; node ids alone (evaluate.ts's `path`) are accepted too.
 */
function names(node: DecisionNode, entry: string): boolean {
  if (entry === node.id) return true;
  if (node.label === undefined) return false;
  return entry === node.label || (!isLeafNode(node) && (entry === `${node.label} yes` || entry === `${node.label} no`));
}

/**
 * The node ids a finding's decision path (root to leaf) went through, walking the tree: each
 * entry must name the node reached, and a branch's `yes`/`no` (or, for an id, the next entry)
 * says which edge was taken. A path recorded under an older version of the tree stops where the
 * two part, so a highlight never claims an edge the tree does not have.
 */
export function takenPath(tree: DecisionTree, decisionPath: readonly string[]): string[] {
  const nodes = new Map(tree.nodes.map((node) => [node.id, node]));
  const taken: string[] = [];
  let id: string | undefined = tree.root;
  for (const [i, entry] of decisionPath.entries()) {
    const node: DecisionNode | undefined = id === undefined ? undefined : nodes.get(id);
    if (!node || taken.includes(node.id) || !names(node, entry)) break;
    taken.push(node.id);
    if (isLeafNode(node)) break;
    if (entry.endsWith(' yes') && entry !== node.id) id = node.then;
    else if (entry.endsWith(' no') && entry !== node.id) id = node.else;
    else {
      const next = decisionPath[i + 1];
      id = next === undefined ? undefined : [node.then, node.else].find((child) => nodes.has(child) && names(nodes.get(child)!, next));
    }
  }
  return taken;
}

/** Adds the tree and the taken path to every finding of a report (the API's report JSON). */
export function withDecisionTrees<R extends { findings: { decision: { path: string[] } }[] }>(
  report: R,
  tree: DecisionTree,
): Omit<R, 'findings'> & { findings: (R['findings'][number] & FindingTree)[] } {
  return { ...report, findings: report.findings.map((f) => ({ ...f, decisionTree: tree, takenPath: takenPath(tree, f.decision.path) })) };
}

/** One node of the tree as an outline draws it: the answer that leads to it, whether it was taken. */
export interface OutlineNode {
  node: DecisionNode;
  /** The branch answer from the parent: `yes` (then) or `no` (else); null at the root. */
  answer: 'yes' | 'no' | null;
  taken: boolean;
  /** Drawn already under another parent (trees may share a leaf): shown by id, not drawn again. */
  repeat: boolean;
  children: OutlineNode[];
}

/**
 * The tree as a nested outline from the root, `then` before `else`. A node reached a second time
 * (a shared leaf or subtree) is a `repeat` without children, so the outline stays as big as the
 * tree. The taken edge is marked on the path's nodes only where the path really went.
 */
export function treeOutline(tree: DecisionTree, taken: readonly string[]): OutlineNode | null {
  const nodes = new Map(tree.nodes.map((node) => [node.id, node]));
  const drawn = new Set<string>();
  const visit = (id: string, answer: OutlineNode['answer'], onPath: boolean): OutlineNode | null => {
    const node = nodes.get(id);
    if (!node) return null;
    const depth = onPath ? taken.indexOf(id) : -1;
    const isTaken = depth >= 0;
    if (drawn.has(id)) return { node, answer, taken: isTaken, repeat: true, children: [] };
    drawn.add(id);
    const children: OutlineNode[] = [];
    if (!isLeafNode(node)) {
      const next = taken[depth + 1];
      for (const [child, childAnswer] of [
        [node.then, 'yes'],
        [node.else, 'no'],
      ] as const) {
        const drawnChild = visit(child, childAnswer, isTaken && next === child);
        if (drawnChild) children.push(drawnChild);
      }
    }
    return { node, answer, taken: isTaken, repeat: false, children };
  };
  return visit(tree.root, null, taken[0] === tree.root);
}

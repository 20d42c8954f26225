import { isMap, isPair, isScalar, isSeq, type LineCounter, type Document, type Node } from 'yaml';

export type YamlPath = readonly (string | number)[];

/**
 * Maps a path inside the parsed runbook (as zod and the linter name them: ['steps', 2, 'sql'])
 * back to `file:line:col` in the YAML text, so every problem points where the author must edit.
 */
export class SourceLocator {
  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly document: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** Location of the offset in the text. */
  atOffset(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }

  /**
   * Location of the value at `path`, or of its key when `key` is true (for "unknown field").
   * A path that does not exist (a missing field) points at the deepest existing ancestor.
   */
  at(path: YamlPath, options: { key?: boolean } = {}): string {
    const found = this.find(path, options.key ?? false);
    return found?.range ? this.atOffset(found.range[0]) : `${this.file}:1:1`;
  }

  /** True when the path exists in the document. */
  has(path: YamlPath): boolean {
    return this.find(path, false, true) !== undefined;
  }

  /**
   * Location of line `line`, column `col` (1-based) inside the string value at `path`, e.g. a
   * DuckDB error position inside a step's SQL. Exact for `|` block scalars (how SQL is written);
   * for other styles, the start of the value.
   */
  inString(path: YamlPath, line: number, col: number): string {
    const node = this.find(path, false);
    if (!node?.range) return this.at(path);
    if (isScalar(node) && node.type === 'BLOCK_LITERAL') {
      const headerLine = this.lines.linePos(node.range[0]).line;
      const sourceLines = this.text.split('\n');
      const first = sourceLines.slice(headerLine).find((l) => l.trim() !== '') ?? '';
      const indent = first.length - first.trimStart().length;
      return `${this.file}:${headerLine + line}:${indent + col}`;
    }
    return this.atOffset(node.range[0]);
  }

  private find(path: YamlPath, key: boolean, exact = false): Node | undefined {
    let node: unknown = this.document?.contents;
    let last: Node | undefined = isNodeLike(node) ? node : undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const isLastSegment = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return exact ? undefined : last;
        if (key && isLastSegment && isNodeLike(pair.key)) return pair.key;
        node = pair.value;
        // `key:` with no value has no node; the key is the best place to point at.
        if (!isNodeLike(node)) return isLastSegment && isNodeLike(pair.key) ? pair.key : exact ? undefined : last;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (!isNodeLike(node)) return exact ? undefined : last;
      } else {
        return exact ? undefined : last;
      }
      last = node as Node;
    }
    return last;
  }
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

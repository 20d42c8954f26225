/**
 * Terminal layout: word wrapping and tables that fit a width. Inputs are already sanitized
 * (render/safe.ts); colour is applied by the caller after padding, so escape sequences never
 * count towards a width.
 */

const length = (text: string) => Array.from(text).length;

/** Cuts the middle out: ARNs, event ids and flow refs are told apart by both ends. */
export function ellipsize(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return chars.slice(0, head).join('') + '…' + (tail ? chars.slice(-tail).join('') : '');
}

/** Cuts the end off: for a line whose start matters most. */
export function cutEnd(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Word-wraps `text` to `width` columns; the first line starts with `first`, the others with
 * `rest`. Runs of spaces inside a line are kept (they align columns); at a break they are dropped.
 */
export function wrap(text: string, width: number, first: string, rest: string = ' '.repeat(length(first))): string[] {
  const lines: string[] = [];
  let line = first;
  let used = false;
  let gap = '';
  for (const token of text.match(/ +|[^ ]+/g) ?? []) {
    if (token.startsWith(' ')) {
      gap = token;
      continue;
    }
    let word = token;
    if (used && length(line) + length(gap) + length(word) > width) {
      lines.push(line);
      line = rest;
      used = false;
    }
    // A word longer than a whole line (a long ARN) is cut rather than overflowing.
    while (!used && length(line) + length(word) > width && length(word) > 1) {
      const room = Math.max(1, width - length(line));
      lines.push(line + Array.from(word).slice(0, room).join(''));
      line = rest;
      word = Array.from(word).slice(room).join('');
    }
    line += (used ? gap : '') + word;
    used = true;
    gap = '';
  }
  lines.push(line);
  return lines;
}

export interface Column {
  name: string;
  /** Never cut below this many characters (timestamps, addresses stay whole). */
  min: number;
}

/**
 * Lays a table out in `width` columns: natural widths when they fit, otherwise the widest
 * shrinkable column loses a character at a time (cells are then cut in the middle).
 * Returns the header, a rule and the rows, each line as its cells with their padded width,
 * so that the caller can colour a cell without the escapes counting as width.
 */
export function layoutTable(
  columns: readonly Column[],
  rows: readonly string[][],
  width: number,
  gap = 2,
): { widths: number[]; cells: string[][] } {
  const widths = columns.map((c, i) => Math.max(length(c.name), ...rows.map((r) => length(r[i] ?? ''))));
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > Math.max(columns[i]!.min, length(columns[i]!.name)) && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break; // Everything at its minimum: let the terminal wrap.
    widths[widest]!--;
  }
  const cells = [columns.map((c) => c.name), ...rows].map((r) => r.map((cell, i) => ellipsize(cell, widths[i]!)));
  return { widths, cells };
}

export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - length(text)));
}

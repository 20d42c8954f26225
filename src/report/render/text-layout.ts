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
 * Linear in the text: each word is split into code points once and the line's width is kept as a
 * number (re-measuring the line or the rest of a long word per piece cost 12.6 s for one 64 KB
 * word, 88M characters read).
 */
/** Where a word longer than a line is best cut (after these): ARN and path separators. */
const BREAK_AFTER = new Set(['/', ':', '|']);

export function wrap(text: string, width: number, first: string, rest: string = ' '.repeat(length(first))): string[] {
  const lines: string[] = [];
  const restWidth = length(rest);
  let line = first;
  let lineWidth = length(first);
  let used = false;
  let gap = '';
  const breakLine = (end: string) => {
    lines.push(line + end);
    line = rest;
    lineWidth = restWidth;
    used = false;
  };
  for (const token of text.match(/ +|[^ ]+/g) ?? []) {
    if (token.startsWith(' ')) {
      gap = token; // spaces only: one column each
      continue;
    }
    const chars = Array.from(token);
    if (used && lineWidth + gap.length + chars.length > width) breakLine('');
    // A word longer than a whole line (a long ARN) is cut rather than overflowing: after a
    // separator (/ : |) in the last half of the line when there is one, so an ARN breaks between
    // its parts, not inside an id. The look back reads at most half a line per piece.
    let start = 0;
    while (!used && lineWidth + (chars.length - start) > width && chars.length - start > 1) {
      const room = Math.max(1, width - lineWidth);
      let cut = room;
      for (let i = start + room - 1; i > start + room / 2; i--) {
        if (BREAK_AFTER.has(chars[i]!)) {
          cut = i + 1 - start;
          break;
        }
      }
      breakLine(chars.slice(start, start + cut).join(''));
      start += cut;
    }
    const piece = start === 0 ? token : chars.slice(start).join('');
    if (used) {
      line += gap;
      lineWidth += gap.length;
    }
    line += piece;
    lineWidth += chars.length - start;
    used = true;
    gap = '';
  }
  lines.push(line);
  return lines;
}

/** Log values longer than this are cut in the text report (JSON and HTML keep them whole). */
export const VALUE_LIMIT = 1000;

/**
 * A log value cut to about `VALUE_LIMIT` characters, both ends kept (ARNs and ids are told apart
 * by both), with a marker saying how much was cut and where the whole value is. Constant work
 * for the kept ends; the count of what was cut is one pass without building arrays.
 */
export function clipValue(text: string, limit = VALUE_LIMIT): string {
  if (text.length <= limit) return text;
  const head = codePointBoundary(text, Math.ceil(limit / 2));
  const tail = codePointBoundary(text, text.length - Math.floor(limit / 2));
  return `${text.slice(0, head)}… ${codePoints(text, head, tail)} characters cut: the whole value is in --format json or html …${text.slice(tail)}`;
}

/** `index`, moved back one unit when it would split a surrogate pair. */
function codePointBoundary(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  return unit >= 0xdc00 && unit <= 0xdfff && index > 0 ? index - 1 : index;
}

function codePoints(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > from)) count++;
  }
  return count;
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
export function layoutTable(columns: readonly Column[], rows: readonly string[][], width: number, gap = 2): { widths: number[]; cells: string[][] } {
  // A loop, not Math.max(...rows): spreading a long list overflows the stack.
  const widths = columns.map((c, i) => rows.reduce((w, r) => Math.max(w, length(r[i] ?? '')), length(c.name)));
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

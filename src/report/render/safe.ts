import { sanitizeCell } from '../escape.js';

/**
 * Any log-derived value as one visible line: control characters (ANSI escapes, CR, BEL) become
 * `\xNN`, tab and newline `\t` `\n`, invisible characters `\u{NNNN}`. The per-medium escaping
 * (Markdown, HTML) is applied on top of this.
 */
export function plain(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  // sanitizeCell also makes invisible and reordering characters visible (Trojan Source).
  return sanitizeCell(String(value));
}

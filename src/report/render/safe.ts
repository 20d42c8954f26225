import { sanitizeCell } from '../escape.js';

/**
 * Characters that are invisible or reorder text (Trojan Source, CVE-2021-42574): bidirectional
 * overrides and isolates, zero-width characters, the byte-order mark, line and paragraph
 * separators. A hostile resource name can use them to make `user‮gpj.exe` read as `userexe.jpg`
 * in a terminal, a ticket or a browser, so every medium shows them as `\u{…}`.
 */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Any log-derived value as one visible line: control characters (ANSI escapes, CR, BEL) become
 * `\xNN`, tab and newline `\t` `\n`, invisible characters `\u{NNNN}`. The per-medium escaping
 * (Markdown, HTML) is applied on top of this.
 */
export function plain(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return sanitizeCell(String(value)).replace(INVISIBLE, (ch) => `\\u{${ch.charCodeAt(0).toString(16).padStart(4, '0')}}`);
}

/**
 * Log fields are attacker-controlled (userAgent, errorMessage, request parameters). Every
 * surface escapes them for its medium: terminals (control sequences), CSV (formula injection),
 * HTML (markup).
 */

// C0 controls except tab and newline, DEL, C1 controls (which include CSI 0x9b).
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Characters that are invisible or reorder text (Trojan Source, CVE-2021-42574): bidirectional
 * overrides and isolates, zero-width characters, the byte-order mark, line and paragraph
 * separators. A hostile resource name can use them to make `user\u202egpj.exe` read as
 * `userexe.jpg`, so every medium shows them as `\u{…}`.
 */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Replaces control characters (ANSI escapes, carriage returns, bells) with visible `\xNN` and
 * invisible or reordering characters with `\u{NNNN}`.
 */
export function sanitizeForTerminal(text: string): string {
  return text
    .replace(TERMINAL_UNSAFE, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(INVISIBLE, (ch) => `\\u{${ch.charCodeAt(0).toString(16).padStart(4, '0')}}`);
}

/** For one-line table cells: also makes tabs and newlines visible. */
export function sanitizeCell(text: string): string {
  return sanitizeForTerminal(text).replace(/\t/g, '\\t').replace(/\r?\n/g, '\\n');
}

/**
 * A CSV field, quoted when needed. A value that a spreadsheet would read as a formula
 * (leading =, +, -, @, tab, carriage return) is prefixed with a single quote, as OWASP advises.
 */
export function csvField(value: string): string {
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || text !== text.trim()) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

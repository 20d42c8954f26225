/**
 * Log fields are attacker-controlled (userAgent, errorMessage, request parameters). Every
 * surface escapes them for its medium: terminals (control sequences), CSV (formula injection),
 * HTML (markup).
 */

// C0 controls except tab and newline, DEL, C1 controls (which include CSI 0x9b).
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Replaces control characters (ANSI escapes, carriage returns, bells) with visible `\xNN`. */
export function sanitizeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
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
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

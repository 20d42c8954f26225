/**
 * Keeping only some events by name (the answer-first scan, investigate/answer-first.ts): most
 * records of a trail are not the ones a runbook reads, and parsing them is most of the cost of
 * reading a file. `mayBeNamed` looks at a record's text before `JSON.parse` does and says whether
 * it can be one of the names; it errs only towards "maybe" (the record is then parsed and its
 * `eventName` compared), so what it lets through, filtered again after parsing, is exactly the
 * events with those names.
 */

const KEY = '"eventName"';

/**
 * False only when the record's text certainly is not an event with one of `names`: it holds the
 * key `"eventName"` exactly once, followed by `:` and a string without escapes that is not one of
 * them. Anything else (no such key, the key twice — a nested one could hide the top-level one —,
 * a `\u` escape anywhere, which could spell the key or the name differently) is a "maybe".
 */
export function mayBeNamed(text: string, names: ReadonlySet<string>): boolean {
  const at = text.indexOf(KEY);
  if (at < 0) return true;
  let i = at + KEY.length;
  if (text.indexOf(KEY, i) >= 0 || text.includes('\\u')) return true;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x3a /* : */) return true;
  i++;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x22 /* " */) return true;
  const end = text.indexOf('"', i + 1);
  if (end < 0) return true;
  const name = text.slice(i + 1, end);
  if (name.includes('\\')) return true;
  return names.has(name);
}

/** The event's own name is one of `names` (after parsing: the exact test). */
export function isNamed(event: Record<string, unknown>, names: ReadonlySet<string>): boolean {
  const name = event['eventName'];
  return typeof name === 'string' && names.has(name);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

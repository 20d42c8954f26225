import { h } from 'preact';
import { shown } from './text.js';

/**
 * Rows as a table that wraps instead of scrolling sideways (long values break anywhere), every
 * cell shown as text. Columns: given, or the keys of the rows in first-seen order.
 */
export function DataTable({ rows, columns, testid }: { rows: readonly (Record<string, unknown> | unknown[])[]; columns?: readonly string[]; testid?: string }) {
  const names = columns ?? [...new Set(rows.flatMap((r) => (Array.isArray(r) ? [] : Object.keys(r))))];
  if (!rows.length) return h('p', { class: 'empty', 'data-testid': testid }, 'No rows.');
  return h(
    'table',
    { class: 'data', 'data-testid': testid },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        names.map((n) => h('th', null, shown(n))),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          null,
          names.map((n, i) => h('td', null, shown(Array.isArray(r) ? r[i] : r[n]))),
        ),
      ),
    ),
  );
}

import { csvField, sanitizeCell } from './escape.js';
import { TrailbookError } from '../errors.js';

/** Output formats every row-producing command offers. JSON/NDJSON/CSV are stable machine output. */
export const TABULAR_FORMATS = ['table', 'json', 'csv', 'ndjson'] as const;
export type TabularFormat = (typeof TABULAR_FORMATS)[number];

export function parseTabularFormat(value: string): TabularFormat {
  if ((TABULAR_FORMATS as readonly string[]).includes(value)) return value as TabularFormat;
  throw new TrailbookError('USAGE', `unknown format "${value}"`, { hint: `use one of: ${TABULAR_FORMATS.join(', ')}` });
}

/** A value as one line of text: nested values as compact JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

export interface TableOptions {
  /** Longest cell shown in table format before it is cut with an ellipsis. */
  maxCellWidth?: number;
  /** The closing count when a thing takes more than one line (`(5 values)`); default `(N rows)`. */
  countLine?: string;
}

export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[], options: TableOptions = {}): string {
  const max = options.maxCellWidth ?? 80;
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = sanitizeCell(cellText(row[c]));
      return text.length > max ? text.slice(0, max - 1) + '…' : text;
    }),
  );
  // A loop, not Math.max(...cells): spreading 200,000 rows overflows the stack.
  const widths = columns.map((c, i) => cells.reduce((w, r) => Math.max(w, r[i]!.length), c.length));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  out.push(options.countLine ?? `(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}

export function formatCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const line = (values: readonly unknown[]) =>
    values.map((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : csvField(cellText(v)))).join(',');
  return [line(columns), ...rows.map((row) => line(columns.map((c) => row[c])))].join('\r\n') + '\r\n';
}

export function formatRows(format: TabularFormat, columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  switch (format) {
    case 'table':
      return formatTable(columns, rows);
    case 'csv':
      return formatCsv(columns, rows);
    case 'json':
      return (
        JSON.stringify(
          rows.map((row) => pick(columns, row)),
          null,
          2,
        ) + '\n'
      );
    case 'ndjson':
      return rows.map((row) => JSON.stringify(pick(columns, row))).join('\n') + (rows.length ? '\n' : '');
  }
}

function pick(columns: readonly string[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}

import type { ColumnInfo, Datum } from './client.js';

/**
 * Athena returns every value as text (`VarCharValue`; absent means NULL). The result set's column
 * types say what it was; values become what the DuckDB engine returns for the same SQL
 * (src/engines/duckdb/values.ts): numbers, booleans, ISO-8601 UTC timestamps, parsed JSON.
 */
export function fromAthena(type: string, datum: Datum | undefined): unknown {
  const text = datum?.VarCharValue;
  if (text === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/s, '').trim();
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint':
      return integer(text);
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return decimal(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp':
    case 'timestamp with time zone':
      return isoUtc(text);
    case 'json':
      return JSON.parse(text) as unknown;
    case 'array':
    case 'map':
    case 'row':
      return structured(text);
    default:
      // varchar, char, date (YYYY-MM-DD, as DuckDB gives it), varbinary, ipaddress, uuid, …
      return text;
  }
}

/** Safe integers as numbers, larger ones as their digits (DuckDB's engine does the same with bigint). */
function integer(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

function decimal(text: string): number | string {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

/**
 * `2024-05-01 10:00:00.000` (timestamp, UTC by Athena's session zone) or `… UTC` / `… +02:00` /
 * `… Europe/Paris` (with time zone) → ISO-8601 UTC. A named zone other than UTC cannot be
 * resolved without a zone database here: the text is kept as Athena wrote it.
 */
export function isoUtc(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:\s*(UTC|Z|[+-]\d{2}:?\d{2}))?$/.exec(text.trim());
  if (!match) return text;
  const [, date, time, zone] = match;
  const offset = !zone || zone === 'UTC' || zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}T${time!.slice(0, 12)}${offset}`);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/**
 * Arrays, maps and rows: Athena renders them as `[a, b]` / `{k=v}`, which is ambiguous when a
 * value holds `, ` or `=`. Parsed when the text is JSON (a `CAST(x AS JSON)` in the SQL makes it
 * so); otherwise kept as Athena's text (docs/athena.md, "Results").
 */
function structured(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One result row (Athena's `Data`) as a Row keyed by the column names. */
export function toRow(columns: readonly ColumnInfo[], data: readonly Datum[] | undefined): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    row[c.Name] = fromAthena(c.Type, data?.[i]);
  });
  return row;
}

/**
 * Parameters in runbook SQL are written `$name` (DuckDB's own named-parameter syntax, so the
 * text runs as written locally) and bound at execution. This scanner finds them outside string
 * literals, quoted identifiers and comments, so `'$.groupId'` (a JSONPath) is not a parameter.
 */
export interface SqlParameterRef {
  name: string;
  /** Offset of the `$` in the SQL text. */
  offset: number;
  /** 1-based line and column inside the SQL text. */
  line: number;
  col: number;
  /** True for `$1`-style positional references, which runbooks must not use. */
  positional: boolean;
}

export function findSqlParameters(sql: string): SqlParameterRef[] {
  const refs: SqlParameterRef[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c);
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === '$') {
      const match = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9]+)/.exec(sql.slice(i));
      if (match) {
        refs.push({ name: match[1]!, offset: i, ...lineCol(sql, i), positional: /^[0-9]/.test(match[1]!) });
        i += match[0].length;
      } else {
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  return refs;
}

/** Distinct named parameters, in order of first use. */
export function sqlParameterNames(sql: string): string[] {
  return [
    ...new Set(
      findSqlParameters(sql)
        .filter((r) => !r.positional)
        .map((r) => r.name),
    ),
  ];
}

/**
 * The same SQL with `?` placeholders and the parameter names in placeholder order, for engines
 * whose parameters are positional (Athena execution parameters).
 */
export function toPositional(sql: string): { sql: string; order: string[] } {
  const order: string[] = [];
  let out = '';
  let last = 0;
  for (const ref of findSqlParameters(sql)) {
    out += sql.slice(last, ref.offset) + '?';
    order.push(ref.name);
    last = ref.offset + 1 + ref.name.length;
  }
  return { sql: out + sql.slice(last), order };
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote)
        i += 2; // doubled quote is an escaped quote
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

import { TrailbookError } from '../errors.js';
import type { Params, ParamValue } from './engine.js';

/**
 * Every difference between DuckDB (the local store) and Trino (Athena) that trailbook's SQL meets,
 * as data. Runbook SQL is written once, in Athena's SQL with `$name` parameters: DuckDB runs it
 * with the macros of src/store/athena-macros.ts, Athena runs it after `translateSql` below, the
 * one function that reads this table. No caller branches on the engine (docs/athena.md).
 */
export type SqlFamily = 'duckdb' | 'trino';

export interface DialectDifference {
  /** What the row is about, for the docs' table. */
  topic: string;
  /** How DuckDB writes it (or gets it, for Athena functions: the macro). */
  duckdb: string;
  /** How Trino writes it. */
  trino: string;
  /**
   * What translation to Trino does with the DuckDB form when it appears in SQL text:
   * `rename` a function (word before `(`), `refuse` a construct Trino has no equivalent for
   * (with why), or `none` (the same text works on both; the row documents a semantic difference).
   */
  toTrino: { kind: 'rename'; from: string; to: string } | { kind: 'refuse'; pattern: RegExp; why: string } | { kind: 'none' };
}

/** A row that documents a difference translation has nothing to do about (the same text works on both). */
function note(topic: string, duckdb: string, trino: string): DialectDifference {
  return { topic, duckdb, trino, toTrino: { kind: 'none' } };
}

/** Athena functions the local store gets from macros; Trino has them natively (names as in ATHENA_MACROS). */
const BY_MACRO: readonly [athena: string, duckdbBody: string][] = [
  ['json_extract_scalar', 'json_extract_string, NULL for objects and arrays'],
  ['from_iso8601_timestamp', 'CAST(s AS TIMESTAMPTZ)'],
  ['from_iso8601_date', 'CAST(s AS DATE)'],
  ['to_iso8601', "strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ')"],
  ['regexp_like', 'regexp_matches'],
  ['json_parse', 'CAST(s AS JSON)'],
  ['json_format', 'CAST(j AS VARCHAR)'],
  ['json_size', 'json_array_length / len(json_keys)'],
  ['from_unixtime', 'to_timestamp'],
  ['to_unixtime', 'epoch'],
  ['approx_distinct', 'approx_count_distinct'],
  ['is_json_scalar', "json_type NOT IN ('OBJECT', 'ARRAY')"],
];

export const DIALECT_DIFFERENCES: readonly DialectDifference[] = [
  note('parameters', '`$name`, bound by name', '`?`, bound by position (ExecutionParameters, each a SQL literal)'),
  ...BY_MACRO.map(
    ([athena, body]): DialectDifference => ({ topic: `function ${athena}`, duckdb: `macro over ${body}`, trino: 'native', toTrino: { kind: 'none' } }),
  ),
  // DuckDB spellings of what Trino calls otherwise: renamed when SQL uses them.
  { topic: 'regexp match', duckdb: 'regexp_matches(s, p)', trino: 'regexp_like(s, p)', toTrino: { kind: 'rename', from: 'regexp_matches', to: 'regexp_like' } },
  {
    topic: 'approximate distinct count',
    duckdb: 'approx_count_distinct(x)',
    trino: 'approx_distinct(x)',
    toTrino: { kind: 'rename', from: 'approx_count_distinct', to: 'approx_distinct' },
  },
  { topic: 'epoch seconds', duckdb: 'epoch(t)', trino: 'to_unixtime(t)', toTrino: { kind: 'rename', from: 'epoch', to: 'to_unixtime' } },
  {
    topic: 'seconds to timestamp',
    duckdb: 'to_timestamp(n)',
    trino: 'from_unixtime(n)',
    toTrino: { kind: 'rename', from: 'to_timestamp', to: 'from_unixtime' },
  },
  {
    topic: 'JSON text at a path',
    duckdb: 'json_extract_string(j, p)',
    trino: 'json_extract_scalar(j, p)',
    toTrino: { kind: 'rename', from: 'json_extract_string', to: 'json_extract_scalar' },
  },
  // Not renamed: DuckDB's len() also measures strings, which Trino calls length().
  { topic: 'list length', duckdb: 'len(a), array_length(a)', trino: 'cardinality(a)', toTrino: { kind: 'none' } },
  // DuckDB-only syntax: refused with the reason, so a runbook that uses it fails before Athena bills a scan.
  {
    topic: 'cast shorthand',
    duckdb: 'x::INTEGER',
    trino: 'CAST(x AS integer)',
    toTrino: { kind: 'refuse', pattern: /::/, why: 'Trino has no `::` cast: write CAST(x AS type) (or try_cast)' },
  },
  {
    topic: 'JSON arrows',
    duckdb: "j->>'$.a', j->'$.a'",
    trino: "json_extract_scalar(j, '$.a'), json_extract(j, '$.a')",
    // `->` alone is also a lambda in Trino (`x -> x + 1`): only an arrow before a string (the next segment) is refused.
    toTrino: { kind: 'refuse', pattern: /->>|->\s*$/, why: "Trino has no JSON arrow operators: use json_extract_scalar(j, '$.path')" },
  },
  {
    topic: 'filter on window functions',
    duckdb: 'QUALIFY row_number() OVER (…) = 1',
    trino: 'a subquery filtered by WHERE',
    toTrino: { kind: 'refuse', pattern: /\bqualify\b/i, why: 'Trino has no QUALIFY: filter the window function in an outer query' },
  },
  {
    topic: 'list types',
    duckdb: 'VARCHAR[] (a type suffix)',
    trino: 'array(varchar)',
    toTrino: { kind: 'refuse', pattern: /(?<!\barray\s*)\[\s*\]/i, why: 'Trino writes list types array(T): CAST(x AS array(varchar))' },
  },
  {
    topic: 'first row per group',
    duckdb: 'SELECT DISTINCT ON (a) …',
    trino: 'row_number() OVER (PARTITION BY a …) = 1 in an outer query',
    toTrino: { kind: 'refuse', pattern: /\bdistinct\s+on\s*\(/i, why: 'Trino has no DISTINCT ON: keep row_number() = 1 in an outer query' },
  },
  {
    topic: 'all columns but some',
    duckdb: 'SELECT * EXCLUDE (a)',
    trino: 'the columns listed',
    toTrino: { kind: 'refuse', pattern: /\*\s*exclude\s*\(/i, why: 'Trino has no * EXCLUDE: list the columns' },
  },
  {
    topic: 'case-insensitive LIKE',
    duckdb: 'ILIKE',
    trino: 'lower(x) LIKE lower(p)',
    toTrino: { kind: 'refuse', pattern: /\bilike\b/i, why: 'Trino has no ILIKE: compare lower(x) LIKE lower(pattern)' },
  },
  note('list literals', "['a', 'b'] (a bare bracket list)", "ARRAY['a', 'b']"),
  {
    topic: 'struct types',
    duckdb: 'STRUCT(a VARCHAR), struct_pack(a := x)',
    trino: 'ROW(a varchar), CAST(ROW(x) AS ROW(a varchar))',
    toTrino: { kind: 'refuse', pattern: /\bstruct_pack\b|:=/i, why: 'struct_pack and := are DuckDB only: Trino builds rows with CAST(ROW(…) AS ROW(…))' },
  },
  {
    topic: 'integer division',
    duckdb: '7 / 2 = 3.5 (/ is always fractional; // divides integers)',
    trino: '7 / 2 = 3 (integer operands divide as integers)',
    toTrino: { kind: 'refuse', pattern: /\/\//, why: 'Trino has no `//`: integer division is `/` on integers' },
  },
  note(
    'regular expressions',
    'RE2 (no lookaround, no backreferences)',
    'Java-style syntax (joni in Athena): lookaround and backreferences too; the bundled runbooks use only syntax both read alike',
  ),
  note(
    'timestamps',
    'from_iso8601_timestamp gives TIMESTAMPTZ; results as ISO-8601 UTC',
    "timestamp(3) with time zone; results as text '2024-05-01 10:00:00.000 UTC' (converted to ISO-8601 UTC by the engine)",
  ),
  note('comparing eventtime', 'text (canonical ISO-8601 UTC in the store)', 'text as CloudTrail wrote it (also ISO-8601 UTC, seconds, Z): the same order'),
  note('identifiers in DDL', '"name"', '`name` in Athena DDL (Hive), "name" in queries'),
];

/** A parameter's value as the SQL literal Athena substitutes for `?` (ExecutionParameters are literals, not values). */
export function sqlLiteral(value: ParamValue, name: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TrailbookError('USAGE', `parameter $${name} is ${value}: Athena takes finite numbers only`);
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The tables the Athena DDL partitions by day (src/tables/athena-ddl.ts: partition projection,
 * `yyyy/MM/dd`), and the day partition column of each. A query on one of them that binds the
 * runbook's window (`$from`, `$to`: ISO-8601 text for CloudTrail, epoch seconds for flow records)
 * reads it, on Trino, through a subquery that also filters the day partition, so Athena reads only
 * the window's days. DuckDB has no partitions: its text is unchanged.
 */
export const DAY_PARTITIONS: readonly { table: string; partition: string }[] = [
  { table: 'cloudtrail_logs', partition: '"timestamp"' },
  { table: 'vpc_flow_logs', partition: 'day' },
];

/**
 * Days of slack on each side of the window: a log file sits under the day it was delivered, and
 * CloudTrail delivers an event up to about 15 minutes (flow logs: up to the aggregation interval
 * plus delivery) after it happened, so the first and last hours of a day reach the next day's
 * folder. One day each side covers that, at the price of two more days scanned.
 */
export const PARTITION_SLACK_DAYS = 1;

/** The day partition value (`yyyy/MM/dd`) of a window bound, `days` later; undefined for a bound that does not bound (EARLIEST/LATEST, unparsable). */
export function partitionDay(bound: ParamValue | undefined, days: number): string | undefined {
  let ms: number;
  if (typeof bound === 'number') ms = bound * 1000;
  else if (typeof bound === 'string') ms = Date.parse(bound);
  else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  const day = new Date(ms + days * 86_400_000);
  const year = day.getUTCFullYear();
  // The candidate queries' open bounds (0000-01-01, 9999-12-31) and garbage bound nothing.
  if (year < 1970 || year > 9000) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}/${pad(day.getUTCMonth() + 1)}/${pad(day.getUTCDate())}`;
}

/**
 * Which sides of the window the SELECT reading a table at `start` applies itself: its own
 * comparisons with `$from` and `$to` (`x >= $from`, `x <= $to`, `BETWEEN $from AND $to`, or
 * mirrored), at its own parenthesis depth, up to the end of that SELECT. A read that only asks
 * `eventtime >= $from` (e.g. revocations at any time after the window starts) gets no upper day
 * bound; one that asks `eventtime < $from` (history before the window) gets none at all.
 * `masked` is the statement with strings and comments blanked.
 */
export function windowBoundsAt(masked: string, start: number): { lower: boolean; upper: boolean } {
  let depth = 0;
  let scope = '';
  for (let i = start; i < masked.length; i++) {
    const c = masked[i]!;
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
      continue;
    } else if (c === ';' && depth === 0) break;
    scope += depth === 0 && c !== '(' ? c : ' ';
  }
  const own = scope.split(/\b(?:union|intersect|except)\b/i)[0]!;
  return {
    lower: /(?:>=?\s*\$from|\bbetween\s+\$from|\$from\s*<=?)(?![A-Za-z0-9_])/i.test(own),
    upper: /(?:<=?\s*\$to|\bbetween\s+\$from\s+and\s+\$to|\$to\s*>=?)(?![A-Za-z0-9_])/i.test(own),
  };
}

/** The partition filter for a table read in a window: `"timestamp" >= '…' AND …`, or undefined when the window bounds nothing. */
function partitionFilter(partition: string, bounds: { lower: boolean; upper: boolean }, params: Params, positional: string[]): string | undefined {
  const first = bounds.lower ? partitionDay(params['from'], -PARTITION_SLACK_DAYS) : undefined;
  const last = bounds.upper ? partitionDay(params['to'], PARTITION_SLACK_DAYS) : undefined;
  const terms: string[] = [];
  // Bound as parameters like any value: the days are ours, but nothing is spliced into Athena's SQL.
  if (first !== undefined) {
    terms.push(`${partition} >= ?`);
    positional.push(sqlLiteral(first, 'from'));
  }
  if (last !== undefined) {
    terms.push(`${partition} <= ?`);
    positional.push(sqlLiteral(last, 'to'));
  }
  return terms.length ? terms.join(' AND ') : undefined;
}

/** Words that may follow a table in FROM/JOIN and are not an alias. */
const NOT_AN_ALIAS =
  /^(where|group|order|having|limit|offset|union|intersect|except|join|inner|left|right|full|cross|natural|on|using|window|fetch|tablesample|unnest|lateral)$/i;

export interface TranslatedSql {
  sql: string;
  /** For positional engines: the literal of each `?`, in order. Empty for named ones (bind `params` as given). */
  positional: string[];
}

/**
 * The SQL text for an engine of `family`: for Trino, `$name` becomes `?` with the value's literal
 * in ExecutionParameters order, DuckDB spellings are renamed, DuckDB-only syntax is refused with
 * the reason (TrailbookError SQL). Strings, quoted identifiers and comments are never touched.
 */
export function translateSql(sql: string, params: Params, family: SqlFamily): TranslatedSql {
  if (family === 'duckdb') return { sql, positional: [] };
  const positional: string[] = [];
  let out = '';
  const all = segments(sql);
  // The statement with strings, quoted names and comments blanked (same length), for `windowBoundsAt`.
  const masked = all.map((s) => (s.kind === 'code' ? s.text : ' '.repeat(s.text.length))).join('');
  let offset = 0;
  for (const [index, segment] of all.entries()) {
    const start = offset;
    offset += segment.text.length;
    if (segment.kind !== 'code') {
      out += segment.text;
      continue;
    }
    let code = segment.text;
    const next = all[index + 1];
    for (const d of DIALECT_DIFFERENCES) {
      const rule = d.toTrino;
      if (rule.kind === 'refuse' && rule.pattern.test(code)) {
        throw new TrailbookError('SQL', `not valid on Athena (Trino): ${d.topic} (${d.duckdb})`, { hint: rule.why });
      }
    }
    // Parameters and partitioned tables, left to right, so the `?`s and their literals stay in order.
    const tables = DAY_PARTITIONS.map((p) => p.table).join('|');
    const pattern = new RegExp(`\\$([A-Za-z_][A-Za-z0-9_]*)|\\b(from|join)(\\s+)(${tables})\\b(?=(\\s*)([A-Za-z_][A-Za-z0-9_]*)?)`, 'gi');
    code = code.replace(
      pattern,
      (match, name: string | undefined, keyword: string, space: string, table: string, _gap: string, word: string | undefined, at: number) => {
        if (name !== undefined) {
          if (!Object.hasOwn(params, name))
            throw new TrailbookError('SQL', `parameter $${name} has no value`, { hint: 'give every $name the SQL uses a value' });
          positional.push(sqlLiteral(params[name]!, name));
          return '?';
        }
        const partition = DAY_PARTITIONS.find((p) => p.table === table.toLowerCase())!.partition;
        const filter = partitionFilter(partition, windowBoundsAt(masked, start + at + match.length), params, positional);
        if (filter === undefined) return match;
        // The alias the query gives the table stays its alias; without one the subquery takes the table's name.
        const rest = code.slice(at + match.length);
        const aliased = (word !== undefined && !NOT_AN_ALIAS.test(word)) || (/^\s*$/.test(rest) && next?.kind === 'identifier');
        return `${keyword}${space}(SELECT * FROM ${table} WHERE ${filter})${aliased ? '' : ` AS ${table}`}`;
      },
    );
    // Renames last: the offsets above are the statement's own.
    for (const d of DIALECT_DIFFERENCES) {
      const rule = d.toTrino;
      if (rule.kind === 'rename') code = code.replace(new RegExp(`\\b${rule.from}(\\s*\\()`, 'gi'), `${rule.to}$1`);
    }
    out += code;
  }
  return { sql: out, positional };
}

interface Segment {
  kind: 'code' | 'string' | 'identifier' | 'comment';
  text: string;
}

/** The SQL cut into code and the parts translation must not touch: '…' strings, "…" identifiers, comments. */
export function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  while (i < sql.length) {
    const c = sql[i]!;
    let end = -1;
    let kind: Segment['kind'] = 'code';
    if (c === "'" || c === '"') {
      kind = c === "'" ? 'string' : 'identifier';
      end = i + 1;
      while (end < sql.length && !(sql[end] === c && sql[end + 1] !== c)) end += sql[end] === c ? 2 : 1;
      end = Math.min(end + 1, sql.length);
    } else if (c === '-' && sql[i + 1] === '-') {
      kind = 'comment';
      end = sql.indexOf('\n', i);
      if (end === -1) end = sql.length;
    } else if (c === '/' && sql[i + 1] === '*') {
      kind = 'comment';
      end = sql.indexOf('*/', i + 2);
      end = end === -1 ? sql.length : end + 2;
    }
    if (end === -1) {
      code += c;
      i += 1;
      continue;
    }
    flush();
    out.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  flush();
  return out;
}

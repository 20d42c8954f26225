/**
 * Athena (Trino) functions that DuckDB lacks, as temporary macros installed on every connection,
 * so SQL written for Athena runs locally unchanged. Each entry says what Athena does and how the
 * macro matches it; differences that cannot be matched are written down beside them.
 */
export const ATHENA_MACROS: readonly string[] = [
  // Athena: the scalar (string, number, boolean) at a JSONPath, as varchar; NULL for objects/arrays.
  `CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS
     CASE WHEN json_type(json_extract(CAST(j AS JSON), p)) IN ('OBJECT', 'ARRAY', 'NULL') THEN NULL
          ELSE json_extract_string(CAST(j AS JSON), p) END`,
  // Athena: parses ISO-8601 text into timestamp with time zone.
  `CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `CREATE OR REPLACE TEMP MACRO from_iso8601_date(s) AS CAST(s AS DATE)`,
  `CREATE OR REPLACE TEMP MACRO to_iso8601(t) AS strftime(CAST(t AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`,
  `CREATE OR REPLACE TEMP MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
  `CREATE OR REPLACE TEMP MACRO json_parse(s) AS CAST(s AS JSON)`,
  `CREATE OR REPLACE TEMP MACRO json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE OR REPLACE TEMP MACRO json_size(j, p) AS
     CASE json_type(json_extract(CAST(j AS JSON), p))
       WHEN 'ARRAY' THEN json_array_length(CAST(j AS JSON), p)
       WHEN 'OBJECT' THEN len(json_keys(CAST(j AS JSON), p)) ELSE 0 END`,
  `CREATE OR REPLACE TEMP MACRO from_unixtime(n) AS to_timestamp(n)`,
  `CREATE OR REPLACE TEMP MACRO to_unixtime(t) AS epoch(t)`,
  `CREATE OR REPLACE TEMP MACRO approx_distinct(x) AS approx_count_distinct(x)`,
  `CREATE OR REPLACE TEMP MACRO is_json_scalar(j) AS json_type(CAST(j AS JSON)) NOT IN ('OBJECT', 'ARRAY')`,
];

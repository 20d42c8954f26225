import { createHash } from 'node:crypto';
import type { DuckDBType } from '@duckdb/node-api';
import { duckdb } from '../engines/duckdb/binding.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { VPC_COLUMNS, type FlowFieldSpec, type FlowFieldType, type FlowRecord } from './vpcflow-fields.js';

const { BIGINT, DuckDBDataChunk, INTEGER, LIST, listValue, VARCHAR } = duckdb;

/**
 * The flow-log store, on the model of the CloudTrail store: a flat table `vpc_flow_records`
 * that ingest appends to (DuckDB appender, then one set-based insert that skips known keys),
 * and the Athena-shaped view `vpc_flow_logs` with the column names and types AWS documents for
 * Athena (docs/runbook-format.md, "Tables") — the contract runbook SQL is written against.
 *
 * Internal columns start with `_`:
 * - `_key`: content hash of the record (kind, every column value, the extra fields): the dedupe
 *   key. Re-ingesting a file, or the same record delivered twice, never duplicates a row.
 * - `_file`, `_line`: where it was read (evidence `source_ref`).
 * - `_kind`: `vpc` or `tgw` (Transit Gateway flow logs share the table, not the view).
 * - `_start_ts`: `start` as TIMESTAMP (UTC), for pruning and time buckets.
 * - `_extra`: JSON object of the fields that are not columns (unknown names, TGW fields).
 */
const SQL_TYPE: Record<FlowFieldType, string> = { int: 'INTEGER', bigint: 'BIGINT', string: 'VARCHAR' };

const INTERNAL: readonly (readonly [string, string])[] = [
  ['_key', 'VARCHAR'],
  ['_file', 'VARCHAR'],
  ['_line', 'BIGINT'],
  ['_kind', 'VARCHAR'],
  ['_extra', 'VARCHAR'],
];

/** `vpc_flow_records` columns in table order (`_start_ts` is computed on insert, after the internal columns). */
export const VPC_FLOW_RECORD_COLUMNS: readonly (readonly [string, string])[] = [
  ...INTERNAL,
  ['_start_ts', 'TIMESTAMP'],
  ...VPC_COLUMNS.map((c) => [c.column, SQL_TYPE[c.type]] as const),
];

/** The columns of the Athena-compatible view, in order. */
export const VPC_FLOW_LOGS_COLUMNS: readonly string[] = VPC_COLUMNS.map((c) => c.column);

const STAGE = 'vpc_flow_stage';
/** The internal columns the appender fills (`_key` is computed in SQL, `_start_ts` on insert). */
const STAGED_INTERNAL = INTERNAL.filter(([n]) => n !== '_key');

/**
 * The content key in SQL (DuckDB computes it vectorised): the same text `flowRecordKey` hashes,
 * over every column (absent ones are null), then sha1. Written for speed: one `concat` with the
 * separators as literals, and each run of columns the format lacks folded into one constant
 * (an earlier chain of `||` with `chr(31)` per column cost ~6x more per row).
 */
export function keySql(present: readonly { column: string }[]): string {
  const have = new Set(present.map((c) => c.column));
  const parts: string[] = [];
  let absent = 0;
  for (const c of VPC_COLUMNS) {
    if (!have.has(c.column)) {
      absent++;
      continue;
    }
    if (absent) parts.push(`repeat(chr(0), ${absent})`);
    absent = 0;
    parts.push(`coalesce('\u001f' || CAST(${q(c.column)} AS VARCHAR), chr(0))`);
  }
  if (absent) parts.push(`repeat(chr(0), ${absent})`);
  return `sha1(concat(_kind, ${parts.join(', ')}, coalesce(_extra, '')))`;
}

const q = (name: string) => `"${name}"`;

/** Engines whose schema is installed in this process: ingest calls install per file, and each CREATE is a catalog commit. */
const installed = new WeakSet<DuckDBEngine>();

/**
 * The statements that create the flow tables and view: part of the store's layout. `_key_hash`
 * (DuckDB's 64-bit hash of `_key`) makes the per-append "is any key already stored?" probe a scan
 * of 8-byte integers instead of 40-byte strings; stores written before it existed get the column
 * here and its values filled by `installVpcFlowSchema` (once).
 */
export const VPC_FLOW_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS vpc_flow_records (${VPC_FLOW_RECORD_COLUMNS.map(([n, t]) => `${q(n)} ${t}`).join(', ')})`,
  `CREATE OR REPLACE VIEW vpc_flow_logs AS SELECT ${VPC_FLOW_LOGS_COLUMNS.map(q).join(', ')} FROM vpc_flow_records WHERE _kind = 'vpc'`,
  'ALTER TABLE vpc_flow_records ADD COLUMN IF NOT EXISTS _key_hash UBIGINT',
];

export async function installVpcFlowSchema(engine: DuckDBEngine): Promise<void> {
  if (installed.has(engine)) return;
  for (const statement of VPC_FLOW_DDL) await engine.run(statement);
  await engine.run('UPDATE vpc_flow_records SET _key_hash = hash(_key) WHERE _key_hash IS NULL');
  installed.add(engine);
}

export interface AppendResult {
  /** Rows added to `vpc_flow_records`. */
  appended: number;
  /** Records already in the store (or repeated within the batch), not added again. */
  duplicates: number;
}

/** `_extra` as stored: JSON with the keys sorted, so the same fields give the same text. */
export function canonicalExtra(extra: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(extra).sort()) sorted[k] = extra[k]!;
  return JSON.stringify(sorted);
}

/** The dedupe key of a record: a hash of its content, independent of the file and line it came from. */
export function flowRecordKey(record: FlowRecord): string {
  let text = record.kind;
  const values = record.values;
  for (let i = 0; i < VPC_COLUMNS.length; i++) {
    const v = values[VPC_COLUMNS[i]!.column];
    text += v === undefined || v === null ? '\u0000' : `\u001f${v}`;
  }
  if (record.extra) text += canonicalExtra(record.extra);
  return createHash('sha1').update(text).digest('hex');
}

const DUCK_TYPE: Record<FlowFieldType, DuckDBType> = { int: INTEGER, bigint: BIGINT, string: VARCHAR };
/** Rows per appended data chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/**
 * Appends records read from `file`. Fast path: the records are written column by column into
 * DuckDB data chunks (`appender.appendDataChunk`: numbers are copied per vector, not per value)
 * of a temporary staging table, then one INSERT … SELECT computes the content key, drops the
 * rows whose key is already stored (an anti-join against the stored rows in the batch's `start`
 * range, which DuckDB prunes by zone maps) and the repeats inside the batch. Idempotent.
 */
export async function appendFlowRecords(engine: DuckDBEngine, records: readonly FlowRecord[], file: string): Promise<AppendResult> {
  if (records.length === 0) return { appended: 0, duplicates: 0 };
  // Stage only the columns the batch's format has (a default-v2 file fills 14 of the 40).
  const present = new Set<string>();
  let last: Record<string, unknown> | null = null;
  for (const record of records) {
    if (record.values === last) continue;
    for (const key in record.values) present.add(key);
    last = record.values;
  }
  const columns = VPC_COLUMNS.filter((c) => present.has(c.column));
  const stage = `${STAGE}_${createHash('sha1')
    .update(columns.map((c) => c.column).join(','))
    .digest('hex')
    .slice(0, 12)}`;
  // A fresh staging table per append: DELETE only marks rows deleted, so a reused stage grew with
  // every file and each scan of it walked all the earlier (deleted) rows.
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE ${stage} (${[...STAGED_INTERNAL, ...columns.map((c) => [c.column, SQL_TYPE[c.type]] as const)].map(([n, t]) => `${q(n)} ${t}`).join(', ')})`,
  );
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let nullStart = false;
  for (const record of records) {
    const start = record.values['start'];
    if (typeof start === 'number') {
      if (start < lo) lo = start;
      if (start > hi) hi = start;
    } else nullStart = true;
  }

  const result = await (async () => {
    const types: DuckDBType[] = [VARCHAR, BIGINT, VARCHAR, VARCHAR, ...columns.map((c) => DUCK_TYPE[c.type])];
    const appender = await engine.connection.createAppender(stage, 'main', 'temp');
    try {
      for (let from = 0; from < records.length; from += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, records.length - from);
        const chunk = DuckDBDataChunk.create(types, n);
        const fileCol: string[] = new Array(n);
        const lineCol: bigint[] = new Array(n);
        const kindCol: string[] = new Array(n);
        const extraCol: (string | null)[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const r = records[from + i]!;
          fileCol[i] = file;
          lineCol[i] = BigInt(r.line);
          kindCol[i] = r.kind;
          extraCol[i] = r.extra ? canonicalExtra(r.extra) : null;
        }
        chunk.setColumnValues(0, fileCol);
        chunk.setColumnValues(1, lineCol);
        chunk.setColumnValues(2, kindCol);
        chunk.setColumnValues(3, extraCol);
        for (let j = 0; j < columns.length; j++) {
          const c = columns[j]!;
          const name = c.column;
          const col: (string | number | bigint | null)[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const v = records[from + i]!.values[name];
            col[i] = v === undefined || v === null ? null : c.type === 'string' ? String(v) : c.type === 'int' ? Number(v) : BigInt(v);
          }
          chunk.setColumnValues(4 + j, col);
        }
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }

    return await mergeStaged(engine, stage, columns, { file: 's._file', line: 's._line' }, { lo, hi, nullStart });
  })();
  const appended = Number(result.rowsChanged);
  await engine.run(`DROP TABLE IF EXISTS ${stage}`);
  return { appended, duplicates: records.length - appended };
}

/** The `start` range of a batch: min, max, and whether some row has no `start`. */
export interface StartRange {
  lo: number;
  hi: number;
  nullStart: boolean;
}

/**
 * The shared second half of an append: from a staging table holding `_kind`, `_extra` and the
 * format's columns, one INSERT … SELECT into `vpc_flow_records` that computes the content key and
 * skips stored keys and repeats inside the batch (after a cheap probe on the 64-bit hashes).
 * `where` gives the SQL of `_file` and `_line` over the staged row `s` (which also has `_rid`,
 * its rowid: the staging table's insertion order), and of the order in which repeats keep their
 * first copy (default: `_line`; it cannot be a window function). `lineInStage` computes `_line`
 * over the whole stage, before stored keys are dropped (a window there sees every row of a file).
 */
async function mergeStaged(
  engine: DuckDBEngine,
  stage: string,
  columns: readonly FlowFieldSpec[],
  where: { file: string; line: string; order?: string; keyed?: boolean; lineInStage?: string },
  range: StartRange,
): Promise<{ rowsChanged: number | bigint }> {
  // A keyed stage already holds `_key` (computed once, while loading): sha1 is the costly part.
  const key = where.keyed ? '_key' : keySql(columns);
  const { lo, hi, nullStart } = range;
  const present = new Set(columns.map((c) => c.column));
  const hasStart = present.has('start');
  const names = [...INTERNAL.map(([n]) => q(n)), '"_start_ts"', ...columns.map((c) => q(c.column))].join(', ');
  const select = [
    's._key',
    where.file,
    where.line,
    's._kind',
    's._extra',
    hasStart ? `CASE WHEN s."start" IS NULL THEN NULL ELSE make_timestamp(s."start" * 1000000) END` : 'NULL',
    ...columns.map((c) => `s.${q(c.column)}`),
  ].join(', ');
  // Stored rows that could share a key: a key covers `start`, so only rows in the batch's range.
  const storedRange = hasStart ? `(r."start" BETWEEN $lo AND $hi) OR ($nullStart AND r."start" IS NULL)` : `r."start" IS NULL`;
  const params: Record<string, number | boolean> = hasStart ? { lo: Number.isFinite(lo) ? lo : 0, hi: Number.isFinite(hi) ? hi : -1, nullStart } : {};
  // Probe first, on the 8-byte hashes only: in the common case (new records, no repeats in the
  // batch) nothing matches, and the insert skips the anti-join (whose cost grows with the store)
  // and the window over the batch. A hash collision only makes the probe say "maybe": the
  // anti-join and window then decide on the full key, so the result is exact either way.
  const probe = await engine.connection.runAndReadAll(
    `WITH h AS (SELECT hash(${key}) AS _key_hash FROM ${stage})
     SELECT (SELECT count(*) FROM vpc_flow_records r WHERE (${storedRange}) AND r._key_hash IN (SELECT _key_hash FROM h)) AS stored,
            (SELECT count(*) - count(DISTINCT _key_hash) FROM h) AS repeats`,
    params,
  );
  const [stored, repeats] = (probe.getRows()[0] ?? [0, 0]).map(Number);
  const anti = stored ? `ANTI JOIN (SELECT r._key FROM vpc_flow_records r WHERE ${storedRange}) k ON k._key = s._key` : '';
  const once = repeats ? `QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY ${where.order ?? where.line}) = 1` : '';
  return await engine.connection.run(
    `INSERT INTO vpc_flow_records (${names}, _key_hash)
     SELECT ${select}, hash(s._key) FROM (SELECT *, rowid AS _rid${where.keyed ? '' : `, ${key} AS _key`}${where.lineInStage ? `, ${where.lineInStage} AS _line` : ''} FROM ${stage}) s
     ${anti}
     ${once}`,
    stored ? params : {},
  );
}

/** How a clean text file is read by DuckDB (see `ingest/vpcflow/fast.ts`). */
export interface CsvLoad {
  path: string;
  compression: 'gzip' | 'none';
  /** The format's fields, every one a `vpc_flow_logs` column. */
  columns: readonly FlowFieldSpec[];
  /** Lines before the first data line (1 when the file starts with its header). */
  skip: number;
  /** Data rows the validation pass counted. */
  rows: number;
  range: StartRange;
}

/** Clean files can share one `read_csv` when they have the same layout: this string says which. */
export function csvLoadShape(load: CsvLoad): string {
  return `${load.compression}|${load.skip}|${load.columns.map((c) => c.column).join(',')}`;
}

/** One clean file: `appendFlowCsvFiles` with a single load. */
export async function appendFlowCsv(engine: DuckDBEngine, load: CsvLoad): Promise<AppendResult | null> {
  return appendFlowCsvFiles(engine, [load]);
}

/**
 * Appends files that the validation pass found clean and that share one layout (`csvLoadShape`):
 * DuckDB reads them all in one `read_csv` (in parallel; the format's columns typed as in the
 * table, `-` as null, no sniffing, errors fatal) into a staging table, then the same merge as
 * `appendFlowRecords`: the stored rows are identical to the record path's, file by file.
 *
 * Line numbers: the staging table keeps insertion order, which for a multi-file `read_csv` is
 * file order, then line order; so a row's line is its position among its file's rows plus the
 * skipped lines plus 1. That each file's rows are contiguous and as many as the validation
 * counted is checked before anything is stored.
 *
 * Returns null, having stored nothing, when DuckDB cannot read a file or reads another number of
 * rows than the validation counted (the caller then reads the files one by one).
 */
export async function appendFlowCsvFiles(engine: DuckDBEngine, loads: readonly CsvLoad[]): Promise<AppendResult | null> {
  const rows = loads.reduce((n, l) => n + l.rows, 0);
  if (rows === 0) return { appended: 0, duplicates: 0 };
  const first = loads[0]!;
  const shape = csvLoadShape(first);
  if (loads.some((l) => csvLoadShape(l) !== shape)) throw new Error('appendFlowCsvFiles: the files do not share one layout');
  const expected = new Map<string, number>();
  for (const l of loads) expected.set(l.path, (expected.get(l.path) ?? 0) + l.rows);
  if (expected.size !== loads.length) throw new Error('appendFlowCsvFiles: a file is listed twice');

  const stage = `${STAGE}_csv`;
  try {
    try {
      await engine.run(
        `CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT *, ${keySql(first.columns)} AS _key FROM (SELECT 'vpc' AS _kind, CAST(NULL AS VARCHAR) AS _extra, * FROM ${readCsvSql(loads)})`,
      );
      const perFile = await engine.connection.runAndReadAll(
        `SELECT filename, count(*) AS n, max(rowid) - min(rowid) + 1 AS span FROM ${stage} GROUP BY filename`,
      );
      const seen = perFile.getRows();
      if (seen.length !== expected.size) return null;
      for (const [file, n, span] of seen) {
        if (expected.get(String(file)) !== Number(n) || Number(span) !== Number(n)) return null;
      }
    } catch {
      // DuckDB could not read what the validation accepted (e.g. a gzip variant): nothing is
      // stored yet, the caller reads the files one by one.
      return null;
    }
    const range: StartRange = {
      lo: Math.min(...loads.map((l) => l.range.lo)),
      hi: Math.max(...loads.map((l) => l.range.hi)),
      nullStart: loads.some((l) => l.range.nullStart),
    };
    const lineInStage = `rowid - min(rowid) OVER (PARTITION BY filename) + ${first.skip + 1}`;
    const result = await mergeStaged(engine, stage, first.columns, { file: 's.filename', line: 's._line', order: 's._rid', keyed: true, lineInStage }, range);
    const appended = Number(result.rowsChanged);
    return { appended, duplicates: rows - appended };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** `read_csv` of clean files of one layout: the format's columns typed as in the table, `-` as null, no sniffing, errors fatal. */
function readCsvSql(loads: readonly CsvLoad[]): string {
  const first = loads[0]!;
  const types = first.columns.map((c) => `${lit(c.column)}: ${lit(SQL_TYPE[c.type])}`).join(', ');
  return (
    `read_csv([${loads.map((l) => lit(l.path)).join(', ')}], ` +
    `delim = ' ', quote = '', escape = '', header = false, skip = ${first.skip}, nullstr = '-', auto_detect = false, ` +
    `ignore_errors = false, strict_mode = true, filename = true, compression = ${lit(first.compression)}, columns = {${types}})`
  );
}

/**
 * The answer-first scan's flow records (IngestOptions.only): clean files are not loaded as they
 * come but held (their paths and layout) until the last one is read; then DuckDB reads them once,
 * storing only the records the port's questions read: those on the ports, and every record of an
 * interface that has one there (an interface's own address is inferred from all its records,
 * flows/find.ts). Which interfaces those are is known only once every file is validated (the
 * validation pass notes them, ingest/vpcflow/fast.ts), hence the holding; storing every record
 * (and keying it: a sha1 of every column) is most of a flow load's cost. Files read line by line
 * are stored whole: more records than needed never change an answer.
 *
 * The kept rows have no line numbers (`_line` null: DuckDB's reader does not number them, and the
 * port's questions never read them), and a record repeated in two files keeps whichever copy
 * DuckDB read first: the copies differ only in `_file` and `_line`.
 */
export class FlowHold {
  private readonly held = new Map<string, CsvLoad[]>();
  /** The interfaces with a record on the ports, as the validation pass found them (vpcflow/fast.ts). */
  private readonly interfaces = new Set<string>();

  constructor(private readonly ports: readonly number[]) {}

  /** A clean file, with the interfaces its validation found on the ports (null: not noted, or the format lacks the columns). */
  keep(load: CsvLoad, portInterfaces: readonly string[] | null): void {
    for (const id of portInterfaces ?? []) this.interfaces.add(id);
    const shape = csvLoadShape(load);
    const loads = this.held.get(shape);
    if (loads) loads.push(load);
    else this.held.set(shape, [load]);
  }

  /**
   * Stores what the questions read of the held files and forgets them; returns the rows appended
   * and the files DuckDB refused (for the caller to read line by line).
   */
  async finish(engine: DuckDBEngine): Promise<AppendResult & { refused: CsvLoad[] }> {
    const bound = { values: { ports: listValue([...this.ports]) }, types: { ports: LIST(INTEGER) } };
    const onPort = 'list_contains($ports, srcport) OR list_contains($ports, dstport)';
    const narrowable = (loads: readonly CsvLoad[]) => ['srcport', 'dstport', 'interface_id'].every((c) => loads[0]!.columns.some((f) => f.column === c));
    const groups = [...this.held.values()];
    this.held.clear();
    const interfaces = `${STAGE}_held_interfaces`;
    const stage = `${STAGE}_held`;
    const result = { appended: 0, duplicates: 0, refused: [] as CsvLoad[] };
    try {
      // The interfaces on the ports: from the validation pass, and from the records already stored (files read line by line).
      await engine.connection.run(
        `CREATE OR REPLACE TEMP TABLE ${interfaces} AS SELECT DISTINCT interface_id FROM (
           SELECT unnest($noted) AS interface_id UNION ALL SELECT interface_id FROM vpc_flow_records WHERE ${onPort}) WHERE interface_id IS NOT NULL`,
        { ...bound.values, noted: listValue([...this.interfaces]) },
        { ...bound.types, noted: LIST(VARCHAR) },
      );
      this.interfaces.clear();
      for (const loads of groups) {
        const where = narrowable(loads) ? `WHERE ${onPort} OR interface_id IN (SELECT interface_id FROM ${interfaces})` : '';
        try {
          await engine.connection.run(
            `CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT 'vpc' AS _kind, CAST(NULL AS VARCHAR) AS _extra, CAST(NULL AS BIGINT) AS _line, * FROM ${readCsvSql(loads)} ${where}`,
            where ? bound.values : {},
            where ? bound.types : {},
          );
        } catch {
          // DuckDB refused what the validation accepted (as appendFlowCsvFiles allows): read line by line.
          result.refused.push(...loads);
          continue;
        }
        const { rows } = await engine.all(`SELECT count(*) AS n FROM ${stage}`);
        const range: StartRange = {
          lo: Math.min(...loads.map((l) => l.range.lo)),
          hi: Math.max(...loads.map((l) => l.range.hi)),
          nullStart: loads.some((l) => l.range.nullStart),
        };
        const merged = Number(
          (await mergeStaged(engine, stage, loads[0]!.columns, { file: 's.filename', line: 's._line', order: 's._rid' }, range)).rowsChanged,
        );
        result.appended += merged;
        result.duplicates += Number(rows[0]?.['n'] ?? 0) - merged;
      }
    } finally {
      await engine.run(`DROP TABLE IF EXISTS ${interfaces}`);
      await engine.run(`DROP TABLE IF EXISTS ${stage}`);
    }
    return result;
  }
}

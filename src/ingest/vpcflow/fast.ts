import { FileStreamError, newStreamInfo, readDecompressed } from '../file-stream.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { fieldSpec, type FlowFieldSpec } from '../../store/vpcflow-fields.js';
import { FlowLogParser, MAX_FLOW_SECONDS, isHeader, type FlowReadStats, type ParserOptions } from './parser.js';
import type { CsvLoad } from '../../store/vpcflow-schema.js';

/**
 * The validation pass of the fast path: one scan of a text flow log's bytes (decompressed) that
 * decides whether DuckDB's own `read_csv` can load it with exactly the rows the record path
 * (parser.ts → appendFlowRecords) would store, and that counts the lines as the parser would.
 * No per-record objects: lines are found with `indexOf`, fields and digits with char-code loops.
 *
 * A file is clean when:
 * - its first line is read by `FlowLogParser` as a header (or, header-less, as a record of the
 *   given or a known layout), and every field of that format is a `vpc_flow_logs` column (no
 *   Transit Gateway, unknown or repeated fields: those need `_extra`, which stays on the record
 *   path);
 * - every byte is printable ASCII, a single space between fields or `\n` (no tab, CR, runs of
 *   spaces, leading or trailing spaces, empty lines, non-ASCII);
 * - every other line is a data line with exactly the format's field count, not a header (no
 *   repeated header, no header change), not JSON, without a CloudWatch timestamp prefix;
 * - every numeric field is `-` or digits within the column type (ports 0–65535, int ≤ 2^31−1,
 *   bigint a safe integer: exactly what the parser accepts and the table takes).
 * Anything else returns null and the file takes the record path, which accounts for it line by line.
 */
export interface CleanFlowFile {
  /** The format's columns, in file order. */
  columns: FlowFieldSpec[];
  /** 1 when the first line is the header, else 0. */
  skip: number;
  /** Data rows (records + NODATA + SKIPDATA). */
  rows: number;
  /** min/max `start` and whether a row has none (for the dedupe probe's range). */
  range: { lo: number; hi: number; nullStart: boolean };
  /** Final stats, identical to the parser's for this file. */
  stats: FlowReadStats;
  /**
   * With `onPorts`: the interfaces with a record on one of those ports (the answer-first scan keeps
   * every record of them: store/vpcflow-schema.ts `FlowHold`); null when the format lacks a port or
   * the interface column.
   */
  portInterfaces?: string[] | null;
}

const INT_MAX = 2147483647;
/** A clean flow-log line is a few hundred bytes; a longer one is left to the record path, which bounds it. */
const MAX_CLEAN_LINE = 64 * 1024;

interface Slot {
  numeric: boolean;
  max: number;
}

/** Incremental validator: `push` decompressed chunks, then `end`. Returns null as soon as the file is not clean. */
export class FlowCleanScanner {
  private readonly parser: FlowLogParser;
  private slots: Slot[] | null = null;
  private columns: FlowFieldSpec[] = [];
  private statusIndex = -1;
  private startIndex = -1;
  private skip = 0;
  private rows = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  private nullStart = false;
  private carry: Buffer | null = null;
  private dirty = false;

  private srcportIndex = -1;
  private dstportIndex = -1;
  private interfaceIndex = -1;
  private readonly portInterfaces = new Set<string>();

  /** `onPorts`: note the interfaces of the records on these ports (`CleanFlowFile.portInterfaces`). */
  constructor(
    options: ParserOptions = {},
    private readonly onPorts: ReadonlySet<number> | null = null,
  ) {
    this.parser = new FlowLogParser(options);
  }

  /** False once a line has made the file unclean. */
  get clean(): boolean {
    return !this.dirty;
  }

  push(chunk: Buffer): boolean {
    if (this.dirty) return false;
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      if (!this.line(buf, from, nl)) return false;
      from = nl + 1;
    }
    if (from < buf.length) {
      if (buf.length - from > MAX_CLEAN_LINE) return this.fail();
      this.carry = Buffer.from(buf.subarray(from));
    }
    return true;
  }

  end(): CleanFlowFile | null {
    if (this.dirty) return null;
    if (this.carry && this.carry.length) {
      const last = this.carry;
      this.carry = null;
      if (!this.line(last, 0, last.length)) return null;
    }
    if (!this.slots) return null; // empty file: nothing to load (the record path says so)
    return {
      columns: this.columns,
      skip: this.skip,
      rows: this.rows,
      range: { lo: this.lo, hi: this.hi, nullStart: this.nullStart },
      stats: this.parser.stats,
      ...(this.onPorts
        ? { portInterfaces: this.interfaceIndex >= 0 && this.srcportIndex >= 0 && this.dstportIndex >= 0 ? [...this.portInterfaces] : null }
        : {}),
    };
  }

  private fail(): false {
    this.dirty = true;
    return false;
  }

  private line(buf: Buffer, start: number, end: number): boolean {
    if (!this.slots) return this.first(buf, start, end);
    const stats = this.parser.stats;
    stats.lines++;
    if (!this.data(buf, start, end)) return false;
    return true;
  }

  /** The first line: the parser decides (header, or the header-less layout), then its format must be all columns. */
  private first(buf: Buffer, start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c < 0x20 || c > 0x7e) return this.fail();
    }
    const text = buf.toString('latin1', start, end);
    const stats = this.parser.stats;
    const record = this.parser.parseLine(text);
    if (stats.bad || stats.jsonWrapped || stats.timestampPrefixed || stats.unknownFields.length || !stats.fields) return this.fail();
    const columns: FlowFieldSpec[] = [];
    const seen = new Set<string>();
    for (const name of stats.fields) {
      const spec = fieldSpec(name);
      if (!spec || spec.kind !== 'vpc' || seen.has(spec.column)) return this.fail();
      seen.add(spec.column);
      columns.push(spec);
    }
    this.columns = columns;
    this.slots = columns.map((c) => ({
      numeric: c.type !== 'string',
      max:
        c.name === 'srcport' || c.name === 'dstport'
          ? 65535
          : c.name === 'start' || c.name === 'end'
            ? MAX_FLOW_SECONDS
            : c.type === 'int'
              ? INT_MAX
              : Number.MAX_SAFE_INTEGER,
    }));
    this.statusIndex = columns.findIndex((c) => c.name === 'log-status');
    this.startIndex = columns.findIndex((c) => c.name === 'start');
    if (this.onPorts) {
      this.srcportIndex = columns.findIndex((c) => c.name === 'srcport');
      this.dstportIndex = columns.findIndex((c) => c.name === 'dstport');
      this.interfaceIndex = columns.findIndex((c) => c.name === 'interface-id');
    }
    if (record) {
      // Header-less: the parser has counted this line; it must also pass the byte-level checks.
      this.skip = 0;
      const counted = { records: stats.records, nodata: stats.nodata, skipdata: stats.skipdata };
      if (!this.data(buf, start, end)) return false;
      stats.records = counted.records;
      stats.nodata = counted.nodata;
      stats.skipdata = counted.skipdata;
    } else {
      this.skip = 1;
    }
    return true;
  }

  /** One data line: strict field checks, then counted. */
  private data(buf: Buffer, start: number, end: number): boolean {
    const slots = this.slots!;
    const n = slots.length;
    if (end === start) return this.fail();
    const c0 = buf[start]!;
    // `{`: JSON-wrapped; a lower-case letter or `$`: maybe a header (exact check below).
    if (c0 === 0x7b) return this.fail();
    if ((c0 >= 0x61 && c0 <= 0x7a) || c0 === 0x24) {
      if (isHeader(buf.toString('latin1', start, end).split(' '))) return this.fail();
    }
    // A CloudWatch export prefix (YYYY-MM-DDT…): the parser would drop it.
    if (end - start > 10 && buf[start + 4] === 0x2d && buf[start + 10] === 0x54) return this.fail();
    let field = 0;
    let i = start;
    let status = 0; // 0 data, 1 NODATA, 2 SKIPDATA
    let onPort = false;
    let interfaceStart = -1;
    let interfaceEnd = -1;
    while (i <= end) {
      // one field: [i, j)
      let j = i;
      while (j < end && buf[j] !== 0x20) j++;
      if (j === i || field >= n) return this.fail();
      const len = j - i;
      const slot = slots[field]!;
      const dash = len === 1 && buf[i] === 0x2d;
      if (slot.numeric && !dash) {
        if (len > 16) return this.fail();
        let v = 0;
        for (let k = i; k < j; k++) {
          const d = buf[k]! - 0x30;
          if (d < 0 || d > 9) return this.fail();
          v = v * 10 + d;
        }
        if (v > slot.max) return this.fail();
        if ((field === this.srcportIndex || field === this.dstportIndex) && this.onPorts?.has(v)) onPort = true;
        if (field === this.startIndex) {
          if (v < this.lo) this.lo = v;
          if (v > this.hi) this.hi = v;
        }
      } else {
        for (let k = i; k < j; k++) {
          const c = buf[k]!;
          if (c <= 0x20 || c > 0x7e) return this.fail();
        }
        if (field === this.statusIndex) {
          if (len === 6 && buf.toString('latin1', i, j) === 'NODATA') status = 1;
          else if (len === 8 && buf.toString('latin1', i, j) === 'SKIPDATA') status = 2;
        }
        if (dash && field === this.startIndex) this.nullStart = true;
        if (field === this.interfaceIndex && !dash) {
          interfaceStart = i;
          interfaceEnd = j;
        }
      }
      field++;
      i = j + 1;
    }
    if (field !== n) return this.fail();
    if (onPort && interfaceStart >= 0) this.portInterfaces.add(buf.toString('latin1', interfaceStart, interfaceEnd));
    if (this.startIndex < 0) this.nullStart = true;
    const stats = this.parser.stats;
    if (status === 1) stats.nodata++;
    else if (status === 2) stats.skipdata++;
    else stats.records++;
    this.rows++;
    return true;
  }
}

/** What DuckDB needs to load a clean file (`appendFlowCsv`, `appendFlowCsvFiles`). */
export function csvLoadOf(path: string, format: 'text' | 'gzip', clean: CleanFlowFile): CsvLoad {
  return { path, compression: format === 'gzip' ? 'gzip' : 'none', columns: clean.columns, skip: clean.skip, rows: clean.rows, range: clean.range };
}

/**
 * Scans one text or gzip flow log (streamed, within `maxFileBytes` decompressed); returns what the
 * fast path needs when the file is clean, or null (not clean, over the limit, or the stream broke:
 * the record path reads it and reports why).
 */
export async function scanCleanFlowFile(path: string, options: ParserOptions & { maxFileBytes?: number } = {}): Promise<CleanFlowFile | null> {
  const scanner = new FlowCleanScanner(options);
  const info = newStreamInfo();
  const stream = readDecompressed(path, { maxBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes }, info);
  try {
    for await (const chunk of stream) {
      if (!scanner.push(chunk)) return null;
    }
  } catch (error) {
    if (error instanceof FileStreamError) return null;
    throw error;
  } finally {
    await stream.return(undefined);
  }
  // Bytes after the last gzip member: DuckDB would not read the file as the record path does.
  return info.trailing ? null : scanner.end();
}

import {
  DEFAULT_V2_FIELDS,
  HEADERLESS_LAYOUTS,
  fieldSpec,
  parseFormatString,
  type FlowFieldType,
  type FlowRecord,
  type FlowValue,
} from '../../store/vpcflow-fields.js';

/**
 * The streaming flow-log line parser: pure and synchronous, one line in, at most one record out,
 * constant memory (apart from the capped list of bad lines). Every line is accounted for:
 *
 *   records + nodata + skipdata + headers + bad === lines
 *
 * - a header line (field names) sets the field order; the same header again is counted as a
 *   header; a *different* header after the first is a bad line ("header changed mid-file") and
 *   the lines after it are read with the new header;
 * - `-` is null; numeric fields must be unsigned integers (ports 0–65535, other int fields
 *   at most 2^31 − 1, bigint fields safe integers);
 * - log-status NODATA / SKIPDATA rows are counted apart from records (they are still returned:
 *   they are evidence of gaps, and Athena's table has them too);
 * - unknown field names in a header are kept (in `extra`) and listed in `unknownFields`;
 * - CloudWatch Logs shapes: a JSON line `{"message": "…"}` is unwrapped; a leading ISO-8601
 *   timestamp (CloudWatch export to S3) is dropped;
 * - without a header, the format is the one given, or else chosen by field count among
 *   `HEADERLESS_LAYOUTS` (14 fields: the default v2 format is assumed, and the stats say so).
 */

export interface BadLine {
  line: number;
  reason: string;
}

export type FormatSource = 'header' | 'given' | 'default-v2' | 'inferred' | 'parquet';

export interface FlowReadStats {
  /** Lines (text) or rows (Parquet) seen. */
  lines: number;
  /** Data records (log-status OK or absent). */
  records: number;
  nodata: number;
  skipdata: number;
  /** Header lines, the first and every identical repetition. */
  headers: number;
  /** Lines that could not be read; the first `maxBadLines` are listed in `badLines`. */
  bad: number;
  badLines: BadLine[];
  /** Field names in the format that AWS does not document (their values are kept in `extra`). */
  unknownFields: string[];
  /** The field order in use at the end of the file (null when no line set one). */
  fields: string[] | null;
  /** Where that field order came from. */
  formatSource: FormatSource | null;
  /** Human-readable note on the format choice, e.g. "no header: assumed the default v2 format". */
  formatNote: string | null;
  /** Lines unwrapped from `{"message": …}` JSON. */
  jsonWrapped: number;
  /** Lines whose leading CloudWatch-export timestamp was dropped. */
  timestampPrefixed: number;
}

export interface ParserOptions {
  /** Field order for header-less input: a list of names or a format string (`${version} ${srcaddr} …`). */
  fields?: readonly string[] | string;
  /** How many bad lines are listed with their reason (all are counted). Default 1000. */
  maxBadLines?: number;
}

interface Slot {
  name: string;
  column: string | null; // null: kept in extra
  type: FlowFieldType;
}

interface Layout {
  fields: string[];
  slots: Slot[];
  kind: 'vpc' | 'tgw';
  source: FormatSource;
  /** Line of the header that set it (0 when not from a header). */
  headerLine: number;
}

const FIELD_NAME = /^[a-z][a-z0-9_-]*$/;
const UINT = /^\d+$/;
const ISO_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;
const PORT_FIELDS = new Set(['srcport', 'dstport']);
/** INTEGER columns (version, ports, tcp-flags, traffic-path) hold at most 2^31 − 1. */
const INT_MAX = 2147483647;
/**
 * `start` and `end` are Unix seconds; the store turns them into timestamps (microseconds in an
 * INT64) and reports print them as ISO-8601: the last second of year 9999 is the most either holds
 * (a larger value overflowed INT64 and sank the whole run).
 */
export const MAX_FLOW_SECONDS = 253402300799;
const TIME_FIELDS = new Set(['start', 'end']);

/** A numeric field's value, or why its text cannot be stored. */
function numericProblem(name: string, type: FlowFieldType, token: string): string | number {
  if (!UINT.test(token)) return `non-numeric ${name} "${clip(token)}"`;
  const n = Number(token);
  if (!Number.isSafeInteger(n) || (type === 'int' && n > INT_MAX)) return `${name} ${clip(token)} is too large`;
  if (PORT_FIELDS.has(name) && n > 65535) return `${name} ${n} is not a port (0-65535)`;
  if (TIME_FIELDS.has(name) && n > MAX_FLOW_SECONDS) return `${name} ${n} is past 9999-12-31T23:59:59Z (Unix seconds expected)`;
  return n;
}

export function emptyStats(): FlowReadStats {
  return {
    lines: 0,
    records: 0,
    nodata: 0,
    skipdata: 0,
    headers: 0,
    bad: 0,
    badLines: [],
    unknownFields: [],
    fields: null,
    formatSource: null,
    formatNote: null,
    jsonWrapped: 0,
    timestampPrefixed: 0,
  };
}

export class FlowLogParser {
  readonly stats: FlowReadStats = emptyStats();
  private layout: Layout | null = null;
  private readonly given: string[] | null;
  private readonly maxBad: number;
  private readonly unknown = new Set<string>();

  constructor(options: ParserOptions = {}) {
    this.given = options.fields === undefined ? null : typeof options.fields === 'string' ? parseFormatString(options.fields) : [...options.fields];
    this.maxBad = options.maxBadLines ?? 1000;
  }

  /** Reads one line (without its newline). Returns the record, or null for headers and bad lines. */
  parseLine(raw: string): FlowRecord | null {
    const stats = this.stats;
    const line = ++stats.lines;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return this.bad(line, 'empty line');

    if (text.charCodeAt(0) === 123 /* { */) {
      let message: unknown;
      try {
        message = (JSON.parse(text) as { message?: unknown } | null)?.message;
      } catch {
        return this.bad(line, 'line starts with "{" but is not valid JSON');
      }
      if (typeof message !== 'string') return this.bad(line, 'JSON line without a string "message" field');
      stats.jsonWrapped++;
      text = message;
    }

    let tokens = text.trim().split(/\s+/);
    if (tokens.length > 1 && ISO_PREFIX.test(tokens[0]!)) {
      stats.timestampPrefixed++;
      tokens = tokens.slice(1);
    }

    if (isHeader(tokens))
      return this.header(
        line,
        tokens.map((t) => t.replace(/^\$\{(.*)\}$/, '$1')),
      );

    let layout = this.layout;
    if (!layout) {
      layout = this.headerless(tokens.length);
      if (!layout) {
        return this.bad(
          line,
          `no header line, and ${tokens.length} fields match no known flow-log layout (${HEADERLESS_LAYOUTS.map((l) => l.fields.length).join(', ')}); give the format`,
        );
      }
      this.layout = layout;
      stats.fields = layout.fields;
    }
    if (tokens.length !== layout.slots.length) {
      const from = layout.headerLine ? `the header at line ${layout.headerLine}` : `the ${layout.source} format`;
      return this.bad(line, `expected ${layout.slots.length} fields (${from}), found ${tokens.length}`);
    }

    const values: Record<string, FlowValue> = {};
    let extra: Record<string, string> | null = null;
    for (let i = 0; i < tokens.length; i++) {
      const slot = layout.slots[i]!;
      const token = tokens[i]!;
      if (slot.column === null) {
        if (token !== '-') (extra ??= {})[slot.name] = token;
        continue;
      }
      if (token === '-') {
        values[slot.column] = null;
      } else if (slot.type === 'string') {
        values[slot.column] = token;
      } else {
        const n = numericProblem(slot.name, slot.type, token);
        if (typeof n === 'string') return this.bad(line, n);
        values[slot.column] = n;
      }
    }
    return this.count({ line, kind: layout.kind, values, extra });
  }

  /** Reads one already-typed row (Parquet); column names may use `_` or `-`. */
  parseRow(row: Record<string, unknown>): FlowRecord | null {
    const stats = this.stats;
    const line = ++stats.lines;
    if (!this.layout) {
      const names = Object.keys(row).map((k) => k.replace(/_/g, '-'));
      this.layout = makeLayout(names, 'parquet', 0, this.unknown);
      stats.fields = this.layout.fields;
      stats.formatSource = 'parquet';
      stats.formatNote = 'Parquet: field order from the file schema';
      stats.unknownFields = [...this.unknown];
    }
    const values: Record<string, FlowValue> = {};
    let extra: Record<string, string> | null = null;
    const keys = Object.keys(row);
    for (let i = 0; i < keys.length; i++) {
      const raw = row[keys[i]!];
      const slot = this.layout.slots[i] ?? { name: keys[i]!, column: null, type: 'string' as const };
      if (raw === null || raw === undefined || raw === '-') {
        if (slot.column) values[slot.column] = null;
        continue;
      }
      if (slot.column === null) {
        (extra ??= {})[slot.name] = String(raw);
        continue;
      }
      if (slot.type === 'string') {
        values[slot.column] = String(raw);
        continue;
      }
      const n = numericProblem(slot.name, slot.type, String(raw));
      if (typeof n === 'string') return this.bad(line, n);
      values[slot.column] = n;
    }
    return this.count({ line, kind: this.layout.kind, values, extra });
  }

  private count(record: FlowRecord): FlowRecord {
    const status = record.values['log_status'];
    if (status === 'NODATA') this.stats.nodata++;
    else if (status === 'SKIPDATA') this.stats.skipdata++;
    else this.stats.records++;
    return record;
  }

  private header(line: number, names: string[]): null {
    const stats = this.stats;
    const current = this.layout;
    if (current && current.source === 'header') {
      if (sameFields(current.fields, names)) {
        stats.headers++;
        return null;
      }
      this.adopt(line, names);
      return this.bad(
        line,
        `header changed mid-file (${current.fields.length} fields from line ${current.headerLine} → ${names.length} fields); the lines after it are read with the new header`,
      );
    }
    stats.headers++;
    this.adopt(line, names);
    return null;
  }

  private adopt(line: number, names: string[]): void {
    this.layout = makeLayout(names, 'header', line, this.unknown);
    this.stats.fields = this.layout.fields;
    this.stats.formatSource = 'header';
    this.stats.formatNote = `field order from the header at line ${line}`;
    this.stats.unknownFields = [...this.unknown];
  }

  private headerless(count: number): Layout | null {
    const stats = this.stats;
    if (this.given) {
      const layout = makeLayout(this.given, 'given', 0, this.unknown);
      stats.formatSource = 'given';
      stats.formatNote = `no header: the given format (${this.given.length} fields)`;
      stats.unknownFields = [...this.unknown];
      return layout;
    }
    const match = HEADERLESS_LAYOUTS.find((l) => l.fields.length === count);
    if (!match) return null;
    const isDefault = match.fields === DEFAULT_V2_FIELDS;
    stats.formatSource = isDefault ? 'default-v2' : 'inferred';
    stats.formatNote = isDefault
      ? 'no header: assumed the default v2 format (14 fields)'
      : `no header: ${count} fields, read as ${match.name} in AWS field-table order`;
    return makeLayout([...match.fields], stats.formatSource, 0, this.unknown);
  }

  /** A line that could not even be split off (over the record limit, bytes after the last gzip member): counted and listed. */
  skipLine(reason: string): null {
    return this.bad(++this.stats.lines, reason);
  }

  private bad(line: number, reason: string): null {
    this.stats.bad++;
    if (this.stats.badLines.length < this.maxBad) this.stats.badLines.push({ line, reason });
    return null;
  }
}

function makeLayout(names: string[], source: FormatSource, headerLine: number, unknown: Set<string>): Layout {
  let kind: 'vpc' | 'tgw' = 'vpc';
  const slots: Slot[] = names.map((name) => {
    const spec = fieldSpec(name);
    if (!spec) {
      unknown.add(name);
      return { name, column: null, type: 'string' };
    }
    if (spec.kind === 'tgw') {
      kind = 'tgw';
      return { name: spec.name, column: null, type: spec.type };
    }
    return { name: spec.name, column: spec.column, type: spec.type };
  });
  return { fields: slots.map((s) => s.name), slots, kind, source, headerLine };
}

/** A header: every token is a field name (lower-case, hyphenated, or `${name}`), and at least one is a documented field. */
export function isHeader(tokens: readonly string[]): boolean {
  let known = false;
  for (const raw of tokens) {
    const t = raw.startsWith('${') && raw.endsWith('}') ? raw.slice(2, -1) : raw;
    if (!FIELD_NAME.test(t)) return false;
    if (!known && fieldSpec(t)) known = true;
  }
  return known;
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== (fieldSpec(b[i]!)?.name ?? b[i])) return false;
  return true;
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 39) + '…' : text;
}

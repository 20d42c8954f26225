/**
 * Threat-intel feeds and AWS ip-ranges, loaded from local files (never the network).
 *
 * Every loader is a pure function of the file text; `loadFeed` adds the file: bytes, sha256,
 * gzip, mtime. A bad line or record is kept in `bad` with its line number and never sinks the
 * feed. Totals add up: `records = accepted + bad + skipped` (records are lines for text formats,
 * objects/attributes/prefixes for JSON formats), and `skippedBy` says why each skipped one was.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TrailbookError } from '../errors.js';
import { type Prefix, parsePrefix } from '../net/address.js';
import { PatternError, extractPatternIps } from './stix-pattern.js';
import { tooBroad } from './breadth.js';

export const FEED_FORMATS = ['plain', 'ipsum', 'netset', 'spamhaus', 'spamhaus-json', 'stix', 'misp', 'csv', 'aws'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** `threat`: a hit makes an address suspicious. `aws`: AWS's own ranges, a hit makes it known. */
export type FeedKind = 'threat' | 'aws';

export interface FeedEntry {
  readonly prefix: Prefix;
  /** 1-based line in the (decompressed) file where the entry was read. */
  readonly line: number;
  /** What the feed says about it: "count 7", "SBL256894", "indicator 'C2' (indicator--…)", "EC2 us-east-1". */
  readonly detail?: string;
  /** STIX `valid_from` / `valid_until`, epoch milliseconds. */
  readonly validFrom?: number;
  readonly validUntil?: number;
}

export interface BadRecord {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface FeedTotals {
  readonly unit: 'line' | 'record';
  readonly records: number;
  readonly accepted: number;
  readonly bad: number;
  readonly skipped: number;
  readonly skippedBy: Readonly<Record<string, number>>;
}

export interface LoadedFeed {
  readonly name: string;
  readonly path: string;
  readonly format: FeedFormat;
  readonly kind: FeedKind;
  /** sha256 (hex) of the file as it is on disk (compressed when gzipped). */
  readonly sha256: string;
  readonly bytes: number;
  /** ISO-8601: the feed's own date when it states one, else the file's mtime. */
  readonly date: string | undefined;
  readonly dateSource: 'feed' | 'mtime' | 'none';
  readonly entries: readonly FeedEntry[];
  readonly bad: readonly BadRecord[];
  readonly totals: FeedTotals;
  readonly notes: readonly string[];
}

export interface FeedOptions {
  /** `csv`: the column holding the IP/CIDR, by header name or 1-based number. */
  column?: string;
  /** `ipsum`: only IPs listed on at least this many blocklists. */
  min?: number;
}

export interface FeedSpec {
  readonly path: string;
  readonly format?: FeedFormat;
  readonly name?: string;
  readonly options: FeedOptions;
}

/** What a parser returns before the file facts are added. */
export interface ParsedFeed {
  readonly format: FeedFormat;
  readonly kind: FeedKind;
  readonly entries: FeedEntry[];
  readonly bad: BadRecord[];
  readonly totals: FeedTotals;
  readonly date?: string;
  readonly notes: string[];
}

const SPEC_PREFIX = new RegExp(`^(${FEED_FORMATS.join('|')})((?:,[a-z]+=[^,:]*)*)?:(.+)$`, 's');
const SPEC_OPTIONS_ONLY = /^((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*):(.+)$/s;

/**
 * `--intel` values: `PATH`, `FORMAT:PATH`, `FORMAT,key=value,...:PATH` or `key=value,...:PATH`.
 * Keys: `name` (feed name in reasons), `column` (csv), `min` (ipsum). Examples:
 * `ipsum,min=3:ipsum.txt`, `csv,column=dst_ip:iocs.csv`, `stix,name=apt1:apt1.json`.
 */
export function parseFeedSpec(spec: string): FeedSpec {
  let format: FeedFormat | undefined;
  let optionText = '';
  let path = spec;
  const withFormat = SPEC_PREFIX.exec(spec);
  const optionsOnly = withFormat ? null : SPEC_OPTIONS_ONLY.exec(spec);
  if (withFormat) {
    format = withFormat[1] as FeedFormat;
    optionText = (withFormat[2] ?? '').replace(/^,/, '');
    path = withFormat[3]!;
  } else if (optionsOnly) {
    optionText = optionsOnly[1]!;
    path = optionsOnly[2]!;
  }
  const options: FeedOptions = {};
  let name: string | undefined;
  for (const pair of optionText ? optionText.split(',') : []) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'name') name = value;
    else if (key === 'column') options.column = value;
    else if (key === 'min') {
      if (!/^[0-9]+$/.test(value)) throw new TrailbookError('USAGE', `intel feed ${spec}: min must be a whole number`);
      options.min = Number(value);
    } else {
      throw new TrailbookError('USAGE', `intel feed ${spec}: unknown option "${key}"`, {
        hint: 'options are name=, column= (csv) and min= (ipsum)',
      });
    }
  }
  return { path, options, ...(format ? { format } : {}), ...(name ? { name } : {}) };
}

/** Reads, decompresses (gzip by magic bytes), detects and parses one feed file. */
export async function loadFeed(input: FeedSpec | string): Promise<LoadedFeed> {
  const spec = typeof input === 'string' ? parseFeedSpec(input) : input;
  let raw: Buffer;
  let mtime: Date;
  try {
    raw = await readFile(spec.path);
    mtime = (await stat(spec.path)).mtime;
  } catch (error) {
    throw new TrailbookError('INTEL', `cannot read intel feed: ${(error as Error).message}`, {
      location: spec.path,
      cause: error,
    });
  }
  const sha256 = createHash('sha256').update(raw).digest('hex');
  let text: string;
  try {
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  } catch (error) {
    throw new TrailbookError('INTEL', `cannot decompress intel feed: ${(error as Error).message}`, {
      location: spec.path,
      cause: error,
    });
  }
  const name =
    spec.name ??
    basename(spec.path)
      .replace(/(\.gz)?$/, '')
      .replace(/\.[A-Za-z0-9]+$/, '');
  const parsed = parseFeedText(text, { ...spec.options, format: spec.format ?? detectFormat(spec.path, text), location: spec.path });
  return {
    name,
    path: spec.path,
    format: parsed.format,
    kind: parsed.kind,
    sha256,
    bytes: raw.length,
    date: parsed.date ?? mtime.toISOString(),
    dateSource: parsed.date ? 'feed' : 'mtime',
    entries: parsed.entries,
    bad: parsed.bad,
    totals: parsed.totals,
    notes: parsed.notes,
  };
}

/** Guesses the format from the name and the first lines. `--intel FORMAT:PATH` overrides it. */
export function detectFormat(path: string, text: string): FeedFormat {
  const lower = path.toLowerCase().replace(/\.gz$/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      const first = trimmed.slice(0, trimmed.indexOf('\n') >>> 0);
      try {
        const line = JSON.parse(first) as Record<string, unknown>;
        if (line && typeof line === 'object' && 'cidr' in line) return 'spamhaus-json';
      } catch {
        /* fall through */
      }
      throw new TrailbookError('INTEL', 'intel feed looks like JSON but does not parse', {
        location: path,
        hint: 'name the format explicitly in the feed: FORMAT:PATH',
      });
    }
    if (isObject(doc)) {
      if (Array.isArray(doc.prefixes) && ('syncToken' in doc || 'createDate' in doc)) return 'aws';
      if (doc.type === 'bundle' || Array.isArray(doc.objects)) return 'stix';
      if ('cidr' in doc) return 'spamhaus-json';
      if ('response' in doc || 'Event' in doc || 'Attribute' in doc || 'Object' in doc) return 'misp';
      if (Object.values(doc).some((v) => isObject(v) && 'MISP' in v)) return 'misp';
    }
    if (Array.isArray(doc) && doc.some((v) => isObject(v) && ('Event' in v || 'Attribute' in v))) return 'misp';
    throw new TrailbookError('INTEL', 'unrecognised JSON intel feed (not STIX, MISP, Spamhaus or AWS ip-ranges)', {
      location: path,
      hint: 'name the format explicitly in the feed: FORMAT:PATH',
    });
  }
  if (lower.endsWith('.csv')) return 'csv';
  const lines = text.split('\n', 400);
  if (lines.some((l) => /^\s*[0-9a-fA-F:.]+\/\d+\s*;\s*SBL\d+/.test(l))) return 'spamhaus';
  if (lower.endsWith('.netset') || lower.endsWith('.ipset') || lines.some((l) => /^#.*\bipset\b/.test(l))) return 'netset';
  const data = lines.filter((l) => l.trim() !== '' && !/^\s*[#;]/.test(l)).slice(0, 20);
  if (data.length && data.filter((l) => /^\S+\t\d+\s*$/.test(l)).length * 2 > data.length) return 'ipsum';
  return 'plain';
}

interface ParseOptions extends FeedOptions {
  format: FeedFormat;
  /** For error locations. */
  location?: string;
}

/**
 * Parses feed text in a known format. Pure: no file access. An entry covering the internet (or
 * most of it: intel/breadth.ts) is a configuration error naming file:line, not a bad line: it
 * would make every source suspicious (or known), so the feed is not what its user thinks.
 */
export function parseFeedText(text: string, options: ParseOptions): ParsedFeed {
  const parsed = parseFeedFormat(text, options);
  const broad = parsed.entries.flatMap((entry) => {
    const why = tooBroad(entry.prefix);
    return why === undefined ? [] : [{ line: entry.line, why }];
  });
  if (broad.length) {
    const where = (line: number) => `${options.location ?? 'feed'}:${line}`;
    const listed = broad.slice(0, 10).map((b) => `  ${where(b.line)}: ${b.why}`);
    if (broad.length > 10) listed.push(`  … ${broad.length - 10} more`);
    throw new TrailbookError('CONFIG', `intel feed has entries too broad to be threats:\n${listed.join('\n')}`, {
      location: where(broad[0]!.line),
      hint: 'remove those lines, or check that the file is the feed you meant (see docs/intel.md)',
    });
  }
  return parsed;
}

function parseFeedFormat(text: string, options: ParseOptions): ParsedFeed {
  switch (options.format) {
    case 'plain':
    case 'netset':
    case 'ipsum':
    case 'spamhaus':
      return parseLines(text, options.format, options);
    case 'csv':
      return parseCsv(text, options);
    case 'spamhaus-json':
      return parseSpamhausJson(text);
    case 'stix':
      return parseStix(text, options.location);
    case 'misp':
      return parseMisp(text, options.location);
    case 'aws':
      return parseAwsRanges(text, options.location);
  }
}

class Tally {
  records = 0;
  accepted = 0;
  readonly entries: FeedEntry[] = [];
  readonly bad: BadRecord[] = [];
  readonly skippedBy: Record<string, number> = {};
  readonly notes: string[] = [];
  private masked = 0;

  skip(reason: string): void {
    this.skippedBy[reason] = (this.skippedBy[reason] ?? 0) + 1;
  }

  fail(line: number, text: string, reason: string): void {
    this.bad.push({ line, text: text.length > 200 ? text.slice(0, 199) + '…' : text, reason });
  }

  /** Parses one IP/CIDR; on failure records the bad record and returns undefined. */
  prefix(value: string, line: number, text: string): Prefix | undefined {
    const parsed = parsePrefix(value);
    if (!parsed.ok) {
      this.fail(line, text, `not an IP or CIDR: ${parsed.reason}`);
      return undefined;
    }
    if (parsed.hostBitsSet) this.masked++;
    return parsed.value;
  }

  totals(unit: 'line' | 'record'): FeedTotals {
    if (this.masked) this.notes.push(`${this.masked} CIDR(s) had host bits set and were masked to their network`);
    const skipped = Object.values(this.skippedBy).reduce((a, b) => a + b, 0);
    return { unit, records: this.records, accepted: this.accepted, bad: this.bad.length, skipped, skippedBy: { ...this.skippedBy } };
  }
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** plain, netset, ipsum and Spamhaus DROP (`; SBL`) text: one entry per line. */
function parseLines(text: string, format: 'plain' | 'netset' | 'ipsum' | 'spamhaus', options: FeedOptions): ParsedFeed {
  const tally = new Tally();
  let date: string | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    tally.records++;
    const trimmed = line.trim();
    if (trimmed === '') {
      tally.skip('blank');
      continue;
    }
    if (/^(#|;|\/\/)/.test(trimmed)) {
      tally.skip('comment');
      date ??= headerDate(trimmed);
      continue;
    }
    // inline comments: "1.2.3.0/24 ; SBL123", "1.2.3.4 # scanner"
    const commentAt = trimmed.search(/\s[#;]|;/);
    const data = (commentAt >= 0 ? trimmed.slice(0, commentAt) : trimmed).trim();
    const comment =
      commentAt >= 0
        ? trimmed
            .slice(commentAt)
            .replace(/^\s*[#;]\s*/, '')
            .trim()
        : '';
    const fields = data.split(/\s+/);
    let detail: string | undefined = comment || undefined;
    if (format === 'ipsum') {
      const count = fields[1];
      if (fields.length !== 2 || !/^[0-9]+$/.test(count ?? '')) {
        tally.fail(lineNo, line, 'expected "IP<TAB>count"');
        continue;
      }
      const prefix = tally.prefix(fields[0]!, lineNo, line);
      if (!prefix) continue;
      if (options.min !== undefined && Number(count) < options.min) {
        tally.skip(`count below ${options.min}`);
        continue;
      }
      detail = `on ${count} blocklist${count === '1' ? '' : 's'}`;
      tally.accepted++;
      tally.entries.push({ prefix, line: lineNo, detail });
      continue;
    }
    if (fields.length !== 1) {
      tally.fail(lineNo, line, 'expected one IP or CIDR per line');
      continue;
    }
    const prefix = tally.prefix(fields[0]!, lineNo, line);
    if (!prefix) continue;
    tally.accepted++;
    tally.entries.push(detail ? { prefix, line: lineNo, detail } : { prefix, line: lineNo });
  }
  const totals = tally.totals('line');
  return { format, kind: 'threat', entries: tally.entries, bad: tally.bad, totals, notes: tally.notes, ...(date ? { date } : {}) };
}

/** Dates that feed headers state: ipsum "Last update:", FireHOL "This File Date", Spamhaus "Last-Modified:". */
function headerDate(comment: string): string | undefined {
  const m = /^[#;]\s*(?:Last update|This File Date|Last-Modified)\s*:\s*(.+)$/i.exec(comment);
  if (!m) return undefined;
  const parsed = Date.parse(m[1]!.replace(/\s+/g, ' ').trim());
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** One CSV line into fields (RFC 4180 quoting; a quoted field cannot span lines). */
export function splitCsvLine(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') return undefined;
    } else {
      const comma = line.indexOf(',', i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? line.length : comma;
    }
    out.push(field.trim());
    if (i >= line.length) return out;
    i++; // the comma
  }
}

const CSV_IP_HEADERS = ['ip', 'ip_address', 'ipaddress', 'address', 'cidr', 'network', 'indicator', 'value', 'src_ip', 'dst_ip'];

function parseCsv(text: string, options: FeedOptions): ParsedFeed {
  const tally = new Tally();
  const lines = splitLines(text);
  let column: number | undefined;
  let header: string[] | undefined;
  const wanted = options.column;
  if (wanted !== undefined && /^[0-9]+$/.test(wanted)) column = Number(wanted) - 1;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.replace(/^\uFEFF/, '');
    tally.records++;
    if (line.trim() === '') {
      tally.skip('blank');
      continue;
    }
    if (line.trimStart().startsWith('#')) {
      tally.skip('comment');
      continue;
    }
    const fields = splitCsvLine(line);
    if (!fields) {
      tally.fail(lineNo, line, 'unbalanced quotes');
      continue;
    }
    if (column === undefined) {
      // the first data line is the header: find the column by name
      header = fields.map((f) => f.toLowerCase());
      const index = wanted !== undefined ? header.indexOf(wanted.toLowerCase()) : header.findIndex((h) => CSV_IP_HEADERS.includes(h));
      if (index < 0) {
        throw new TrailbookError('INTEL', wanted !== undefined ? `CSV has no column "${wanted}"` : 'CSV: no IP column found in the header', {
          hint: `choose one in the feed: csv,column=NAME:FILE (columns: ${fields.join(', ')})`,
        });
      }
      column = index;
      tally.skip('header');
      continue;
    }
    const value = fields[column];
    if (value === undefined || value === '') {
      tally.fail(lineNo, line, `no value in column ${column + 1}`);
      continue;
    }
    const prefix = tally.prefix(value, lineNo, line);
    if (!prefix) continue;
    tally.accepted++;
    const detail = fields
      .filter((_, k) => k !== column)
      .map((f, k) => (header ? `${header.filter((_, h) => h !== column)[k]}=${f}` : f))
      .filter((f) => !f.endsWith('='))
      .join(' ');
    tally.entries.push(detail ? { prefix, line: lineNo, detail } : { prefix, line: lineNo });
  }
  return { format: 'csv', kind: 'threat', entries: tally.entries, bad: tally.bad, totals: tally.totals('line'), notes: tally.notes };
}

/** Spamhaus DROP JSON lines: `{"cidr":"1.10.16.0/20","sblid":"SBL256894","rir":"apnic"}`, last a metadata line. */
function parseSpamhausJson(text: string): ParsedFeed {
  const tally = new Tally();
  let date: string | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    tally.records++;
    if (line.trim() === '') {
      tally.skip('blank');
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      tally.fail(lineNo, line, 'not JSON');
      continue;
    }
    if (!isObject(record)) {
      tally.fail(lineNo, line, 'not a JSON object');
      continue;
    }
    if (record.type === 'metadata') {
      tally.skip('metadata');
      if (typeof record.timestamp === 'number') date = new Date(record.timestamp * 1000).toISOString();
      continue;
    }
    if (typeof record.cidr !== 'string') {
      tally.fail(lineNo, line, 'no "cidr" string');
      continue;
    }
    const prefix = tally.prefix(record.cidr, lineNo, line);
    if (!prefix) continue;
    tally.accepted++;
    const detail = [record.sblid, record.rir].filter((v) => typeof v === 'string').join(' ');
    tally.entries.push(detail ? { prefix, line: lineNo, detail } : { prefix, line: lineNo });
  }
  return {
    format: 'spamhaus-json',
    kind: 'threat',
    entries: tally.entries,
    bad: tally.bad,
    totals: tally.totals('line'),
    notes: tally.notes,
    ...(date ? { date } : {}),
  };
}

function parseJsonDocument(text: string, format: FeedFormat, location: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TrailbookError('INTEL', `${format} feed is not valid JSON: ${(error as Error).message}`, {
      ...(location ? { location } : {}),
    });
  }
}

/** The 1-based line where `needle` first occurs (JSON records located by their id). */
function lineOf(text: string, needle: string, lineStarts: number[]): number {
  const at = needle ? text.indexOf(needle) : -1;
  return at < 0 ? 0 : countLine(lineStarts, at);
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** STIX 2.1 bundles: indicators with STIX patterns, and bare ipv4-addr / ipv6-addr objects. */
function parseStix(text: string, location: string | undefined): ParsedFeed {
  const doc = parseJsonDocument(text, 'stix', location);
  const objects = isObject(doc) && Array.isArray(doc.objects) ? doc.objects : Array.isArray(doc) ? doc : undefined;
  if (!objects) throw new TrailbookError('INTEL', 'STIX feed has no "objects" array', location ? { location } : {});
  const tally = new Tally();
  const starts = lineStartsOf(text);
  let latest: number | undefined;
  for (const object of objects) {
    tally.records++;
    if (!isObject(object)) {
      tally.fail(0, JSON.stringify(object) ?? '', 'not a STIX object');
      continue;
    }
    const id = typeof object.id === 'string' ? object.id : '';
    const line = lineOf(text, id ? `"${id}"` : '', starts);
    const modified = parseTime(object.modified) ?? parseTime(object.created);
    if (modified !== undefined && (latest === undefined || modified > latest)) latest = modified;
    if (object.type === 'ipv4-addr' || object.type === 'ipv6-addr') {
      if (typeof object.value !== 'string') {
        tally.fail(line, id, `${object.type} without a value`);
        continue;
      }
      const prefix = tally.prefix(object.value, line, `${id} ${object.value}`);
      if (!prefix) continue;
      tally.accepted++;
      tally.entries.push({ prefix, line, detail: `${object.type} object ${id}` });
      continue;
    }
    if (object.type !== 'indicator') {
      tally.skip(`not an indicator (${typeof object.type === 'string' ? object.type : '?'})`);
      continue;
    }
    if (object.pattern_type !== undefined && object.pattern_type !== 'stix') {
      tally.skip('pattern_type is not stix');
      continue;
    }
    if (typeof object.pattern !== 'string') {
      tally.fail(line, id, 'indicator without a pattern');
      continue;
    }
    let ips;
    try {
      ips = extractPatternIps(object.pattern);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      tally.fail(line, object.pattern, `STIX pattern: ${error.message}`);
      continue;
    }
    if (ips.length === 0) {
      tally.skip('no IP in pattern');
      continue;
    }
    const validFrom = parseTime(object.valid_from);
    const validUntil = parseTime(object.valid_until);
    const label = typeof object.name === 'string' ? `indicator "${object.name}" (${id})` : `indicator ${id}`;
    let any = false;
    for (const ip of ips) {
      const prefix = tally.prefix(ip.value, line, object.pattern);
      if (!prefix) continue;
      any = true;
      tally.entries.push({
        prefix,
        line,
        detail: ip.partial ? `${label}; pattern has further conditions` : label,
        ...(validFrom !== undefined ? { validFrom } : {}),
        ...(validUntil !== undefined ? { validUntil } : {}),
      });
    }
    // an indicator with some good literals is accepted; one whose literals were all bad is one bad record
    if (any) tally.accepted++;
  }
  return finishJson(tally, 'stix', latest === undefined ? undefined : new Date(latest).toISOString());
}

/** Bad records are per literal; the totals count objects. Fold extra bad literals into notes. */
function finishJson(tally: Tally, format: FeedFormat, date: string | undefined): ParsedFeed {
  const totals = tally.totals('record');
  const skipped = totals.skipped;
  const badObjects = totals.records - totals.accepted - skipped;
  return {
    format,
    kind: format === 'aws' ? 'aws' : 'threat',
    entries: tally.entries,
    bad: tally.bad,
    totals: { ...totals, bad: badObjects },
    notes: tally.notes,
    ...(date ? { date } : {}),
  };
}

const MISP_IP_TYPES = new Set(['ip-src', 'ip-dst', 'ip-src|port', 'ip-dst|port', 'domain|ip']);

/**
 * MISP JSON: events (`{"Event":…}`, `{"response":[…]}`), objects, attribute lists, or any JSON
 * holding MISP attributes. Attributes are found wherever they sit (an object with string
 * `type`, `value` and `category`); IP types become entries, the rest are skipped by type.
 */
function parseMisp(text: string, location: string | undefined): ParsedFeed {
  const doc = parseJsonDocument(text, 'misp', location);
  const tally = new Tally();
  const starts = lineStartsOf(text);
  let latest: number | undefined;
  const visit = (node: unknown, event: string | undefined, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, event, depth + 1);
      return;
    }
    if (!isObject(node)) return;
    if (typeof node.type === 'string' && typeof node.value === 'string' && typeof node.category === 'string') {
      attribute(node, event);
      return;
    }
    let context = event;
    if (isObject(node.Event)) {
      const e = node.Event;
      context = typeof e.info === 'string' ? `event "${e.info}"` : 'event';
      const ts = typeof e.timestamp === 'string' ? Number(e.timestamp) * 1000 : parseTime(e.date);
      if (ts !== undefined && !Number.isNaN(ts) && (latest === undefined || ts > latest)) latest = ts;
    }
    // an object is either wrapped ({"Object": {...}}, REST responses) or inline in an event's "Object" list
    const object = isObject(node.Object) ? node.Object : Array.isArray(node.Attribute) && typeof node.name === 'string' ? node : undefined;
    if (object && typeof object.name === 'string') context = `${context ? `${context}, ` : ''}object ${object.name}`;
    for (const [key, child] of Object.entries(node)) {
      if (key === 'STIX') continue; // misp-stix mapping documents carry converted STIX beside the attribute
      visit(child, context, depth + 1);
    }
  };
  const attribute = (attr: Record<string, unknown>, event: string | undefined): void => {
    tally.records++;
    const type = attr.type as string;
    const value = attr.value as string;
    const uuid = typeof attr.uuid === 'string' ? attr.uuid : '';
    const line = lineOf(text, uuid ? `"${uuid}"` : `"${value}"`, starts);
    if (!MISP_IP_TYPES.has(type)) {
      tally.skip(`attribute type ${type}`);
      return;
    }
    const ip = type === 'domain|ip' ? value.slice(value.indexOf('|') + 1) : type.endsWith('|port') ? value.slice(0, value.lastIndexOf('|')) : value;
    const prefix = tally.prefix(ip, line, value);
    if (!prefix) return;
    tally.accepted++;
    const parts = [`${type} ${value}`];
    if (event) parts.push(event);
    if (attr.to_ids === false) parts.push('to_ids=false');
    tally.entries.push({ prefix, line, detail: parts.join(', ') });
  };
  visit(doc, undefined, 0);
  return finishJson(tally, 'misp', latest === undefined ? undefined : new Date(latest).toISOString());
}

/** AWS ip-ranges.json: `prefixes[].ip_prefix` and `ipv6_prefixes[].ipv6_prefix` with service and region. */
function parseAwsRanges(text: string, location: string | undefined): ParsedFeed {
  const doc = parseJsonDocument(text, 'aws', location);
  if (!isObject(doc) || !Array.isArray(doc.prefixes)) {
    throw new TrailbookError('INTEL', 'AWS ip-ranges feed has no "prefixes" array', location ? { location } : {});
  }
  const tally = new Tally();
  const starts = lineStartsOf(text);
  // records are located in order: each prefix text is searched after the previous one
  let cursor = 0;
  const locate = (needle: string): number => {
    const at = text.indexOf(needle, cursor);
    if (at < 0) return 0;
    cursor = at + 1;
    return countLine(starts, at);
  };
  const lists: Array<[unknown, string]> = [
    [doc.prefixes, 'ip_prefix'],
    [Array.isArray(doc.ipv6_prefixes) ? doc.ipv6_prefixes : [], 'ipv6_prefix'],
  ];
  for (const [list, key] of lists) {
    for (const record of list as unknown[]) {
      tally.records++;
      if (!isObject(record) || typeof record[key] !== 'string') {
        tally.fail(0, JSON.stringify(record) ?? '', `no "${key}" string`);
        continue;
      }
      const value = record[key] as string;
      const line = locate(`"${value}"`);
      const prefix = tally.prefix(value, line, value);
      if (!prefix) continue;
      tally.accepted++;
      const service = typeof record.service === 'string' ? record.service : '?';
      const region = typeof record.region === 'string' ? record.region : '?';
      const border = typeof record.network_border_group === 'string' && record.network_border_group !== region ? ` (${record.network_border_group})` : '';
      tally.entries.push({ prefix, line, detail: `${service} ${region}${border}` });
    }
  }
  let date: string | undefined;
  if (typeof doc.createDate === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(doc.createDate);
    if (m) date = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
  }
  if (typeof doc.syncToken === 'string') tally.notes.push(`syncToken ${doc.syncToken}`);
  return finishJson(tally, 'aws', date);
}

function countLine(starts: number[], at: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { constants as bufferConstants, isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_LIMITS, formatBytes, type IngestLimits } from '../limits.js';
import { parseEventTime } from '../../store/event-time.js';

/**
 * Turns the bytes of one file into CloudTrail records, or says why it cannot. Incremental: bytes
 * are pushed as they are read (`CloudTrailDecoder`), records come out one by one, and nothing
 * larger than one record is ever held. Accepted shapes — all seen in the wild:
 *   - `{"Records": [...]}` (S3 delivery),
 *   - a bare JSON array of events (CLI/Lake exports, the Stratus detonation logs),
 *   - one event per line (CloudTrail Lake and CloudWatch Logs exports; a CloudWatch line may start
 *     with its ingestion timestamp before the JSON),
 *   - EventBridge envelopes (`{"detail-type": "AWS API Call via CloudTrail", "detail": {...}}`),
 *   - a single event object.
 *
 * A small structural scanner (strings, escapes and nesting aware) finds where each record starts
 * and ends, and measures its size and nesting depth before `JSON.parse` sees it: a record past
 * `maxRecordBytes` or `maxDepth` is skipped with its reason, unparsed (docs/limits.md).
 */
export type FileSkipCode =
  | 'digest-file'
  | 'truncated-gzip'
  | 'corrupt-gzip'
  | 'empty-file'
  | 'binary-file'
  | 'invalid-json'
  | 'not-cloudtrail'
  | 'too-large'
  | 'unreadable'
  | 'not-a-regular-file'
  | 'symlink-loop'
  | 'read-failed';

export interface FileSkip {
  code: FileSkipCode;
  reason: string;
}

export type RecordSkipCode =
  | 'not-an-object'
  | 'missing-event-time'
  | 'invalid-event-time'
  | 'invalid-json-line'
  | 'invalid-json'
  | 'not-cloudtrail'
  | 'record-too-large'
  | 'too-deep'
  | 'trailing-garbage'
  | 'record-error';

export interface RecordSkip {
  code: RecordSkipCode;
  reason: string;
  /** 1-based line for line-oriented files, or 0-based index in the Records array. */
  at: string;
}

export interface DecodedFile {
  records: Record<string, unknown>[];
  recordSkips: RecordSkip[];
  /** Bytes after decompression (for throughput figures). */
  uncompressedBytes: number;
}

export type DecodeResult = { ok: true; file: DecodedFile } | { ok: false; skip: FileSkip; uncompressedBytes: number };

export type DecodeLimits = Pick<IngestLimits, 'maxRecordBytes' | 'maxDepth'>;

export interface DecoderOptions {
  /** Note whether every record's bytes are valid UTF-8 (the bulk load's shape test, `recordsDocument`). */
  checkUtf8?: boolean;
  /**
   * Looks at each record's text before it is parsed, once one record of the file has been read as
   * an event: false leaves it unparsed and unchecked, counted as found and accepted (`passedOver`).
   * For a reader that wants only some records and no exact counts (the answer-first scan,
   * name-filter.ts); the ingest into a store never sets it.
   */
  keep?: (text: string) => boolean;
}

/** What a whole file decoded to, after `CloudTrailDecoder.end`: the records went to the callback. */
export type DecodeEnd = { ok: true; accepted: number; recordSkips: RecordSkip[] } | { ok: false; skip: FileSkip };

/** One buffer in memory → records (tests, the fuzz test). Gzip is inflated up to `maxFileBytes`. */
export function decodeCloudTrailFile(raw: Buffer, limits: Partial<IngestLimits> = {}): DecodeResult {
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: Math.min(maxFileBytes + 1, bufferConstants.MAX_LENGTH) });
    } catch (error) {
      const message = (error as Error).message;
      const code = (error as NodeJS.ErrnoException).code;
      const skip: FileSkip =
        code === 'ERR_BUFFER_TOO_LARGE'
          ? { code: 'too-large', reason: `decompressed size over limit ${formatBytes(maxFileBytes)} (--max-file-bytes)` }
          : /unexpected end/i.test(message) || code === 'Z_BUF_ERROR'
            ? { code: 'truncated-gzip', reason: 'gzip stream ends early (truncated file, an interrupted download?)' }
            : { code: 'corrupt-gzip', reason: `gzip data is corrupt: ${message}` };
      return { ok: false, skip, uncompressedBytes: 0 };
    }
  }
  if (bytes.length > maxFileBytes) {
    return {
      ok: false,
      skip: { code: 'too-large', reason: `decompressed size over limit ${formatBytes(maxFileBytes)} (--max-file-bytes)` },
      uncompressedBytes: bytes.length,
    };
  }
  return decodeCloudTrailBytes(bytes, limits);
}

/** `decodeCloudTrailFile` after decompression. */
export function decodeCloudTrailBytes(bytes: Buffer, limits: Partial<DecodeLimits> = {}): DecodeResult {
  const records: Record<string, unknown>[] = [];
  const decoder = new CloudTrailDecoder({ ...DEFAULT_LIMITS, ...limits }, (event) => records.push(event));
  decoder.push(bytes);
  const end = decoder.end();
  if (!end.ok) return { ok: false, skip: end.skip, uncompressedBytes: bytes.length };
  return { ok: true, file: { records, recordSkips: end.recordSkips, uncompressedBytes: bytes.length } };
}

/** Bytes looked at before deciding the shape of a file (and whether it is text at all). */
const HEAD_BYTES = 1024;
const CLOUDWATCH_PREFIX = /^\d{4}-\d{2}-\d{2}T\S+\s+\{/;

type Mode = 'head' | 'document' | 'lines' | 'after' | 'ignore';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * The incremental decoder: `push` the file's bytes in order, then `end`. Accepted events go to
 * `onEvent` as soon as their record is complete; skips are kept (with where they were).
 *
 * A JSON document (`[` or `{` first) is scanned structurally: the records are the elements of the
 * top array, or of `Records` in the top object; a top object without `Records` is held (up to the
 * record limits) as one candidate record. Whatever follows the first document is read line by
 * line: one event per line (the first line was the document).
 */
export class CloudTrailDecoder {
  private mode: Mode = 'head';
  /** `Records` arrays found in the top object (a repeated key would be read twice). */
  private recordsArrays = 0;
  private bom = false;
  /** Every record's bytes were valid UTF-8 (checked only with `checkUtf8`: the bulk load's shape test). */
  private utf8 = true;
  private head: Buffer[] = [];
  private headBytes = 0;
  private total = 0;
  private newlines = 0;
  private failure: FileSkip | null = null;
  private accepted = 0;
  private found = 0;
  readonly recordSkips: RecordSkip[] = [];

  // Structure of the document.
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth at which records are elements (1: bare array, 2: `Records`), or -1 outside such an array. */
  private recordDepth = -1;
  private recordsLabel = 'record';
  private index = 0;
  private topIsObject = false;
  private sawRecords = false;
  // The key state of the top object (to find `Records`).
  private keyState: 'key' | 'in-key' | 'colon' | 'value' | 'other' = 'other';
  private key = '';
  // The element being captured (a record, the whole top object, or a line).
  private capturing = false;
  private scalar = false;
  private parts: Buffer[] = [];
  private partStart = 0;
  private size = 0;
  private deepest = 0;
  private base = 0;
  private pendingDocument: { text: string | null; skip: RecordSkip | null } | null = null;
  private lineNumber = 0;
  private newlinesBeforeDocument = 0;

  /** Records `keep` turned down unparsed (counted as found and accepted: see `DecoderOptions.keep`). */
  passedOver = 0;
  private readonly checkUtf8: boolean;
  private readonly keep: ((text: string) => boolean) | null;

  /**
   * `onEvent` gets each accepted event and, for the elements of `Records` or of a top array, the
   * record's text as written (the bulk load compares it with what JSON.stringify writes).
   */
  constructor(
    private readonly limits: DecodeLimits,
    private readonly onEvent: (event: Record<string, unknown>, text: string | null) => void,
    options: DecoderOptions = {},
  ) {
    this.checkUtf8 = options.checkUtf8 ?? false;
    this.keep = options.keep ?? null;
  }

  /**
   * The file is one `{"Records":[...]}` document with nothing after it, no byte-order mark, one
   * `Records` array and (with `checkUtf8`) valid UTF-8 records: the shape DuckDB's `read_json`
   * reads as the decoder does (bulk-load.ts). Meaningful after `end`.
   */
  get recordsDocument(): boolean {
    return this.mode === 'after' && this.topIsObject && this.recordsArrays === 1 && this.pendingDocument === null && !this.bom && this.utf8;
  }

  /** Bytes decoded so far. */
  get bytes(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.mode === 'ignore') return;
    if (this.mode === 'head') {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes < HEAD_BYTES) return;
      this.decideShape();
      return;
    }
    this.scan(chunk);
  }

  /** Records that came out of the scanner: accepted + skipped. */
  get recordsFound(): number {
    return this.found;
  }

  end(): DecodeEnd {
    if (this.mode === 'head') this.decideShape();
    if (this.failure) return { ok: false, skip: this.failure };
    if (this.mode === 'document') {
      const lines = this.asLines();
      if (lines) return lines;
      this.endDocument();
    } else if (this.mode === 'lines') this.endLine();
    else if (this.mode === 'after' && this.pendingDocument) return this.singleDocument();
    if (this.failure) return { ok: false, skip: this.failure };
    const skips = this.recordSkips;
    if (this.accepted === 0 && skips.length > 0) {
      if (skips.every((s) => s.code === 'invalid-json-line' || s.code === 'invalid-json')) {
        const first = skips[0]!;
        return { ok: false, skip: { code: 'invalid-json', reason: `invalid JSON: no record could be read (${first.at}: ${first.reason})` } };
      }
      if (skips.every((s) => s.code === 'not-cloudtrail' || s.code === 'not-an-object')) {
        return { ok: false, skip: { code: 'not-cloudtrail', reason: `JSON, but none of its ${skips.length} records is a CloudTrail event` } };
      }
    }
    return { ok: true, accepted: this.accepted, recordSkips: skips };
  }

  private fail(skip: FileSkip): void {
    this.failure = skip;
    this.mode = 'ignore';
  }

  private decideShape(): void {
    const bytes = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    this.head = [];
    let start = 0;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      start = 3; // UTF-8 BOM
      this.bom = true;
    }
    while (start < bytes.length && isJsonSpace(bytes[start]!)) start++;
    if (start >= bytes.length) {
      // Only whitespace so far: decide on what comes next, or say the file is empty.
      if (bytes.length >= HEAD_BYTES) {
        this.head = [];
        this.headBytes = 0;
        return;
      }
      return this.fail({ code: 'empty-file', reason: 'the file is empty' });
    }
    if (looksBinary(bytes, start)) return this.fail({ code: 'binary-file', reason: 'binary content, not JSON text' });
    const first = bytes[start];
    const rest = bytes.subarray(start);
    for (let k = 0; k < start; k++) if (bytes[k] === NEWLINE) this.newlines++;
    this.newlinesBeforeDocument = this.newlines;
    if (first === 0x5b /* [ */ || first === 0x7b /* { */) {
      this.mode = 'document';
      this.topIsObject = first === 0x7b;
      this.scan(rest);
      return;
    }
    if (CLOUDWATCH_PREFIX.test(rest.toString('latin1', 0, Math.min(rest.length, 200)))) {
      this.mode = 'lines';
      this.startLine(0);
      this.scan(rest);
      return;
    }
    this.fail({ code: 'not-cloudtrail', reason: 'not JSON: CloudTrail files are JSON documents or JSON lines' });
  }

  /** The structural scan of one chunk (the hot loop: one pass, no allocation per byte). */
  private scan(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    this.partStart = 0;
    while (i < n && this.mode !== 'ignore') {
      if (this.mode === 'lines') {
        i = this.scanLines(buf, i);
        continue;
      }
      if (this.mode === 'after') {
        const c = buf[i]!;
        if (c === NEWLINE) this.newlines++;
        if (isJsonSpace(c)) {
          i++;
          continue;
        }
        // More after the first document: one record per line from here.
        this.mode = 'lines';
        this.startLine(i);
        continue;
      }
      const c = buf[i]!;
      if (this.inString) {
        // Run to the closing quote (a raw newline in a string is invalid JSON: not counted as a line).
        // Native indexOf finds each quote; a quote after an odd run of backslashes is escaped.
        let j = i;
        let escaped = this.escaped;
        if (escaped && j < n) {
          escaped = false; // this chunk's first byte was escaped by the last one's backslash
          j++;
        }
        for (;;) {
          const q = buf.indexOf(QUOTE, j);
          const stop = q < 0 ? n : q;
          let k = stop;
          while (k > j && buf[k - 1] === BACKSLASH) k--;
          const odd = (stop - k) % 2 === 1;
          if (q < 0) {
            escaped = odd;
            j = n;
            break;
          }
          if (!odd) {
            j = q;
            break;
          }
          j = q + 1;
        }
        this.escaped = escaped;
        if (this.keyState === 'in-key' && this.key.length < 16) this.key += buf.toString('latin1', i, Math.min(j, i + 16));
        if (j >= n) {
          i = n;
          break;
        }
        this.inString = false;
        if (this.keyState === 'in-key') this.keyState = 'colon';
        i = j + 1;
        if (this.capturing && this.scalar && this.depth === this.recordDepth) this.finishElement(buf, i);
        continue;
      }
      if (this.capturing && this.scalar && this.depth === this.recordDepth) {
        // A bare scalar element ends at a delimiter.
        if (c === 0x2c || c === 0x5d || isJsonSpace(c)) {
          this.finishElement(buf, i);
          continue;
        }
        i++;
        continue;
      }
      if (c === NEWLINE) this.newlines++;
      if (isJsonSpace(c)) {
        i++;
        continue;
      }
      if (this.depth === this.recordDepth && !this.capturing && c !== 0x2c && c !== 0x5d) {
        this.startElement(i, c);
      }
      if (this.topIsObject && this.depth === 1) this.topObjectByte(c);
      switch (c) {
        case QUOTE:
          this.inString = true;
          this.escaped = false;
          break;
        case 0x7b:
        case 0x5b:
          if (this.depth === 0 && !this.capturing) {
            if (this.topIsObject) this.startCapture(i, 0);
            else {
              this.recordDepth = 1;
              this.recordsLabel = 'record';
            }
          }
          this.depth++;
          if (this.capturing && this.depth - this.base > this.deepest) this.deepest = this.depth - this.base;
          if (this.topIsObject && this.depth === 1) this.keyState = 'key';
          break;
        case 0x7d:
        case 0x5d:
          if (this.depth === 0) {
            this.recordSkipped('invalid-json', `unbalanced "${String.fromCharCode(c)}"`, 'end');
            this.mode = 'after';
            i++;
            continue;
          }
          if (this.depth === this.recordDepth && c === 0x5d) this.recordDepth = -1; // the records array closed
          this.depth--;
          if (this.capturing && this.depth === this.base && this.base === this.recordDepth) {
            this.finishElement(buf, i + 1);
            i++;
            continue;
          }
          if (this.depth === 0) {
            if (this.capturing) this.finishTopDocument(buf, i + 1);
            this.mode = 'after';
            i++;
            continue;
          }
          break;
        default:
          break;
      }
      i++;
    }
    if (this.capturing && this.mode !== 'ignore') this.keepPart(buf, n);
  }

  /** The top object's own keys: the array under `Records` holds the records. */
  private topObjectByte(c: number): void {
    switch (this.keyState) {
      case 'key':
        if (c === QUOTE) {
          this.keyState = 'in-key';
          this.key = '';
        } else this.keyState = 'other';
        break;
      case 'colon':
        this.keyState = c === 0x3a ? 'value' : 'other';
        break;
      case 'value':
        if (c === 0x5b && this.key === 'Records') {
          this.recordDepth = 2;
          this.recordsLabel = 'Records';
          this.sawRecords = true;
          this.recordsArrays++;
          this.dropCapture(); // the records are read one by one, the document is not held
        }
        this.keyState = 'other';
        break;
      case 'other':
        if (c === 0x2c) this.keyState = 'key';
        break;
      default:
        break;
    }
  }

  private startCapture(at: number, base: number): void {
    this.capturing = true;
    this.parts = [];
    this.partStart = at;
    this.size = 0;
    this.deepest = 0;
    this.base = base;
  }

  /** A record starts at `at` with byte `c`; a string, number or literal ends at its delimiter. */
  private startElement(at: number, c: number): void {
    this.startCapture(at, this.recordDepth);
    this.scalar = c !== 0x7b && c !== 0x5b;
  }

  /** Keeps the captured bytes of this chunk (unless the capture is already over a limit). */
  private keepPart(buf: Buffer, end: number): void {
    const length = end - this.partStart;
    this.size += length;
    if (this.size <= this.limits.maxRecordBytes && this.deepest <= this.limits.maxDepth) this.parts.push(buf.subarray(this.partStart, end));
    else this.parts = [];
    this.partStart = 0;
  }

  private takeCapture(buf: Buffer, end: number): { text: string | null; skip: { code: RecordSkipCode; reason: string } | null } {
    this.keepPart(buf, end);
    this.partStart = end;
    this.capturing = false;
    this.scalar = false;
    const parts = this.parts;
    this.parts = [];
    if (this.size > this.limits.maxRecordBytes) {
      return {
        text: null,
        skip: {
          code: 'record-too-large',
          reason: `record of ${this.size} bytes is over limit ${formatBytes(this.limits.maxRecordBytes)} (--max-record-bytes)`,
        },
      };
    }
    if (this.deepest > this.limits.maxDepth) {
      return { text: null, skip: { code: 'too-deep', reason: `record nested deeper than ${this.limits.maxDepth} levels (--max-depth)` } };
    }
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (this.checkUtf8 && this.utf8 && !isUtf8(bytes)) this.utf8 = false;
    return { text: bytes.toString('utf8'), skip: null };
  }

  private dropCapture(): void {
    this.capturing = false;
    this.parts = [];
  }

  private finishElement(buf: Buffer, end: number): void {
    const at = this.recordsLabel === 'Records' ? `Records[${this.index}]` : `record ${this.index}`;
    this.index++;
    const { text, skip } = this.takeCapture(buf, end);
    if (skip) return this.recordSkipped(skip.code, skip.reason, at);
    this.parseAndAccept(text!, at, 'invalid-json', true);
  }

  private finishTopDocument(buf: Buffer, end: number): void {
    const { text, skip } = this.takeCapture(buf, end);
    this.pendingDocument = { text, skip: skip ? { ...skip, at: 'document' } : null };
  }

  /** The file was one JSON object without `Records`: an event, an envelope, a digest, or something else. */
  private singleDocument(): DecodeEnd {
    const pending = this.pendingDocument!;
    this.pendingDocument = null;
    if (pending.skip) {
      this.recordSkipped(pending.skip.code as RecordSkipCode, pending.skip.reason, pending.skip.at);
      return { ok: true, accepted: 0, recordSkips: this.recordSkips };
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(pending.text!) as Record<string, unknown>;
    } catch (error) {
      return { ok: false, skip: { code: 'invalid-json', reason: `invalid JSON: ${(error as Error).message}` } };
    }
    if (Array.isArray(doc['Records'])) return { ok: true, accepted: 0, recordSkips: [] };
    if ('digestStartTime' in doc || 'digestPublicKeyFingerprint' in doc) {
      return { ok: false, skip: { code: 'digest-file', reason: 'CloudTrail digest file (integrity hashes, no events)' } };
    }
    if (!isEventLike(doc) && !isEnvelope(doc))
      return { ok: false, skip: { code: 'not-cloudtrail', reason: 'JSON without "Records", events or an EventBridge "detail"' } };
    this.accept(doc, 'document');
    return { ok: true, accepted: this.accepted, recordSkips: this.recordSkips };
  }

  /**
   * A top object that never closed, without `Records`: when it was held whole (within the record
   * limits), it may be JSON lines whose first line is broken; read line by line, the lines after
   * it are kept (as they were when files were parsed whole). Null when that reads no event.
   */
  private asLines(): DecodeEnd | null {
    if (!this.topIsObject || this.sawRecords || !this.capturing || this.size > this.limits.maxRecordBytes || this.deepest > this.limits.maxDepth) return null;
    const text = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    if (text.indexOf(NEWLINE) < 0) return null;
    const events: Record<string, unknown>[] = [];
    const lines = new CloudTrailDecoder(this.limits, (event) => events.push(event), this.keep ? { keep: this.keep } : {});
    lines.mode = 'lines';
    lines.newlines = this.newlinesBeforeDocument;
    lines.scan(text);
    const end = lines.end();
    if (!end.ok || end.accepted === 0) return null;
    for (const event of events) this.onEvent(event, null);
    this.found = lines.found;
    this.accepted = lines.accepted;
    this.passedOver = lines.passedOver;
    return end;
  }

  private endDocument(): void {
    if (this.capturing && this.recordDepth > 0) {
      this.recordSkipped(
        'invalid-json',
        'the file ends inside this record',
        this.recordsLabel === 'Records' ? `Records[${this.index}]` : `record ${this.index}`,
      );
    } else {
      this.recordSkipped('invalid-json', 'the file ends before the JSON document is closed', 'end');
    }
  }

  // --- One record per line (after the first document, or CloudWatch exports) ---

  private startLine(at: number): void {
    if (this.pendingDocument) {
      // The first document was the first line's record.
      const pending = this.pendingDocument;
      this.pendingDocument = null;
      if (pending.skip) this.recordSkipped(pending.skip.code, pending.skip.reason, 'line 1');
      else this.parseLine(pending.text!, 'line 1');
    }
    this.lineNumber = this.newlines + 1;
    this.startCapture(at, 0);
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /** Scans to the end of the current line (or chunk); returns where it stopped. */
  private scanLines(buf: Buffer, from: number): number {
    const n = buf.length;
    let i = from;
    if (!this.capturing) this.startLine(i);
    else this.partStart = i;
    // Depth is measured only while it matters; the line ends at the newline either way.
    while (i < n) {
      const c = buf[i]!;
      if (c === NEWLINE) break;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        this.depth++;
        if (this.depth > this.deepest) this.deepest = this.depth;
      } else if (c === 0x7d || c === 0x5d) this.depth--;
      i++;
    }
    if (i >= n) return n; // the line goes on in the next chunk (scan keeps this part)
    this.newlines++;
    this.endLine(buf, i);
    return i + 1;
  }

  private endLine(buf?: Buffer, end?: number): void {
    if (!this.capturing) return;
    const { text, skip } = buf ? this.takeCapture(buf, end!) : this.takeCapture(Buffer.alloc(0), 0);
    const at = `line ${this.lineNumber}`;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    if (skip) return this.recordSkipped(skip.code, skip.reason, at);
    this.parseLine(text!, at);
  }

  private parseLine(raw: string, at: string): void {
    let line = raw.trim();
    if (line === '') return;
    const stamped = /^\d{4}-\d{2}-\d{2}T\S+\s+(\{[\s\S]*)$/.exec(line);
    if (stamped) line = stamped[1]!;
    this.parseAndAccept(line, at, 'invalid-json-line');
  }

  private parseAndAccept(text: string, at: string, code: 'invalid-json' | 'invalid-json-line', element = false): void {
    // Only once a record has been read as an event: whether a file holds any event decides whether
    // it is CloudTrail at all (`end`), so records are parsed until one is.
    if (this.keep !== null && this.accepted > this.passedOver && !this.keep(text)) {
      this.found++;
      this.accepted++;
      this.passedOver++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return this.recordSkipped(code, `invalid JSON: ${(error as Error).message}`, at);
    }
    this.accept(value, at, element ? text : null);
  }

  private recordSkipped(code: RecordSkipCode, reason: string, at: string): void {
    this.found++;
    this.recordSkips.push({ code, reason, at });
  }

  private accept(value: unknown, at: string, text: string | null = null): void {
    const skip = recordSkipOf(value);
    if (skip) return this.recordSkipped(skip.code, skip.reason, at);
    this.found++;
    this.accepted++;
    const event = value as Record<string, unknown>;
    // An envelope's text is not its event's: no text, so the bulk load leaves the file to the rows.
    if (isEnvelope(event)) this.onEvent(event['detail'] as Record<string, unknown>, null);
    else this.onEvent(event, text);
  }
}

/** Why a parsed record is not a usable CloudTrail event, or null when it is. */
function recordSkipOf(value: unknown): { code: RecordSkipCode; reason: string } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { code: 'not-an-object', reason: 'a record must be a JSON object' };
  let event = value as Record<string, unknown>;
  if (isEnvelope(event)) event = event['detail'] as Record<string, unknown>;
  if (!isEventLike(event)) return { code: 'not-cloudtrail', reason: 'no eventVersion, eventID or eventTime: not a CloudTrail event' };
  const time = event['eventTime'];
  if (time === undefined || time === null || time === '') return { code: 'missing-event-time', reason: 'no eventTime' };
  const parsed = parseEventTime(time);
  if (!parsed.ok) return { code: 'invalid-event-time', reason: parsed.reason };
  return null;
}

/** Every CloudTrail record has eventVersion, eventID or eventTime; an object with none is something else. */
function isEventLike(object: Record<string, unknown>): boolean {
  return 'eventVersion' in object || 'eventID' in object || 'eventTime' in object;
}

function isEnvelope(object: Record<string, unknown>): boolean {
  const detail = object['detail'];
  return detail !== null && typeof detail === 'object' && !Array.isArray(detail) && ('detail-type' in object || 'source' in object);
}

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** NUL bytes or many control bytes in the first KiB: not text. */
function looksBinary(bytes: Buffer, start: number): boolean {
  const end = Math.min(bytes.length, start + 1024);
  let control = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control > (end - start) / 10;
}

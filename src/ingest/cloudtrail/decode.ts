import { gunzipSync } from 'node:zlib';
import { parseEventTime } from './event-time.js';

/**
 * Turns the bytes of one file into CloudTrail records, or says why it cannot. Pure apart from
 * decompression. Accepted shapes — all seen in the wild:
 *   - `{"Records": [...]}` (S3 delivery),
 *   - a bare JSON array of events (CLI/Lake exports, the Stratus detonation logs),
 *   - one event per line (CloudTrail Lake and CloudWatch Logs exports; a CloudWatch line may start
 *     with its ingestion timestamp before the JSON),
 *   - EventBridge envelopes (`{"detail-type": "AWS API Call via CloudTrail", "detail": {...}}`),
 *   - a single event object.
 */
export type FileSkipCode =
  | 'digest-file'
  | 'truncated-gzip'
  | 'corrupt-gzip'
  | 'empty-file'
  | 'binary-file'
  | 'invalid-json'
  | 'not-cloudtrail'
  | 'too-large';

export interface FileSkip {
  code: FileSkipCode;
  reason: string;
}

export type RecordSkipCode = 'not-an-object' | 'missing-event-time' | 'invalid-event-time' | 'invalid-json-line' | 'not-cloudtrail';

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

/** V8 cannot hold a string longer than this; larger files are reported, not crashed on. */
const MAX_TEXT_LENGTH = (1 << 29) - 24;

export function decodeCloudTrailFile(raw: Buffer): DecodeResult {
  const unzipped = gunzipIfNeeded(raw);
  return unzipped.ok ? decodeCloudTrailBytes(unzipped.bytes) : unzipped;
}

export type GunzipResult = { ok: true; bytes: Buffer } | { ok: false; skip: FileSkip; uncompressedBytes: number };

/** The bytes of a file, decompressed when they start with the gzip magic; a typed reason when that fails. */
export function gunzipIfNeeded(raw: Buffer): GunzipResult {
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return { ok: true, bytes: raw };
  try {
    return { ok: true, bytes: gunzipSync(raw) };
  } catch (error) {
    const message = (error as Error).message;
    const truncated = /unexpected end/i.test(message) || (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR';
    return {
      ok: false,
      skip: truncated
        ? { code: 'truncated-gzip', reason: 'gzip stream ends early (truncated file, an interrupted download?)' }
        : { code: 'corrupt-gzip', reason: `gzip data is corrupt: ${message}` },
      uncompressedBytes: 0,
    };
  }
}

/** `decodeCloudTrailFile` after decompression: text bytes → records or a skip reason. */
export function decodeCloudTrailBytes(bytes: Buffer): DecodeResult {
  const size = bytes.length;
  const fail = (skip: FileSkip): DecodeResult => ({ ok: false, skip, uncompressedBytes: size });
  if (size > MAX_TEXT_LENGTH) {
    return fail({ code: 'too-large', reason: `${size} bytes uncompressed: larger than one JavaScript string can hold; split the file` });
  }
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // UTF-8 BOM
  while (start < size && isJsonSpace(bytes[start]!)) start++;
  if (start >= size) return fail({ code: 'empty-file', reason: 'the file is empty' });
  if (looksBinary(bytes, start)) return fail({ code: 'binary-file', reason: 'binary content, not JSON text' });

  const text = bytes.toString('utf8', start);
  const first = text[0];
  if (first === '{' || first === '[') {
    let parsed: unknown;
    let parseError: Error | undefined;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      parseError = error as Error;
    }
    if (parseError === undefined) return fromDocument(parsed, size);
    // Not one document: maybe one event per line.
    if (first === '{' && hasSeveralLines(text)) return fromLines(text, size);
    return fail({ code: 'invalid-json', reason: `invalid JSON: ${parseError.message}` });
  }
  if (/^\d{4}-\d{2}-\d{2}T\S+\s+\{/.test(text)) return fromLines(text, size); // CloudWatch Logs export
  return fail({ code: 'not-cloudtrail', reason: 'not JSON: CloudTrail files are JSON documents or JSON lines' });
}

function fromDocument(doc: unknown, size: number): DecodeResult {
  const fail = (skip: FileSkip): DecodeResult => ({ ok: false, skip, uncompressedBytes: size });
  if (Array.isArray(doc)) return collect(doc, size, (i) => `record ${i}`);
  if (doc === null || typeof doc !== 'object') return fail({ code: 'not-cloudtrail', reason: 'a JSON scalar, not CloudTrail' });
  const object = doc as Record<string, unknown>;
  if (Array.isArray(object['Records'])) return collect(object['Records'] as unknown[], size, (i) => `Records[${i}]`);
  if ('digestStartTime' in object || 'digestPublicKeyFingerprint' in object) {
    return fail({ code: 'digest-file', reason: 'CloudTrail digest file (integrity hashes, no events)' });
  }
  if (isEventLike(object) || isEnvelope(object)) return collect([object], size, () => 'document');
  return fail({ code: 'not-cloudtrail', reason: 'JSON without "Records", events or an EventBridge "detail"' });
}

function fromLines(text: string, size: number): DecodeResult {
  const records: Record<string, unknown>[] = [];
  const recordSkips: RecordSkip[] = [];
  let lineNumber = 0;
  let position = 0;
  while (position < text.length) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    lineNumber++;
    let line = text.slice(position, end).trim();
    position = end + 1;
    if (line === '') continue;
    const stamped = /^\d{4}-\d{2}-\d{2}T\S+\s+(\{.*)$/.exec(line);
    if (stamped) line = stamped[1]!;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      recordSkips.push({ code: 'invalid-json-line', reason: `invalid JSON: ${(error as Error).message}`, at: `line ${lineNumber}` });
      continue;
    }
    accept(value, `line ${lineNumber}`, records, recordSkips);
  }
  if (records.length === 0 && recordSkips.every((s) => s.code === 'invalid-json-line')) {
    const first = recordSkips[0];
    return {
      ok: false,
      skip: { code: 'invalid-json', reason: `no line is valid JSON${first ? ` (${first.at}: ${first.reason})` : ''}` },
      uncompressedBytes: size,
    };
  }
  return { ok: true, file: { records, recordSkips, uncompressedBytes: size } };
}

function collect(items: unknown[], size: number, where: (index: number) => string): DecodeResult {
  const records: Record<string, unknown>[] = [];
  const recordSkips: RecordSkip[] = [];
  for (let i = 0; i < items.length; i++) accept(items[i], where(i), records, recordSkips);
  if (items.length > 0 && records.length === 0 && recordSkips.every((s) => s.code === 'not-cloudtrail' || s.code === 'not-an-object')) {
    return {
      ok: false,
      skip: { code: 'not-cloudtrail', reason: `JSON, but none of its ${items.length} records is a CloudTrail event` },
      uncompressedBytes: size,
    };
  }
  return { ok: true, file: { records, recordSkips, uncompressedBytes: size } };
}

function accept(value: unknown, at: string, records: Record<string, unknown>[], skips: RecordSkip[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    skips.push({ code: 'not-an-object', reason: 'a record must be a JSON object', at });
    return;
  }
  let event = value as Record<string, unknown>;
  if (isEnvelope(event)) event = event['detail'] as Record<string, unknown>;
  if (!isEventLike(event)) {
    skips.push({ code: 'not-cloudtrail', reason: 'no eventVersion, eventID or eventTime: not a CloudTrail event', at });
    return;
  }
  const time = event['eventTime'];
  if (time === undefined || time === null || time === '') {
    skips.push({ code: 'missing-event-time', reason: 'no eventTime', at });
    return;
  }
  const parsed = parseEventTime(time);
  if (!parsed.ok) {
    skips.push({ code: 'invalid-event-time', reason: parsed.reason, at });
    return;
  }
  records.push(event);
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

function hasSeveralLines(text: string): boolean {
  const firstBreak = text.indexOf('\n');
  return firstBreak !== -1 && text.slice(firstBreak + 1).trim().length > 0;
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

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The exact bytes a record was delivered as, found again in its source file (pure but for the
 * file read). Evidence must be what AWS wrote, not a re-serialisation: a record is located by
 * its byte range in the file's (decompressed) content and copied as it stands.
 */
export interface SourceFile {
  path: string;
  /** SHA-256 of the file as it is on disk (compressed bytes for .gz). */
  sha256: string;
  size: number;
  /** SHA-256 of the decompressed content (what CloudTrail's digest files hash). */
  contentSha256: string;
  compressed: boolean;
  content: Buffer;
}

export function readSourceFile(path: string): SourceFile {
  const raw = readFileSync(path);
  const compressed = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const content = compressed ? gunzipSync(raw) : raw;
  return { path, sha256: sha256(raw), size: raw.length, contentSha256: compressed ? sha256(content) : sha256(raw), compressed, content };
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A byte range [start, end) of a file's decompressed content. */
export interface ByteRange {
  start: number;
  end: number;
}

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  OPEN_BRACE = 0x7b,
  CLOSE_BRACE = 0x7d,
  OPEN_BRACKET = 0x5b,
  CLOSE_BRACKET = 0x5d,
  NEWLINE = 0x0a;

/**
 * The byte ranges of the JSON objects that are elements of the file's record array: the
 * `Records` array of `{"Records": [...]}`, a bare array, or one object per line (NDJSON). A
 * string- and escape-aware scan: an object's range runs from its `{` to its matching `}`.
 */
export function recordRanges(content: Buffer): ByteRange[] {
  const first = firstNonSpace(content, 0);
  if (first < 0) return [];
  if (content[first] === OPEN_BRACKET) return elementsOf(content, first);
  const records = findRecordsArray(content, first);
  if (records >= 0) return elementsOf(content, records);
  return lineObjects(content);
}

/** The eventID of every located record, with its range (records without one are left out). */
export function locateEvents(content: Buffer): Map<string, ByteRange> {
  const out = new Map<string, ByteRange>();
  for (const range of recordRanges(content)) {
    try {
      const id = (JSON.parse(content.subarray(range.start, range.end).toString('utf8')) as { eventID?: unknown }).eventID;
      if (typeof id === 'string' && !out.has(id)) out.set(id, range);
    } catch {
      // A range that is not a JSON object is not a record; ingest reported it when it read the file.
    }
  }
  return out;
}

/** The 1-based line `line` of the content, without its line ending, with its range. */
export function lineAt(content: Buffer, line: number): ByteRange | undefined {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = content.indexOf(NEWLINE, start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  if (start > content.length) return undefined;
  let end = content.indexOf(NEWLINE, start);
  if (end < 0) end = content.length;
  if (end > start && content[end - 1] === 0x0d) end--;
  return { start, end };
}

function firstNonSpace(content: Buffer, from: number): number {
  for (let i = from; i < content.length; i++) {
    const c = content[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

/** The `[` of the top-level "Records" array, or -1. */
function findRecordsArray(content: Buffer, objectStart: number): number {
  if (content[objectStart] !== OPEN_BRACE) return -1;
  let depth = 0;
  for (let i = objectStart; i < content.length; i++) {
    const c = content[i]!;
    if (c === QUOTE) {
      const end = stringEnd(content, i);
      if (depth === 1 && content.subarray(i + 1, end).toString('utf8') === 'Records') {
        const colon = firstNonSpace(content, end + 1);
        const value = colon >= 0 && content[colon] === 0x3a ? firstNonSpace(content, colon + 1) : -1;
        if (value >= 0 && content[value] === OPEN_BRACKET) return value;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return -1;
}

/** Index of the closing quote of the string whose opening quote is at `start`. */
function stringEnd(content: Buffer, start: number): number {
  for (let i = start + 1; i < content.length; i++) {
    const c = content[i]!;
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return content.length;
}

/** The object elements of the array whose `[` is at `arrayStart`. */
function elementsOf(content: Buffer, arrayStart: number): ByteRange[] {
  const out: ByteRange[] = [];
  let depth = 0;
  let start = -1;
  for (let i = arrayStart + 1; i < content.length; i++) {
    const c = content[i]!;
    if (c === QUOTE) i = stringEnd(content, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 0 && c === OPEN_BRACE) start = i;
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) break; // the array's own `]`
      depth--;
      if (depth === 0 && c === CLOSE_BRACE && start >= 0) {
        out.push({ start, end: i + 1 });
        start = -1;
      }
    }
  }
  return out;
}

function lineObjects(content: Buffer): ByteRange[] {
  const out: ByteRange[] = [];
  let start = 0;
  while (start < content.length) {
    let end = content.indexOf(NEWLINE, start);
    if (end < 0) end = content.length;
    const first = firstNonSpace(content.subarray(0, end), start);
    if (first >= 0 && content[first] === OPEN_BRACE) {
      let last = end;
      while (last > first && content[last - 1] !== CLOSE_BRACE) last--;
      if (last > first) out.push({ start: first, end: last });
    }
    start = end + 1;
  }
  return out;
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { detectFlowLog } from '../vpcflow/detect.js';
import { FlowCleanScanner, type CleanFlowFile } from '../vpcflow/fast.js';
import { flowFormatOf, type FlowFileFormat } from '../vpcflow/reader.js';
import { decodeCloudTrailBytes, gunzipIfNeeded, type FileSkipCode, type RecordSkip } from './decode.js';
import { parseEventTime } from './event-time.js';
import { eventKey, flattenEvent, isInsightsEvent } from './flatten.js';

/**
 * The per-file work of a CloudTrail ingest, run in a worker thread (or in-process for small
 * runs): read → sha256 → gunzip → flow-log sniffing → decode → filter → flatten → pack. Pure apart
 * from reading the one file. Everything it returns is plain data or transferable buffers, so it
 * crosses the thread boundary cheaply.
 *
 * Packed rows: the flat rows of `cloudtrail_events` as UTF-8 text, one row per record, rows
 * separated by RS (U+001E), fields by US (U+001F), a null field written as GS (U+001D):
 *   fileSeq US ordinal US key US epochMs US value_0 US ... US value_44
 * One buffer per file crosses the thread boundary instead of thousands of small strings; the
 * main thread splits it and hands the values to DuckDB's appender (ingest.ts `appendBatch`:
 * measured faster than letting DuckDB split the text in SQL, or reading it back as CSV or JSON).
 * A file whose values contain one of the three separator characters is packed as JSON arrays
 * instead (`json: true`); that is rare and correct, just slower.
 */
export interface FileJob {
  /** Position of the file in the run: orders rows for "the first copy wins". */
  seq: number;
  path: string;
  fromMs: number;
  toMs: number;
  accounts: readonly string[] | null;
  regions: readonly string[] | null;
  /** Sniff the first line for a flow log (files outside the flow-log S3 layout). */
  sniffFlowLog: boolean;
  /** The file is a flow log (by its path, or `--vpcflow`): validate it for the bulk load, do not decode. */
  flowLog?: boolean;
}

export interface InsightRow {
  key: string;
  timeMs: number;
  eventId: string | null;
  eventTime: string | null;
  eventSource: string | null;
  eventName: string | null;
  awsRegion: string | null;
  insightType: string | null;
  record: string;
}

interface Common {
  seq: number;
  sha256: string;
  compressedBytes: number;
}

export type FileOutcome =
  | (Common & {
      kind: 'flow';
      format: FlowFileFormat;
      /**
       * The validation pass of the flow-log bulk load (vpcflow/fast.ts): the file's counts when
       * DuckDB can load it, null when it must be parsed line by line (or cannot be decompressed:
       * the line parser reports why), undefined when not scanned here (a file too large to hold
       * decompressed in a worker is scanned as a stream by the caller).
       */
      clean: CleanFlowFile | null | undefined;
    })
  | (Common & { kind: 'skip'; uncompressedBytes: number; code: FileSkipCode; reason: string })
  | (Common & {
      kind: 'read';
      uncompressedBytes: number;
      /** Records found (accepted + skipped). */
      found: number;
      recordSkips: RecordSkip[];
      /** Records that decoded as events (= rows + insights + filtered). */
      accepted: number;
      filtered: number;
      insights: InsightRow[];
      /** Event rows packed (see above). */
      rows: number;
      packed: Uint8Array;
      json: boolean;
      /** One 53-bit hash per packed row's key, for the run's duplicate filter. */
      keyHashes: Float64Array;
    });

export const FIELD_SEP = '\u001f';
export const ROW_SEP = '\u001e';
export const NULL_MARK = '\u001d';
const SPECIAL = /[\u001d-\u001f]/;

/** Flow logs larger than this (compressed) are validated as a stream by the caller, not here. */
const MAX_FLOW_SCAN_BYTES = 64 * 1024 * 1024;

export function processFileJob(job: FileJob): FileOutcome {
  const raw = readFileSync(job.path);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const common: Common = { seq: job.seq, sha256, compressedBytes: raw.length };
  if (job.flowLog) return flowOutcome(common, raw, null);
  const unzipped = gunzipIfNeeded(raw);
  if (job.sniffFlowLog && unzipped.ok && looksLikeFlowLog(job.path, unzipped.bytes)) return flowOutcome(common, raw, unzipped.bytes);
  const decoded = unzipped.ok ? decodeCloudTrailBytes(unzipped.bytes) : unzipped;
  if (!decoded.ok) return { ...common, kind: 'skip', uncompressedBytes: decoded.uncompressedBytes, code: decoded.skip.code, reason: decoded.skip.reason };

  const { records, recordSkips } = decoded.file;
  const insights: InsightRow[] = [];
  const rows: string[] = [];
  const jsonRows: (string | number | null)[][] = [];
  const hashes: number[] = [];
  let filtered = 0;
  let special = false;
  for (const event of records) {
    const time = parseEventTime(event['eventTime']);
    const timeMs = time.ok ? time.ms : Number.NaN; // decode.ts kept only records whose time parses
    if (timeMs < job.fromMs || timeMs > job.toMs || !selected(event, job)) {
      filtered++;
      continue;
    }
    if (isInsightsEvent(event)) {
      insights.push(insightRow(event, timeMs, time.ok ? time.canonical : null));
      continue;
    }
    const flat = flattenEvent(event);
    hashes.push(hash53(flat.key));
    const ordinal = rows.length + jsonRows.length;
    if (!special) {
      let row = `${job.seq}${FIELD_SEP}${ordinal}${FIELD_SEP}${flat.key}${FIELD_SEP}${flat.timeMs}`;
      let clean = !SPECIAL.test(flat.key);
      for (const value of flat.values) {
        if (value === null) row += FIELD_SEP + NULL_MARK;
        else {
          if (clean && SPECIAL.test(value)) clean = false;
          row += FIELD_SEP + value;
        }
      }
      if (clean) {
        rows.push(row);
        continue;
      }
      // Switch the whole file to JSON: re-flatten the rows packed so far.
      special = true;
      for (const packed of rows.splice(0)) jsonRows.push(unpack(packed));
    }
    jsonRows.push([job.seq, ordinal, flat.key, flat.timeMs, ...flat.values]);
  }
  const packed = special ? Buffer.from(JSON.stringify(jsonRows)) : Buffer.from(rows.join(ROW_SEP));
  return {
    ...common,
    kind: 'read',
    uncompressedBytes: decoded.file.uncompressedBytes,
    found: records.length + recordSkips.length,
    recordSkips,
    accepted: records.length,
    filtered,
    insights,
    rows: rows.length + jsonRows.length,
    packed,
    json: special,
    keyHashes: Float64Array.from(hashes),
  };
}

function flowOutcome(common: Common, raw: Buffer, text: Buffer | null): FileOutcome {
  const format = flowFormatOf(raw);
  if (format === 'parquet') return { ...common, kind: 'flow', format, clean: null };
  if (raw.length > MAX_FLOW_SCAN_BYTES) return { ...common, kind: 'flow', format, clean: undefined };
  let bytes = text;
  if (bytes === null) {
    const unzipped = gunzipIfNeeded(raw);
    if (!unzipped.ok) return { ...common, kind: 'flow', format, clean: null };
    bytes = unzipped.bytes;
  }
  const scanner = new FlowCleanScanner();
  scanner.push(bytes);
  return { ...common, kind: 'flow', format, clean: scanner.end() };
}

function unpack(row: string): (string | number | null)[] {
  const fields: (string | number | null)[] = row.split(FIELD_SEP).map((v) => (v === NULL_MARK ? null : v));
  fields[0] = Number(fields[0]);
  fields[1] = Number(fields[1]);
  fields[3] = Number(fields[3]);
  return fields;
}

function selected(event: Record<string, unknown>, job: FileJob): boolean {
  if (job.accounts?.length) {
    const account = event['recipientAccountId'] ?? (event['userIdentity'] as Record<string, unknown> | undefined)?.['accountId'];
    if (typeof account === 'string' && !job.accounts.includes(account)) return false;
  }
  if (job.regions?.length) {
    const region = event['awsRegion'];
    if (typeof region === 'string' && !job.regions.includes(region)) return false;
  }
  return true;
}

function insightRow(event: Record<string, unknown>, timeMs: number, eventTime: string | null): InsightRow {
  const details = event['insightDetails'] as Record<string, unknown> | undefined;
  return {
    key: eventKey(event),
    timeMs,
    eventId: str(event['eventID']),
    eventTime, // canonical (event-time.ts); the record keeps the text as written
    eventSource: str(event['eventSource'] ?? details?.['eventSource']),
    eventName: str(event['eventName'] ?? details?.['eventName']),
    awsRegion: str(event['awsRegion']),
    insightType: str(details?.['insightType']),
    record: JSON.stringify(event),
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : value === undefined || value === null ? null : JSON.stringify(value);
}

/** A file outside the flow-log layout is a flow log when its first line is a flow-log header or record. */
export function looksLikeFlowLog(path: string, bytes: Buffer): boolean {
  const text = bytes.subarray(0, 4096).toString('utf8');
  let firstLine = text.split('\n', 1)[0] ?? '';
  if (firstLine.startsWith('{')) {
    // CloudWatch Logs exports wrap each flow record as {"message": "..."}.
    try {
      const message = (JSON.parse(firstLine) as { message?: unknown }).message;
      if (typeof message !== 'string') return false;
      firstLine = message;
    } catch {
      return false;
    }
  }
  return detectFlowLog(path, firstLine).isFlowLog;
}

/** cyrb53: a fast 53-bit string hash (exactly representable as a double). Never 0. */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
}

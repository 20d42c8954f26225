import { createHash } from 'node:crypto';
import { detectFlowLog } from '../vpcflow/detect.js';
import { FlowCleanScanner, type CleanFlowFile } from '../vpcflow/fast.js';
import { flowFormatOf, type FlowFileFormat } from '../vpcflow/reader.js';
import { FileStreamError, newStreamInfo, readDecompressed } from '../file-stream.js';
import type { IngestLimits } from '../limits.js';
import { CloudTrailDecoder, type FileSkipCode, type RecordSkip } from './decode.js';
import { eventKey, flattenEvent, isInsightsEvent } from './flatten.js';
import { hash53 } from './hash53.js';
import { BulkCheck, selectedFor } from './bulk-check.js';
import { isNamed, mayBeNamed } from './name-filter.js';
import type { ScannedFile } from './name-scan.js';
import { parseEventTime } from '../../store/event-time.js';
import type { ByteSource, S3ObjectRef } from '../../sources/s3.js';

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
  /** An S3 object: read through the `open` given to processFileJob (in-process), never from `path`. */
  s3?: S3ObjectRef;
  fromMs: number;
  toMs: number;
  accounts: readonly string[] | null;
  regions: readonly string[] | null;
  /** Sniff the first line for a flow log (files outside the flow-log S3 layout). */
  sniffFlowLog: boolean;
  /** The file is a flow log (by its path, or `--vpcflow`): validate it for the bulk load, do not decode. */
  flowLog?: boolean;
  limits: IngestLimits;
  /**
   * Test the file for DuckDB's bulk load (bulk-check.ts) instead of flattening it: a clean file
   * comes back as `clean`, anything else is read again as rows.
   */
  bulk?: boolean;
  /**
   * Keep only events with these names (the answer-first scan, IngestOptions.eventNames): records
   * are looked at before they are parsed (name-filter.ts), and the others counted as filtered.
   * Never with `bulk`.
   */
  eventNames?: readonly string[];
  /** With `eventNames`: note which interfaces have flow records on these ports (vpcflow/fast.ts `portInterfaces`). */
  flowPorts?: readonly number[];
}

/** Rows of one file packed for the merge (a whole file, or one part of a large one). */
export interface RowsPart {
  insights: InsightRow[];
  /** Event rows packed (see above). */
  rows: number;
  packed: Uint8Array;
  json: boolean;
  /** One 53-bit hash per packed row's key, for the run's duplicate filter. */
  keyHashes: Float64Array;
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
       * the line parser reports why).
       */
      clean: CleanFlowFile | null;
    })
  | (Common & { kind: 'skip'; uncompressedBytes: number; code: FileSkipCode; reason: string })
  | (Common &
      RowsPart & {
        kind: 'read';
        uncompressedBytes: number;
        /** Records found (accepted + skipped). */
        found: number;
        recordSkips: RecordSkip[];
        /** Records that decoded as events (= rows + insights + filtered, over all parts). */
        accepted: number;
        filtered: number;
      })
  /** Needs more than one part: read again by the caller with `onPart` (a worker does not hold it whole). */
  | { seq: number; kind: 'large' }
  /** Passed bulk-check.ts: DuckDB reads the file itself (bulk-load.ts); the counts are the row path's. */
  | (Common & {
      kind: 'clean';
      uncompressedBytes: number;
      compression: 'gzip' | 'uncompressed';
      found: number;
      accepted: number;
      filtered: number;
      /** Always empty: a file with a skipped record is read as rows. */
      recordSkips: RecordSkip[];
      /** Events to store (accepted - filtered). */
      rows: number;
      keyHashes: Float64Array;
    });

export const FIELD_SEP = '\u001f';
export const ROW_SEP = '\u001e';
export const NULL_MARK = '\u001d';
const SPECIAL = /[\u001d-\u001f]/;

/** Packed rows past this size are handed on as a part: a file of millions of events never sits whole in memory. */
const PART_BYTES = 8 * 1024 * 1024;
/**
 * Larger files go to the row path: DuckDB holds a `{"Records":[...]}` file whole while it reads
 * it (one JSON object; each reading thread's buffer is twice `maximum_object_size`, which is set
 * to this), the row path streams it. CloudTrail delivers files of a few hundred events (~1 MB).
 */
export const BULK_MAX_FILE_BYTES = 8 * 1024 * 1024;
/** DuckDB reads a path as a glob pattern: a path with these characters is read by the row path. */
const GLOB_CHARACTERS = /[*?[\]{}]/;
/** Decompressed bytes looked at before deciding whether a file outside the flow-log layout is a flow log. */
const SNIFF_BYTES = 4096;

/**
 * Reads one file as a stream (see file-stream.ts) and decodes it incrementally. Rows are packed in
 * parts of about PART_BYTES: with `onPart` each full part is handed over (awaited: the caller
 * merges it, so memory stays bounded whatever the file's size) and the outcome holds the last
 * one; without it (in a decode worker) a file that needs more than one part is given back as
 * `large`, for the caller to read in parts itself. A failure of one record skips that record; a
 * failure of the file (unreadable, broken gzip, over a limit) is the file's skip reason. An S3
 * object (`job.s3`) is read through `open` (sources/s3.ts), as it arrives.
 */
export async function processFileJob(job: FileJob, onPart?: (part: RowsPart) => Promise<void>, open?: (ref: S3ObjectRef) => ByteSource): Promise<FileOutcome> {
  const hash = createHash('sha256');
  const info = newStreamInfo();
  if (job.s3 && !open) throw new Error(`${job.path}: an S3 object needs an opener`);
  const stream = readDecompressed(job.s3 ? open!(job.s3) : job.path, { maxBytes: job.limits.maxFileBytes, onRaw: (chunk) => hash.update(chunk) }, info);
  const names = job.eventNames ? new Set(job.eventNames) : null;
  const packer = new RowPacker(job, names);
  const check = job.bulk && !names && !job.s3 && !GLOB_CHARACTERS.test(job.path) && job.path.startsWith('/') ? new BulkCheck(job) : null;
  const recordErrors: RecordSkip[] = [];
  const decoder = new CloudTrailDecoder(
    job.limits,
    (event, text) => {
      try {
        if (check) {
          const time = parseEventTime(event['eventTime']);
          if (!time.ok) throw new Error(time.reason); // decode.ts kept only records whose time parses
          check.add(event, text, time);
        } else packer.add(event);
      } catch (error) {
        // One record that cannot be flattened is that record's skip, not the file's.
        recordErrors.push({ code: 'record-error', reason: `could not be read: ${(error as Error).message}`, at: `record ${decoder.recordsFound - 1}` });
      }
    },
    { checkUtf8: check !== null, ...(names ? { keep: (text: string) => mayBeNamed(text, names) } : {}) },
  );
  let head: Buffer[] | null = job.sniffFlowLog && !job.flowLog ? [] : null;
  let headBytes = 0;
  let flow: FlowScan | null = job.flowLog ? new FlowScan(job.flowPorts) : null;
  let failure: FileStreamError | null = null;
  try {
    for await (const chunk of stream) {
      if (flow) {
        flow.push(chunk);
        continue;
      }
      if (head) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < SNIFF_BYTES) continue;
        const bytes = Buffer.concat(head);
        head = null;
        if (looksLikeFlowLog(job.path, bytes)) {
          flow = new FlowScan(job.flowPorts);
          flow.push(bytes);
          continue;
        }
        decoder.push(bytes);
      } else decoder.push(chunk);
      // Not for the bulk load after all: read again as rows (the stream is closed by the return).
      if (check && (check.blocker !== null || info.decompressedBytes > BULK_MAX_FILE_BYTES)) return processFileJob({ ...job, bulk: false }, onPart, open);
      if (packer.bytes >= PART_BYTES) {
        if (!onPart) return { seq: job.seq, kind: 'large' };
        await onPart(packer.take());
      }
    }
  } catch (error) {
    if (!(error instanceof FileStreamError)) throw error;
    failure = error;
  }
  if (head) {
    const bytes = Buffer.concat(head);
    if (failure === null && looksLikeFlowLog(job.path, bytes)) {
      flow = new FlowScan(job.flowPorts);
      flow.push(bytes);
    } else decoder.push(bytes);
  }
  const common: Common = { seq: job.seq, sha256: hash.digest('hex'), compressedBytes: info.compressedBytes };
  if (failure && (failure.code === 'unreadable' || failure.code === 'not-a-regular-file')) {
    // Nothing was read, whatever kind of log it is: no content hash to remember.
    return { ...common, sha256: '', kind: 'skip', uncompressedBytes: 0, code: failure.code, reason: failure.message };
  }
  if (flow) return { ...common, kind: 'flow', format: info.gzip ? 'gzip' : (flow.format ?? 'text'), clean: failure || info.trailing ? null : flow.end() };
  if (failure) return { ...common, kind: 'skip', uncompressedBytes: info.decompressedBytes, code: failure.code, reason: failure.message };
  const end = decoder.end();
  if (!end.ok) return { ...common, kind: 'skip', uncompressedBytes: info.decompressedBytes, code: end.skip.code, reason: end.skip.reason };
  const recordSkips = [...end.recordSkips, ...recordErrors];
  if (info.trailing) {
    recordSkips.push({
      code: 'trailing-garbage',
      reason: `${info.trailing.bytes} bytes after the last gzip member are not gzip data (not read; the members before them were)`,
      at: `byte ${info.trailing.offset}`,
    });
  }
  const accepted = end.accepted - recordErrors.length;
  if (check) {
    const clean = check.blocker === null && recordSkips.length === 0 && decoder.recordsDocument && info.decompressedBytes <= BULK_MAX_FILE_BYTES;
    if (!clean) return processFileJob({ ...job, bulk: false }, onPart, open);
    return {
      ...common,
      kind: 'clean',
      uncompressedBytes: info.decompressedBytes,
      compression: info.gzip ? 'gzip' : 'uncompressed',
      found: accepted,
      accepted,
      filtered: check.filtered,
      recordSkips: [],
      rows: check.rows,
      keyHashes: Float64Array.from(check.keyHashes),
    };
  }
  return {
    ...common,
    kind: 'read',
    uncompressedBytes: info.decompressedBytes,
    found: accepted + recordSkips.length,
    recordSkips,
    accepted,
    filtered: packer.filtered + decoder.passedOver,
    ...packer.take(),
  };
}

/**
 * A file the answer-first scan read (name-scan.ts): its kept records' text goes through the row
 * path's decoder (limits, parse, the checks of an event) and packer (filters, flatten), so each
 * becomes the row it would be had the file been decoded here. The file's bytes were not read in
 * this process: no content hash (`sha256` empty) and no uncompressed size; the records not kept
 * are counted as found, accepted and filtered, unchecked.
 */
export function scannedOutcome(job: FileJob, scanned: ScannedFile, compressedBytes: number): FileOutcome {
  const names = new Set(job.eventNames ?? []);
  const packer = new RowPacker(job, names);
  const recordErrors: RecordSkip[] = [];
  const decoder = new CloudTrailDecoder(job.limits, (event) => {
    try {
      packer.add(event);
    } catch (error) {
      recordErrors.push({ code: 'record-error', reason: `could not be read: ${(error as Error).message}`, at: `record ${decoder.recordsFound - 1}` });
    }
  });
  decoder.push(Buffer.from(`[${scanned.kept.join(',')}]`));
  const end = decoder.end();
  const recordSkips = end.ok ? [...end.recordSkips, ...recordErrors] : [];
  const notKept = scanned.records - scanned.kept.length;
  const accepted = (end.ok ? end.accepted : 0) - recordErrors.length + notKept;
  return {
    seq: job.seq,
    sha256: '',
    compressedBytes,
    kind: 'read',
    uncompressedBytes: 0,
    found: accepted + recordSkips.length,
    recordSkips,
    accepted,
    filtered: packer.filtered + notKept,
    ...packer.take(),
  };
}

/** The flow-log validation pass over a stream (the bulk load's clean check); Parquet is never clean text. */
class FlowScan {
  private readonly scanner: FlowCleanScanner;
  constructor(onPorts: readonly number[] | undefined) {
    this.scanner = new FlowCleanScanner({}, onPorts ? new Set(onPorts) : null);
  }
  format: FlowFileFormat | null = null;
  push(chunk: Buffer): void {
    if (this.format === null) this.format = flowFormatOf(chunk);
    if (this.format !== 'parquet') this.scanner.push(chunk);
  }
  end(): CleanFlowFile | null {
    return this.format === 'parquet' ? null : this.scanner.end();
  }
}

/** Accepted events → filtered, flattened and packed rows (see the header comment), one part at a time. */
class RowPacker {
  filtered = 0;
  private insights: InsightRow[] = [];
  private rows: string[] = [];
  private jsonRows: (string | number | null)[][] = [];
  private hashes: number[] = [];
  private special = false;
  private ordinal = 0;
  /** Packed bytes held (approximately: UTF-16 length of the rows). */
  bytes = 0;

  constructor(
    private readonly job: FileJob,
    private readonly names: ReadonlySet<string> | null,
  ) {}

  add(event: Record<string, unknown>): void {
    const job = this.job;
    const time = parseEventTime(event['eventTime']);
    const timeMs = time.ok ? time.ms : Number.NaN; // decode.ts kept only records whose time parses
    if (timeMs < job.fromMs || timeMs > job.toMs || !selectedFor(event, job) || (this.names !== null && !isNamed(event, this.names))) {
      this.filtered++;
      return;
    }
    if (isInsightsEvent(event)) {
      this.insights.push(insightRow(event, timeMs, time.ok ? time.canonical : null));
      return;
    }
    const flat = flattenEvent(event);
    const ordinal = this.ordinal++;
    if (!this.special) {
      // Joined, not concatenated: a row built with += is a rope of ~90 heap objects until flattened.
      const fields: (string | number)[] = [job.seq, ordinal, flat.key, flat.timeMs];
      let clean = !SPECIAL.test(flat.key);
      for (const value of flat.values) {
        if (value === null) fields.push(NULL_MARK);
        else {
          if (clean && SPECIAL.test(value)) clean = false;
          fields.push(value);
        }
      }
      const row = fields.join(FIELD_SEP);
      if (clean) {
        this.hashes.push(hash53(flat.key));
        this.rows.push(row);
        this.bytes += row.length;
        return;
      }
      // Switch the rest of the part to JSON: re-flatten the rows packed so far.
      this.special = true;
      for (const packed of this.rows.splice(0)) this.jsonRows.push(unpack(packed));
    }
    const values = [job.seq, ordinal, flat.key, flat.timeMs, ...flat.values];
    this.hashes.push(hash53(flat.key));
    this.jsonRows.push(values);
    for (const v of flat.values) this.bytes += v === null ? 4 : v.length + 3;
  }

  /** The rows packed so far, as one part; starts the next. */
  take(): RowsPart {
    const packed = this.special ? Buffer.from(JSON.stringify(this.jsonRows)) : Buffer.from(this.rows.join(ROW_SEP));
    const part: RowsPart = {
      insights: this.insights,
      rows: this.rows.length + this.jsonRows.length,
      packed,
      json: this.special,
      keyHashes: Float64Array.from(this.hashes),
    };
    this.insights = [];
    this.rows = [];
    this.jsonRows = [];
    this.hashes = [];
    this.special = false;
    this.bytes = 0;
    return part;
  }
}

function unpack(row: string): (string | number | null)[] {
  const fields: (string | number | null)[] = row.split(FIELD_SEP).map((v) => (v === NULL_MARK ? null : v));
  fields[0] = Number(fields[0]);
  fields[1] = Number(fields[1]);
  fields[3] = Number(fields[3]);
  return fields;
}

function insightRow(event: Record<string, unknown>, timeMs: number, eventTime: string | null): InsightRow {
  const details = event['insightDetails'] as Record<string, unknown> | undefined;
  return {
    key: eventKey(event),
    timeMs,
    eventId: str(event['eventID']),
    eventTime, // canonical (store/event-time.ts); the record keeps the text as written
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

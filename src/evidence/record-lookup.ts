import type { Engine } from '../engines/engine.js';
import { sourceRecords } from './bundle.js';
import { lineAt, readSourceFile, recordRanges, type ByteRange } from './source-records.js';

/**
 * One source record read again from its file, as the workspace shows it: the exact bytes AWS
 * delivered (text), and for CloudTrail the record parsed. Only files the store's ledger says it
 * read are opened: a path from a request is never read because it was asked for.
 */
export interface SourceRecordView {
  file: string;
  /** Flow logs: the 1-based line. CloudTrail: the record's 1-based position in the file. */
  line: number;
  kind: 'cloudtrail' | 'vpcflow';
  text: string;
  record?: unknown;
  sourceRef?: string;
}

/** Why a record cannot be shown: the file is not the store's, or the record is not (now) in it. */
export type RecordLookup = { found: true; view: SourceRecordView } | { found: false; reason: string };

/** The record at `line` of `file` (a flow log line, or the n-th CloudTrail record). */
export async function recordAt(engine: Engine, file: string, line: number): Promise<RecordLookup> {
  const { rows } = await engine.all("SELECT any_value(kind) AS kind FROM ingest_ledger WHERE path = $file AND outcome = 'read'", { file });
  const kind = rows[0]?.['kind'];
  if (kind !== 'cloudtrail' && kind !== 'vpcflow') return { found: false, reason: 'the store read no file by this path' };
  let content: Buffer;
  try {
    content = readSourceFile(file).content;
  } catch (error) {
    return { found: false, reason: `the source file cannot be read now: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const range = kind === 'vpcflow' ? lineAt(content, line) : recordRanges(content)[line - 1];
  if (!range) return { found: false, reason: kind === 'vpcflow' ? `the file has no line ${line}` : `the file has no record ${line}` };
  return { found: true, view: view(file, line, kind, content, range) };
}

/**
 * The record behind an evidence row's `source_ref` (an eventID, or a `flow:` connection key),
 * found as the evidence bundle finds it.
 */
export async function recordOf(engine: Engine, sourceRef: string): Promise<RecordLookup> {
  const port = sourceRef.startsWith('flow:') ? Number(sourceRef.split('|').at(-1)) : 0;
  const { entries } = await sourceRecords(engine, [sourceRef], port);
  const entry = entries[0];
  if (!entry) return { found: false, reason: 'no record in the store has this reference' };
  if (entry.missing || !entry.location) return { found: false, reason: entry.missing ?? 'the record was not found in its file' };
  const content = readSourceFile(entry.file).content;
  const location = entry.location;
  const line = 'line' in location ? location.line : recordRanges(content).findIndex((r) => r.start === location.byteStart) + 1;
  const range = 'line' in location ? lineAt(content, line)! : { start: location.byteStart, end: location.byteEnd };
  return { found: true, view: { ...view(entry.file, line, entry.kind, content, range), sourceRef } };
}

function view(file: string, line: number, kind: SourceRecordView['kind'], content: Buffer, range: ByteRange): SourceRecordView {
  const text = content.subarray(range.start, range.end).toString('utf8');
  if (kind === 'vpcflow') return { file, line, kind, text };
  try {
    return { file, line, kind, text, record: JSON.parse(text) };
  } catch {
    return { file, line, kind, text };
  }
}

import type { IngestSummary } from '../ingest/ingest.js';
import { sanitizeForTerminal } from './escape.js';
import { TrailbookError } from '../errors.js';

/**
 * The error when a run read nothing at all, or null: INPUT (exit 3) when every path found was
 * unreadable (permissions, not a regular file), NOTHING_READ (exit 4) when there was nothing to
 * read or every file was skipped for its content or pruned.
 */
export function nothingReadError(s: IngestSummary, message: string, hint?: string): TrailbookError | null {
  if (s.files.read + s.files.unchanged + s.files.duplicateContent > 0) return null;
  const unreadable = s.skippedFiles.length > 0 && s.skippedFiles.every((f) => f.code === 'unreadable' || f.code === 'not-a-regular-file');
  if (unreadable && s.files.skipped === s.files.seen) {
    return new TrailbookError('INPUT', `${message}: every path given is unreadable`, { hint: hint ?? 'see the reasons above (permissions?)' });
  }
  return new TrailbookError('NOTHING_READ', message, {
    hint: hint ?? (s.files.seen === 0 ? 'no files under the given paths' : 'every file was skipped or pruned: see the reasons above'),
  });
}

/** The human summary of an ingest run: every file and record accounted for. */
export function formatIngestSummary(s: IngestSummary, db: string): string {
  const seconds = s.durationMs / 1000;
  const mb = s.bytes.uncompressed / 1e6;
  const lines = [
    `files: ${s.files.seen} seen — ${s.files.read} read, ${s.files.unchanged} unchanged since last ingest, ` +
      `${s.files.duplicateContent} same content as a file already read, ${s.files.skipped} skipped, ${s.files.pruned} pruned by filters`,
    `events: ${s.events.found} found — ${s.events.inserted} new, ${s.events.duplicates} already stored or repeated, ` +
      `${s.events.insights} Insights, ${s.events.filtered} outside the filters, ${s.events.skipped} skipped`,
  ];
  if (s.flows.files) {
    const f = s.flows;
    lines.push(
      `flow logs: ${f.files} files (${f.bulkLoaded} loaded in bulk by read_csv), ${f.lines} lines — ${f.records} records, ${f.nodata} NODATA, ${f.skipdata} SKIPDATA, ` +
        `${f.headers} header lines, ${f.bad} bad lines; rows stored: ${f.appended} new, ${f.duplicates} already stored`,
    );
    for (const b of f.badSamples.slice(0, 10)) lines.push(`    e.g. ${sanitizeForTerminal(b.path)} ${b.at}: ${sanitizeForTerminal(b.reason)}`);
  }
  if (s.skippedFiles.length) {
    lines.push('skipped files:');
    for (const f of s.skippedFiles) lines.push(`  ${sanitizeForTerminal(f.path)}: ${f.code}: ${sanitizeForTerminal(f.reason)}`);
  }
  if (s.events.skipped) {
    lines.push('skipped records by reason:');
    for (const [code, n] of Object.entries(s.events.skippedByReason)) lines.push(`  ${code}: ${n}`);
    for (const r of s.skippedRecordSamples.slice(0, 10)) {
      lines.push(`    e.g. ${sanitizeForTerminal(r.path)} ${r.at}: ${sanitizeForTerminal(r.reason)}`);
    }
  }
  for (const [reason, n] of Object.entries(s.prunedByReason)) lines.push(`pruned: ${n} files (${reason})`);
  if (s.s3) {
    const r = s.s3;
    lines.push(
      `s3: ${r.objectsListed} objects listed, ${r.getObject} fetched (${(r.bytesFetched / 1e6).toFixed(1)} MB); requests: ${r.listObjects} ListObjectsV2, ${r.getObject} GetObject`,
    );
    for (const [reason, n] of Object.entries(r.foldersPruned)) lines.push(`pruned: ${n} S3 folders never listed (${reason})`);
  }
  for (const warning of s.warnings) lines.push(`warning: ${sanitizeForTerminal(warning)}`);
  lines.push(`${seconds.toFixed(2)} s, ${mb.toFixed(1)} MB uncompressed, ${seconds > 0 ? (mb / seconds).toFixed(1) : '-'} MB/s → ${sanitizeForTerminal(db)}`);
  return lines.join('\n') + '\n';
}

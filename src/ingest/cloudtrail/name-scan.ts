import { duckdb } from '../../engines/duckdb/binding.js';
import type { DuckDBEngine } from '../../engines/duckdb/engine.js';

const { LIST, listValue, VARCHAR } = duckdb;

/**
 * The answer-first scan's fast path (IngestOptions.eventNames): DuckDB's `read_json` reads whole
 * CloudTrail files in parallel and hands back, per file, only the records with the wanted names,
 * as JSON text. Measured on 1M events (3,629 files): ~4 s, where decoding every record in the
 * workers took 11-14 s (docs/benchmarks.md). The texts are then read by the row path's own
 * decoder and flattener (file-job.ts `scannedOutcome`), so a kept record becomes the same row it
 * would on the row path.
 *
 * DuckDB reads JSON as it will, not as decode.ts does, so a file is taken from the scan only when
 * both must agree on which records it holds: exactly one top-level object with a `Records` array.
 * Anything else comes back as `null` (read by the decode workers instead): another shape (bare
 * arrays, JSON lines, EventBridge envelopes, an empty file), more than one document, a `Records`
 * array whose first record is not an event (decode.ts then decides whether the file is CloudTrail
 * at all), and every file
 * of a query DuckDB refused (broken gzip, invalid JSON, a document over the size below), narrowed
 * by halving down to the bad file itself (within a budget of refusals).
 */
export interface ScannedFile {
  /** Records in the file's `Records` array. */
  records: number;
  /** The kept records' JSON text (DuckDB's serialisation: minified, with the file's values), in file order. */
  kept: string[];
}

/** Files per `read_json`: each query pays a start-up and a tail where one thread waits (1M events: 4.9 s in queries of 256 files, 3.6 s of 2048). */
const FILES_PER_QUERY = 2048;
/**
 * Refused queries before the halving stops (the files of a refused query then all go to the decode
 * workers): one bad file among 2,048 costs ~22 queries that read twice the files in all; many bad
 * files (a folder of exports under delivered names) would cost a re-read per halving.
 */
const MAX_REFUSALS = 48;
/**
 * DuckDB holds one document whole while reading it: a file decompressing past this is refused and
 * read by the workers, which stream it. CloudTrail delivers ~1 MB files.
 */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** The wanted records of each file (by the position of its path in `paths`), null for a file the scan does not answer for. */
export async function scanByName(engine: DuckDBEngine, paths: readonly string[], names: readonly string[]): Promise<(ScannedFile | null)[]> {
  const out: (ScannedFile | null)[] = paths.map(() => null);
  let refusals = 0;
  const scan = async (from: number, to: number): Promise<void> => {
    const slice = paths.slice(from, to);
    let docs: Awaited<ReturnType<typeof queryDocs>>;
    try {
      docs = await queryDocs(engine, slice, names);
    } catch {
      if (slice.length === 1 || ++refusals > MAX_REFUSALS) return;
      const mid = from + Math.ceil(slice.length / 2);
      await scan(from, mid);
      await scan(mid, to);
      return;
    }
    const position = new Map(slice.map((p, i) => [p, from + i]));
    const seen = new Set<number>();
    const odd = new Set<number>();
    for (const doc of docs) {
      const at = position.get(doc.filename);
      if (at === undefined) continue;
      // decode.ts skips a whole file as "not CloudTrail" when none of its records is an event, which
      // the kept records alone cannot tell; a first record that is an event rules it out.
      const notEvents = doc.records !== null && doc.records > 0 && !doc.eventFirst;
      if (seen.has(at) || doc.records === null || doc.kept === null || notEvents) odd.add(at);
      seen.add(at);
      out[at] = { records: doc.records ?? 0, kept: doc.kept ?? [] };
    }
    // A file with no document at all (empty) or more than one, or one without `Records`: the workers read it.
    for (let at = from; at < to; at++) if (!seen.has(at) || odd.has(at)) out[at] = null;
  };
  for (let from = 0; from < paths.length; from += FILES_PER_QUERY) {
    const to = Math.min(paths.length, from + FILES_PER_QUERY);
    await scan(from, to);
  }
  return out;
}

/** One row per JSON document of the files: its `Records` count and the wanted records' text. */
async function queryDocs(engine: DuckDBEngine, paths: readonly string[], names: readonly string[]) {
  // Paths and names are bound, never spliced; `unstructured` gives each top-level document its row.
  // The second column is never read: with one list column, DuckDB reads a top-level array (an
  // export's bare array of events) as if it were `Records`; with two it refuses the file.
  const result = await engine.connection.runAndReadAll(
    `SELECT filename, len(Records) AS records,
       list_transform(list_filter(Records, r -> list_contains($names, r->>'eventName')), r -> r::VARCHAR) AS kept,
       json_type(Records[1]) = 'OBJECT' AND (json_exists(Records[1], '$.eventVersion') OR json_exists(Records[1], '$.eventID')
         OR json_exists(Records[1], '$.eventTime')) AS event_first
     FROM read_json($files, format = 'unstructured', compression = 'auto_detect', filename = true,
       maximum_object_size = ${MAX_DOCUMENT_BYTES}, columns = {Records: 'JSON[]', _trailbook_shape: 'JSON'})`,
    { files: listValue([...paths]), names: listValue([...names]) },
    { files: LIST(VARCHAR), names: LIST(VARCHAR) },
  );
  return result.getRowObjectsJS().map((row) => ({
    filename: String(row['filename']),
    records: row['records'] === null ? null : Number(row['records']),
    kept: row['kept'] === null ? null : (row['kept'] as unknown[]).map(String),
    eventFirst: row['event_first'] === true,
  }));
}

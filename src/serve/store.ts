import { DuckDBEngine } from '../local-store.js';
import { lockAnalystEngine } from '../engines/duckdb/analyst-console.js';
import { requireStore } from '../store/location.js';

/**
 * One DuckDB connection used by one caller at a time: a second query on a connection silently
 * cuts a result still being streamed, so uses are queued, never interleaved.
 */
export class Serial<T> {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly value: T) {}

  use<R>(work: (value: T) => Promise<R>): Promise<R> {
    const result = this.tail.then(() => work(this.value));
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The store as the workspace holds it, read-only for the server's life (docs/serve.md, "The store"):
 * - `runs`: the queue's, one investigation at a time;
 * - `reads`: store counts, records, pivots and evidence, so they answer while a run is going;
 * - `console`: the SQL console's, locked like `trailbook sql` (no file or network access, the
 *   configuration locked), an instance of its own because DuckDB's settings are per instance.
 * Read-only instances of one file share it safely; a writer (`trailbook ingest`) waits until the
 * server stops.
 */
export interface WorkspaceStore {
  db: string;
  runs: Serial<DuckDBEngine>;
  reads: Serial<DuckDBEngine>;
  console: Serial<DuckDBEngine>;
  close(): Promise<void>;
}

export async function openWorkspaceStore(db: string): Promise<WorkspaceStore> {
  requireStore(db);
  // A store an older trailbook wrote is brought up to date once (a writable open), then read-only.
  const first = await DuckDBEngine.openForReading({ path: db });
  if (!first.readOnly) await first.close();
  const opened: DuckDBEngine[] = [];
  try {
    const runs = first.readOnly ? first : await DuckDBEngine.open({ path: db, readOnly: true });
    opened.push(runs);
    const reads = await DuckDBEngine.open({ path: db, readOnly: true });
    opened.push(reads);
    const console = await DuckDBEngine.open({ path: db, readOnly: true });
    opened.push(console);
    await lockAnalystEngine(console, { allowFiles: false });
    const serials = [new Serial(runs), new Serial(reads), new Serial(console)] as const;
    return {
      db,
      runs: serials[0],
      reads: serials[1],
      console: serials[2],
      // Each engine once the request using it is done: a DuckDB instance closed mid-query is a crash.
      close: async () => {
        for (const serial of serials) await serial.use((engine) => engine.close());
      },
    };
  } catch (error) {
    for (const engine of opened) await engine.close();
    throw error;
  }
}

import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from './alert.js';
import { type Sink, SinkError } from './sink.js';

/**
 * The outbox on disk (docs/watch.md): one file per alert and sink, written (temp file, fsync,
 * rename) before the alert state is recorded and before anything is sent. Delivery sends the
 * pending files and removes each on success; a retryable failure keeps it with its attempt count
 * and the time of the next attempt (exponential backoff, capped); a final failure moves it to
 * `failed/` with the reason. So delivery is at least once: a crash after the write and before
 * the removal sends that alert again, and the receiver drops it by its id.
 */
export interface OutboxEntry {
  version: 1;
  alert: Alert;
  sink: string;
  /** Orders delivery: alerts go out in the order they were raised. */
  enqueuedAt: string;
  sequence: number;
  attempts: number;
  /** ISO time before which a scheduled delivery leaves it alone; null: at once. */
  nextAttemptAt: string | null;
  lastError: string | null;
}

export interface Backoff {
  /** Delay after the first failure; doubled after each further one. */
  firstMs: number;
  /** The longest delay. */
  capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 30_000, capMs: 30 * 60_000 };

/** The delay before attempt `attempts + 1`, after `attempts` failures (≥ 1). */
export function backoffDelay(attempts: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.capMs, backoff.firstMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}

export interface DeliveryResult {
  sent: number;
  /** Still in the outbox after this delivery (failed for now, not yet due, or for a sink not configured now). */
  pending: number;
  /** Moved to `failed/` by this delivery, with why. */
  failed: { alertId: string; sink: string; reason: string }[];
  /** Failures of this delivery that will be retried, with why (for the cycle's message). */
  retrying: { alertId: string; sink: string; reason: string }[];
}

export interface DeliverOptions {
  /** Try every pending file now, whatever its next-attempt time (`watch --once`: the schedule is cron's). */
  ignoreSchedule?: boolean;
  /** Stops before the next send (SIGINT/SIGTERM): what is not sent stays pending. */
  signal?: AbortSignal;
}

const PENDING = 'pending';
const FAILED = 'failed';

export class Outbox {
  private sequence = 0;

  /** `now` is injectable so tests can move the clock past a backoff. */
  constructor(
    readonly dir: string,
    private readonly options: { now?: () => number; backoff?: Backoff } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get pendingDir(): string {
    return join(this.dir, PENDING);
  }

  get failedDir(): string {
    return join(this.dir, FAILED);
  }

  /**
   * Writes each alert once per sink. The file name comes from the alert id and the sink name, so
   * enqueueing the same alert again (a crash before the state was recorded) leaves the one file.
   * Returns how many files were written.
   */
  enqueue(alerts: readonly Alert[], sinks: readonly Sink[]): number {
    if (alerts.length === 0 || sinks.length === 0) return 0;
    mkdirSync(this.pendingDir, { recursive: true });
    const existing = new Set(this.pendingNames());
    let written = 0;
    const enqueuedAt = new Date(this.now()).toISOString();
    for (const alert of alerts) {
      for (const sink of sinks) {
        const name = outboxFileName(alert.id, sink.name);
        if (existing.has(name)) continue;
        const entry: OutboxEntry = {
          version: 1,
          alert,
          sink: sink.name,
          enqueuedAt,
          sequence: this.sequence++,
          attempts: 0,
          nextAttemptAt: null,
          lastError: null,
        };
        writeDurably(this.pendingDir, name, `${JSON.stringify(entry)}\n`);
        existing.add(name);
        written++;
      }
    }
    return written;
  }

  /** The pending files' names (temp files of an interrupted write are not entries). */
  pendingNames(): string[] {
    try {
      return readdirSync(this.pendingDir).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Sends what is due, oldest first, one at a time; never throws for a receiver's failure. */
  async deliver(sinks: readonly Sink[], options: DeliverOptions = {}): Promise<DeliveryResult> {
    const result: DeliveryResult = { sent: 0, pending: 0, failed: [], retrying: [] };
    const names = this.pendingNames();
    if (names.length === 0) return result;
    const byName = new Map(sinks.map((s) => [s.name, s]));
    const read = names.map((name) => ({ name, entry: this.read(name) }));
    // Writes are whole (rename), so a file that is not an entry was put there by something else, or
    // damaged: set aside in failed/ as it is, never sent, never counted as pending forever.
    for (const { name } of read.filter((e) => e.entry === null)) {
      mkdirSync(this.failedDir, { recursive: true });
      renameSync(join(this.pendingDir, name), join(this.failedDir, name));
      result.failed.push({ alertId: name, sink: '', reason: `${name} is not an outbox entry` });
    }
    const entries = read
      .filter((e): e is { name: string; entry: OutboxEntry } => e.entry !== null)
      .sort((a, b) => a.entry.enqueuedAt.localeCompare(b.entry.enqueuedAt) || a.entry.sequence - b.entry.sequence || (a.name < b.name ? -1 : 1));
    for (const { name, entry } of entries) {
      const sink = byName.get(entry.sink);
      if (options.signal?.aborted) {
        result.pending++;
        continue;
      }
      const due = options.ignoreSchedule || entry.nextAttemptAt === null || Date.parse(entry.nextAttemptAt) <= this.now();
      if (!sink || !due) {
        result.pending++;
        continue;
      }
      try {
        await sink.send(entry.alert);
      } catch (error) {
        const retryable = !(error instanceof SinkError) || error.retryable;
        const reason = error instanceof SinkError ? error.message : `${sink.name}: ${firstLine(error)}`;
        const failure = { alertId: entry.alert.id, sink: sink.name, reason };
        const attempts = entry.attempts + 1;
        if (retryable) {
          const next = new Date(this.now() + backoffDelay(attempts, this.options.backoff)).toISOString();
          writeDurably(this.pendingDir, name, `${JSON.stringify({ ...entry, attempts, nextAttemptAt: next, lastError: reason })}\n`);
          result.retrying.push(failure);
          result.pending++;
        } else {
          mkdirSync(this.failedDir, { recursive: true });
          writeDurably(this.failedDir, name, `${JSON.stringify({ ...entry, attempts, nextAttemptAt: null, lastError: reason })}\n`);
          removeIfPresent(join(this.pendingDir, name));
          result.failed.push(failure);
        }
        continue;
      }
      removeIfPresent(join(this.pendingDir, name));
      result.sent++;
    }
    return result;
  }

  /** An entry, or null for a file that is not one. */
  private read(name: string): OutboxEntry | null {
    try {
      const entry = JSON.parse(readFileSync(join(this.pendingDir, name), 'utf8')) as OutboxEntry;
      return entry?.version === 1 && typeof entry.sink === 'string' && typeof entry.alert?.id === 'string' ? entry : null;
    } catch {
      return null;
    }
  }
}

/**
 * `<alert id, made safe>.<hash of id and sink>.<sink>.json`: readable in `ls`, unique per alert
 * and sink even when making the id safe for a file name maps two ids to one text.
 */
export function outboxFileName(alertId: string, sinkName: string): string {
  const hash = createHash('sha256').update(`${alertId}\0${sinkName}`).digest('hex').slice(0, 12);
  return `${safeName(alertId).slice(0, 120)}.${hash}.${safeName(sinkName).slice(0, 40)}.json`;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Temp file, fsync, rename over the name, fsync the folder: the name holds the old bytes or the new ones, never a part. */
function writeDurably(dir: string, name: string, text: string): void {
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, name));
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    // Another watcher of the same outbox delivered it first: at least once still holds.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

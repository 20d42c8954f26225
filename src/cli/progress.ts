import type { IngestProgress } from '../ingest/ingest.js';

/**
 * A one-line progress bar on stderr, only when stderr is a terminal (quiet when piped, in CI, or
 * when the command prints machine output). Redrawn at most ten times a second.
 */
export interface ProgressBar {
  update(done: number, total: number, detail: string): void;
  done(): void;
}

export function progressBar(label: string, enabled: boolean): ProgressBar {
  const stream = process.stderr;
  if (!enabled || !stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 28;
      const ratio = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(ratio * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const line = `${label} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${detail}`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** The detail of an ingest's progress line: files (and events) while reading, then what is left to do. */
export function ingestProgressText(p: IngestProgress, options: { events?: boolean } = {}): string {
  // From S3 the wait is the network: objects and bytes fetched, as S3 counts them.
  const unit = p.remote ? `objects, ${megabytes(p.bytesDone)}/${megabytes(p.bytesTotal)} MB` : 'files';
  const counted = `${p.filesDone}/${p.filesTotal} ${unit}${options.events ? `, ${p.events} events` : ''}`;
  // After the last file the merge of the last batch, the caches and the checkpoint remain
  // (seconds at millions of events): say so, rather than sit at 100%.
  return p.phase === 'finishing' ? `${counted}; writing the store` : counted;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0);
}

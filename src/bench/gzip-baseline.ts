import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GzipBaseline {
  ms: number;
  /** gzip's own peak resident size, via GNU time; null where GNU time is not available. */
  peakRssBytes: number | null;
  files: number;
}

/**
 * The decompression floor every ingest benchmark compares with: `gzip -dc` of the files to
 * /dev/null, in batches of 500 (argv limits), one core.
 */
export async function gzipBaseline(files: readonly string[]): Promise<GzipBaseline> {
  const devNull = openSync('/dev/null', 'w');
  const timeFile = join(tmpdir(), `trailbook-bench-gzip-time-${process.pid}`);
  let peakKb: number | null = null;
  const started = performance.now();
  try {
    for (let i = 0; i < files.length; i += 500) {
      const batch = files.slice(i, i + 500);
      const useTime = process.platform === 'linux';
      const [cmd, args] = useTime ? ['/usr/bin/time', ['-f', '%M', '-o', timeFile, 'gzip', '-dc', ...batch]] : ['gzip', ['-dc', ...batch]];
      await new Promise<void>((resolve, reject) => {
        const child = spawn(cmd as string, args as string[], { stdio: ['ignore', devNull, 'inherit'] });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gzip -dc exited with ${code}`))));
      });
      if (useTime) {
        const kb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
        if (Number.isFinite(kb)) peakKb = Math.max(peakKb ?? 0, kb);
      }
    }
  } finally {
    closeSync(devNull);
    rmSync(timeFile, { force: true });
  }
  return { ms: performance.now() - started, peakRssBytes: peakKb === null ? null : peakKb * 1024, files: files.length };
}

/** The line `peak-rss.js` writes on a benchmarked process's stderr at exit, and its reader. */
export const PEAK_RSS_MARKER = '[trailbook-bench] peak-rss-bytes=';
const CPU_MARKER = ' cpu-ms=';

/** The line itself: peak RSS and CPU time (user + system, every thread: DuckDB's too). */
export function processStatsLine(peakRssBytes: number, cpuMs: number): string {
  return `${PEAK_RSS_MARKER}${peakRssBytes}${CPU_MARKER}${cpuMs.toFixed(0)}`;
}

/** The peak RSS and CPU time a child reported on its stderr; nulls when it did not. */
export function processStatsOf(stderr: string): { peakRssBytes: number | null; cpuMs: number | null } {
  const at = stderr.lastIndexOf(PEAK_RSS_MARKER);
  if (at < 0) return { peakRssBytes: null, cpuMs: null };
  const line = stderr.slice(at + PEAK_RSS_MARKER.length).split('\n')[0] ?? '';
  const [rss, cpu] = line.split(CPU_MARKER);
  const number = (text: string | undefined) => (text === undefined || !Number.isFinite(Number.parseInt(text, 10)) ? null : Number.parseInt(text, 10));
  return { peakRssBytes: number(rss), cpuMs: number(cpu) };
}

/** The line `peak-rss.js` writes on a benchmarked process's stderr at exit, and its reader. */
export const PEAK_RSS_MARKER = '[trailbook-bench] peak-rss-bytes=';

/** The peak RSS a child reported on its stderr, or null when it did not. */
export function peakRssOf(stderr: string): number | null {
  const at = stderr.lastIndexOf(PEAK_RSS_MARKER);
  if (at < 0) return null;
  const bytes = Number.parseInt(stderr.slice(at + PEAK_RSS_MARKER.length), 10);
  return Number.isFinite(bytes) ? bytes : null;
}

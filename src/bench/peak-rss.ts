/**
 * Preloaded into a benchmarked CLI run (`node --import dist/bench/peak-rss.js dist/cli/main.js …`):
 * at exit, the process's peak RSS (DuckDB's native memory included) goes to stderr, where the
 * benchmark reads it (`peakRssOf`). Nothing else in the process changes.
 */
import { PEAK_RSS_MARKER } from './peak-rss-marker.js';

process.on('exit', () => {
  process.stderr.write(`\n${PEAK_RSS_MARKER}${process.resourceUsage().maxRSS * 1024}\n`);
});

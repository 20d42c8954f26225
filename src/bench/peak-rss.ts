/**
 * Preloaded into a benchmarked CLI run (`node --import dist/bench/peak-rss.js dist/cli/main.js …`):
 * at exit, the process's peak RSS (DuckDB's native memory included) and CPU time go to stderr,
 * where the benchmark reads them (`processStatsOf`). Nothing else in the process changes.
 */
import { processStatsLine } from './peak-rss-marker.js';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`\n${processStatsLine(process.resourceUsage().maxRSS * 1024, (cpu.user + cpu.system) / 1000)}\n`);
});

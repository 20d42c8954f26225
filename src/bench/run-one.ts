/**
 * One contender, one corpus, one process: `node dist/bench/run-one.js <contender> <root> [db]`.
 * The benchmark runs each contender as a child so that the peak RSS it reports
 * (`process.resourceUsage().maxRSS`, read at the end) belongs to that contender alone, not to the
 * generator or to another contender. Prints one JSON line: a RunResult.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENDERS, runContender, type Contender } from './contenders.js';

const [contender, root, db] = process.argv.slice(2);
if (!contender || !CONTENDERS.includes(contender as Contender) || !root) {
  console.error(`usage: run-one <${CONTENDERS.join('|')}> <corpus-root> [db-file]`);
  process.exit(2);
}
const result = await runContender(contender as Contender, root, db ?? join(tmpdir(), `trailbook-bench-${process.pid}.duckdb`));
process.stdout.write(`${JSON.stringify(result)}\n`);

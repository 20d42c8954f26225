/**
 * One flow-ingest contender, one corpus, one process:
 * `node dist/bench/flows-run-one.js <contender> <root> [db]`. Prints one JSON line (FlowRunResult);
 * peak RSS is this process's own (see run-one.ts for the CloudTrail counterpart).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOW_CONTENDERS, runFlowContender, type FlowContender } from './flows-contenders.js';

const [contender, root, db] = process.argv.slice(2);
if (!contender || !FLOW_CONTENDERS.includes(contender as FlowContender) || !root) {
  console.error(`usage: flows-run-one <${FLOW_CONTENDERS.join('|')}> <corpus-root> [db-file]`);
  process.exit(2);
}
const result = await runFlowContender(contender as FlowContender, root, db ?? join(tmpdir(), `trailbook-flowbench-${process.pid}.duckdb`));
process.stdout.write(`${JSON.stringify(result)}\n`);

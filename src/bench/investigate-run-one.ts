/**
 * `node dist/bench/investigate-run-one.js <db> <runs>`: the library call behind
 * `trailbook investigate` on an already-ingested store, `runs` times in one process, each timed
 * on its own (store opened once; the first run is also the first for the JIT). Prints one JSON
 * line: `{ ms: number[], openMs, findings, changes }`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBEngine } from '../local-store.js';
import { loadIntel } from '../intel/index.js';
import { storeInputs } from '../investigate/inputs.js';
import { investigate } from '../investigate/investigate.js';
import { loadRunbook } from '../runbook/load.js';

/** The port runbook shipped with trailbook (as the CLI runs it by default). */
const BUNDLED_RUNBOOK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runbooks', 'port-exposure');

const [db, runsText] = process.argv.slice(2);
if (!db) {
  console.error('usage: investigate-run-one <db> [runs]');
  process.exit(2);
}
const runs = Number(runsText ?? '3');
const runbook = await loadRunbook(BUNDLED_RUNBOOK_DIR);
const intel = await loadIntel({ feeds: [], trusted: undefined });
const opened = performance.now();
const engine = await DuckDBEngine.open({ path: db, readOnly: true });
const openMs = performance.now() - opened;
const ms: number[] = [];
let findings = 0;
let changes = 0;
try {
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const inputs = await storeInputs(engine);
    const report = await investigate(engine, { runbook, parameters: { port: 8443 }, intel, inputs });
    ms.push(performance.now() - started);
    findings = report.findings.length;
    changes = new Set(report.findings.flatMap((f) => f.eventIds)).size;
  }
} finally {
  await engine.close();
}
process.stdout.write(`${JSON.stringify({ ms, openMs, findings, changes, db: join(db) })}\n`);

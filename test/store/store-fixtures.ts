import { join } from 'node:path';
import { duckdb } from '../../src/engines/duckdb/binding.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { storeInputs } from '../../src/investigate/inputs.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { REPO_ROOT } from '../helpers/corpus.js';

export const sample = (p: string) => join(REPO_ROOT, 'sample', p);
export const NOW = new Date('2024-05-15T00:00:00Z');

export async function ingestSample(db: string): Promise<void> {
  const engine = await DuckDBEngine.open({ path: db });
  try {
    await ingestPaths(engine, [sample('cloudtrail'), sample('vpcflow')]);
  } finally {
    await engine.close();
  }
}

export async function reportOf(engine: DuckDBEngine) {
  const runbook = await loadRunbook(join(REPO_ROOT, 'runbooks', 'port-exposure'));
  const intel = await loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });
  return investigate(engine, { runbook, intel, parameters: { port: 8443 }, now: NOW, inputs: await storeInputs(engine) });
}

export async function withEngine<T>(open: Promise<DuckDBEngine>, use: (engine: DuckDBEngine) => Promise<T>): Promise<T> {
  const engine = await open;
  try {
    return await use(engine);
  } finally {
    await engine.close();
  }
}

/** Runs SQL on the file with DuckDB alone: what another program, or an older trailbook, might have left. */
export async function rawSql(db: string, sql: string, params?: Record<string, string>): Promise<void> {
  const instance = await duckdb.DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    await connection.run(sql, params);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

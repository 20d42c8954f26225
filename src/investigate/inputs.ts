import type { Engine } from '../engines/engine.js';
import type { Report } from '../report/contract.js';

/** The report's inputs section, from the store's ledger: every file read or skipped, with reasons. */
export async function storeInputs(engine: Engine): Promise<Pick<Report['inputs'], 'cloudtrail' | 'vpcflow'>> {
  const files = await engine.all(
    `SELECT kind, count(DISTINCT path) FILTER (WHERE outcome = 'read') AS files FROM ingest_ledger GROUP BY kind`,
  );
  const skipped = await engine.all(
    `SELECT kind, path, any_value(reason) AS reason FROM ingest_ledger l WHERE outcome = 'skipped'
       AND NOT EXISTS (SELECT 1 FROM ingest_ledger r WHERE r.path = l.path AND r.outcome = 'read')
     GROUP BY kind, path ORDER BY path`,
  );
  const events = await engine.all('SELECT count(*) AS n FROM cloudtrail_events');
  const records = await engine.all(`SELECT count(*) AS n FROM vpc_flow_logs WHERE log_status = 'OK' OR log_status IS NULL`);
  const filesOf = (kind: string) => Number(files.rows.find((r) => r['kind'] === kind)?.['files'] ?? 0);
  const skippedOf = (kind: string) =>
    skipped.rows.filter((r) => r['kind'] === kind).map((r) => ({ path: String(r['path']), reason: String(r['reason'] ?? '') }));
  return {
    cloudtrail: { files: filesOf('cloudtrail'), events: Number(events.rows[0]?.['n'] ?? 0), skipped: skippedOf('cloudtrail') },
    vpcflow: { files: filesOf('vpcflow'), records: Number(records.rows[0]?.['n'] ?? 0), skipped: skippedOf('vpcflow') },
  };
}

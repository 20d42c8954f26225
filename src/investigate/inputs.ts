import type { Engine } from '../engines/engine.js';
import type { Report } from '../report/contract.js';
import { compareText } from '../text.js';

/** The report's inputs section, from the store's ledger: every file read or skipped, with reasons. */
export async function storeInputs(engine: Engine): Promise<Pick<Report['inputs'], 'cloudtrail' | 'vpcflow'>> {
  // One statement: on a warm run every round trip to the engine is time before the answers.
  const { rows } = await engine.all(
    `SELECT 'files' AS part, kind, count(DISTINCT path) FILTER (WHERE outcome = 'read') AS n, NULL AS path, NULL AS reason FROM ingest_ledger GROUP BY kind
     UNION ALL
     SELECT 'skipped', kind, NULL, path, any_value(reason) FROM ingest_ledger l WHERE outcome = 'skipped'
       AND NOT EXISTS (SELECT 1 FROM ingest_ledger r WHERE r.path = l.path AND r.outcome = 'read')
     GROUP BY kind, path
     UNION ALL
     SELECT 'events', NULL, (SELECT count(*) FROM cloudtrail_events), NULL, NULL
     UNION ALL
     SELECT 'records', NULL, (SELECT count(*) FROM vpc_flow_logs WHERE log_status = 'OK' OR log_status IS NULL), NULL, NULL`,
  );
  const count = (part: string, kind?: string) => Number(rows.find((r) => r['part'] === part && (kind === undefined || r['kind'] === kind))?.['n'] ?? 0);
  const skippedOf = (kind: string) =>
    rows
      .filter((r) => r['part'] === 'skipped' && r['kind'] === kind)
      .map((r) => ({ path: String(r['path']), reason: String(r['reason'] ?? '') }))
      .sort((a, b) => compareText(a.path, b.path));
  return {
    cloudtrail: { files: count('files', 'cloudtrail'), events: count('events'), skipped: skippedOf('cloudtrail') },
    vpcflow: { files: count('files', 'vpcflow'), records: count('records'), skipped: skippedOf('vpcflow') },
  };
}

/** The first and last time in the logs the store holds (CloudTrail event times, flow record start and end); null when empty. */
export async function logsCoverage(engine: Engine): Promise<{ first: string; last: string } | null> {
  const { rows } = await engine.all(
    `SELECT min(eventtime) AS first, max(eventtime) AS last FROM cloudtrail_events
     UNION ALL
     SELECT strftime(to_timestamp(min(start)), '%Y-%m-%dT%H:%M:%SZ'), strftime(to_timestamp(max("end")), '%Y-%m-%dT%H:%M:%SZ') FROM vpc_flow_logs`,
  );
  const times = (key: string) =>
    rows
      .map((r) => r[key])
      .filter((t): t is string => typeof t === 'string')
      .sort();
  const first = times('first')[0];
  const last = times('last').at(-1);
  return first && last ? { first, last } : null;
}

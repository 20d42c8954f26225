import type { Engine } from '../engines/engine.js';
import type { EngineInput, Report, SkippedInput } from '../report/contract.js';
import { compareText } from '../text.js';

/** The logs part of the report's inputs; counts null when not counted. */
export interface LogInputs {
  cloudtrail: { files: number | null; events: number | null; skipped: SkippedInput[] };
  vpcflow: { files: number | null; records: number | null; skipped: SkippedInput[] };
  engine?: EngineInput;
  answeredFrom?: 'scan';
}

/** Counted: what a local store's ledger says. */
export interface CountedInputs extends LogInputs {
  cloudtrail: { files: number; events: number; skipped: SkippedInput[] };
  vpcflow: { files: number; records: number; skipped: SkippedInput[] };
}

/**
 * The report's inputs for the engine the runbook ran on: a local store counts from its ledger
 * (`storeInputs`); an engine over the bucket (`Dialect.localStore` false: Athena) has no ledger,
 * and a count there is a billed scan of every file (JSON has no row counts to read instead), so
 * the counts are null, "not counted", and `engine` says where the SQL ran (docs/athena.md).
 */
export async function reportInputs(engine: Engine, where?: EngineInput): Promise<LogInputs> {
  if (engine.dialect.localStore) return storeInputs(engine);
  return {
    cloudtrail: { files: null, events: null, skipped: [] },
    vpcflow: { files: null, records: null, skipped: [] },
    ...(where ? { engine: where } : {}),
  };
}

/**
 * The inputs of a report answered first (answer-first.ts), from the scan's store: its ledger says
 * which files were read or skipped, as the store's will; its events and records are only those the
 * runbook reads, so they are not counted (null).
 */
export function scannedInputs(inputs: LogInputs): LogInputs & { answeredFrom: 'scan' } {
  return {
    ...inputs,
    cloudtrail: { ...inputs.cloudtrail, events: null },
    vpcflow: { ...inputs.vpcflow, records: null },
    answeredFrom: 'scan',
  };
}

/** The report's inputs section, from the store's ledger: every file read or skipped, with reasons. */
export async function storeInputs(engine: Engine): Promise<CountedInputs> {
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

/**
 * The first and last time in the logs the store holds (CloudTrail event times, flow record start
 * and end); null when empty, and null (unknown) on an engine over the bucket, where it would be a
 * scan of the whole trail.
 */
export async function logsCoverage(engine: Engine): Promise<{ first: string; last: string } | null> {
  if (!engine.dialect.localStore) return null;
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

/**
 * What a report made on an engine over the bucket (Athena) leaves out, to say beside it: the
 * counts and the logs' span, and the history its built-in steps read when the dialect bounds it
 * (`historyBounds`). None for a local store.
 */
export function remoteEngineNotes(engine: Engine, report: Report): string[] {
  if (engine.dialect.localStore) return [];
  const notes = ["on Athena the inputs are not counted and the logs' span is not known: either would be a billed scan of the bucket (docs/athena.md)"];
  const days = engine.dialect.historyDays;
  if (days !== null && report.steps.some((s) => s.kind === 'exposures' || s.kind === 'flows')) {
    notes.push(
      `on Athena the history (exposure openings, rule directions, interface security groups) is read from ${days} day${days === 1 ? '' : 's'} before the window, ` +
        'not the whole trail: a rule opened earlier and still open, or an interface unchanged since, is not seen (--athena-history all reads every day, at the cost of scanning them)',
    );
  }
  return notes;
}

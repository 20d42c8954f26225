import type { Engine } from '../engines/engine.js';
import { TrailbookError } from '../errors.js';
import type { EngineInput, Report } from '../report/contract.js';
import { reportInputs, scannedInputs } from './inputs.js';
import { investigate, type InvestigateOptions } from './investigate.js';

export interface StoreReportOptions extends Omit<InvestigateOptions, 'inputs'> {
  /** The store's name in the refusal when it holds nothing. */
  db: string;
  /** Where the settings came from (the report's `inputs.config`). */
  config?: NonNullable<Report['inputs']['config']>;
  /** Where the logs are when not in a local store (Athena). */
  where?: EngineInput;
  /**
   * 'scan': the engine is the answer-first scan's in-memory store (answer-first.ts), holding only
   * what the runbook reads: its event and record counts are not the logs', so they are not given.
   */
  answeredFrom?: 'scan';
}

/**
 * The report `trailbook run` prints and the workspace serves: the runbook run on what the engine
 * holds, with the inputs counted from the store's ledger; refused when the store holds nothing.
 */
export async function reportOnStore(engine: Engine, options: StoreReportOptions): Promise<Report> {
  const { db, config, where, answeredFrom, ...run } = options;
  // Not counted on Athena (null): the emptiness check below is then left to the runbook's answers.
  const counted = await reportInputs(engine, where);
  // A scan that kept nothing still read the logs: the runbook's answer is then "nothing found".
  const inputs = answeredFrom === 'scan' ? scannedInputs(counted) : counted;
  if (inputs.cloudtrail.events === 0 && inputs.vpcflow.records === 0) {
    throw new TrailbookError('INPUT', `the store ${db} holds no CloudTrail events and no flow records`, {
      hint: 'give the log folders to read first (trailbook run <runbook> ./AWSLogs), or --db for another store',
    });
  }
  return investigate(engine, { ...run, inputs: { ...inputs, ...(config ? { config } : {}) } });
}

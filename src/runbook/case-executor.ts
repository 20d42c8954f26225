import type { CaseExecutor } from './test-runner.js';

/**
 * THE INJECTION POINT of `trailbook runbook test`: the executor that runs one test case
 * (ingest the case's fixture files into a fresh in-memory store, execute the plan's steps,
 * group rows into findings, evaluate the decision tree, compute the answers) and returns the
 * findings and answers in the report contract's shape.
 *
 * Not written yet: it belongs with the execution stage. Until it returns an executor,
 * `runbook test` fails with a message saying so — it never passes without running.
 */
export function defaultCaseExecutor(): CaseExecutor | undefined {
  return undefined;
}

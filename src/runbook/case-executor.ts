import { caseExecutor } from '../investigate/case.js';
import type { CaseExecutor } from './test-runner.js';

/**
 * THE INJECTION POINT of `trailbook runbook test`: the executor that runs one test case
 * (ingest the case's fixture files into a fresh in-memory store, execute the plan's steps,
 * group rows into findings, evaluate the decision tree, compute the answers) and returns the
 * findings and answers in the report contract's shape. It lives with the execution stage
 * (`src/investigate/case.ts`), which runs `investigate` itself: a case tests what a user runs.
 */
export function defaultCaseExecutor(): CaseExecutor | undefined {
  return caseExecutor;
}

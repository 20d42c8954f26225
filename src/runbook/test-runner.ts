import { join } from 'node:path';
import type { Plan } from './compile.js';
import { compile } from './compile.js';
import { loadRunbook, TESTS_DIR, type LoadedRunbook } from './load.js';
import { formatProblem } from './problems.js';
import { compareCase, type CaseOutput } from './test-compare.js';
import { loadTestCase, type TestCase } from './test-case.js';

/**
 * `trailbook runbook test`: every case folder of a runbook, run and compared with its
 * expected.yaml. Running a case (ingest the fixtures into a fresh store, execute the plan,
 * group findings, decide) is the executor's job, passed in, so the runner is tested with a
 * fake executor and the real one lives with the execution code.
 */
export interface CaseInput {
  runbook: LoadedRunbook;
  testCase: TestCase;
  /** The runbook compiled with the case's parameters. */
  plan: Plan;
}

export type CaseExecutor = (input: CaseInput) => Promise<CaseOutput>;

export interface CaseReport {
  name: string;
  description: string | undefined;
  passed: boolean;
  /** Differences from expected.yaml, or the problems that kept the case from running. */
  failures: string[];
}

export interface RunbookTestReport {
  dir: string;
  runbookId: string;
  cases: CaseReport[];
  passed: boolean;
}

export interface RunTestsOptions {
  executor: CaseExecutor;
  /** Clock for cases without `now`. */
  now?: () => Date;
  /** Run only these case names (all when absent); an unknown name is a failure. */
  only?: readonly string[];
}

export async function runRunbookTests(dir: string, options: RunTestsOptions): Promise<RunbookTestReport> {
  const runbook = await loadRunbook(dir);
  const cases: CaseReport[] = [];
  const names = options.only ?? runbook.testCases;
  for (const name of names) {
    if (!runbook.testCases.includes(name))
      cases.push({ name, description: undefined, passed: false, failures: [`no case folder ${join(dir, TESTS_DIR, name)}`] });
    else cases.push(await runCase(runbook, name, options));
  }
  // A runbook without cases has tested nothing: that is a failure, not a pass.
  const passed = cases.length > 0 && cases.every((c) => c.passed);
  return { dir, runbookId: runbook.runbook.id, cases, passed };
}

async function runCase(runbook: LoadedRunbook, name: string, options: RunTestsOptions): Promise<CaseReport> {
  const loaded = await loadTestCase(join(runbook.dir, TESTS_DIR, name), name);
  if (!loaded.ok) return { name, description: undefined, passed: false, failures: loaded.problems.map(formatProblem) };
  const { testCase } = loaded;
  const description = testCase.expected.description;
  try {
    const now = testCase.expected.now ? new Date(testCase.expected.now) : (options.now ?? (() => new Date()))();
    const plan = compile(runbook.runbook, testCase.expected.parameters, { now });
    const output = await options.executor({ runbook, testCase, plan });
    const failures = compareCase(testCase.expected, output);
    return { name, description, passed: failures.length === 0, failures };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name, description, passed: false, failures: [`the case did not run: ${message}`] };
  }
}

export function formatTestReport(report: RunbookTestReport): string {
  const out = [`runbook ${report.runbookId} (${report.dir}): ${report.cases.length} case${report.cases.length === 1 ? '' : 's'}`];
  if (report.cases.length === 0) out.push(`  FAIL no test cases under ${join(report.dir, TESTS_DIR)}/`);
  for (const c of report.cases) {
    out.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}${c.description ? ` — ${c.description}` : ''}`);
    for (const failure of c.failures) out.push(...failure.split('\n').map((line) => `         ${line}`));
  }
  const failed = report.cases.filter((c) => !c.passed).length;
  out.push(report.passed ? `  passed: ${report.cases.length}` : `  failed: ${failed} of ${report.cases.length}`);
  return out.join('\n') + '\n';
}

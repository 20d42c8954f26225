import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT_CODES, TrailbookError } from '../../errors.js';
import { formatTable } from '../../report/tabular.js';
import { caseExecutor } from '../../investigate/case.js';
import { compile, parseParamArgs } from '../../runbook/compile.js';
import { listRunbooks } from '../../runbook/catalog.js';
import { loadRunbook } from '../../runbook/load.js';
import { scaffoldRunbook } from '../../runbook/scaffold.js';
import { lintRunbookFolder } from '../../runbook/lint.js';
import { formatPlanText, planToJson } from '../../runbook/plan-format.js';
import { formatProblem, hasErrors } from '../../runbook/problems.js';
import { SqlChecker } from '../../runbook/sql-check.js';
import { formatTestReport, runRunbookTests } from '../../runbook/test-runner.js';
import { collectList, TimeFlags } from '../options.js';

/** The runbooks shipped with trailbook (the package's `runbooks/`), and a project's own. */
const BUNDLED_RUNBOOKS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'runbooks');
const LOCAL_RUNBOOKS = 'runbooks';

/** `trailbook runbook list|new|lint|plan|test`: thin wrappers over src/runbook. */
export function register(program: Command): void {
  const runbook = program.command('runbook').description('runbooks as code: list, create, lint, plan and test runbook folders');

  runbook
    .command('list')
    .description('list runbooks with their version, owner and review state (ok, due in N days, overdue by N days)')
    .argument('[dirs...]', 'runbook folders or folders holding them (default: the bundled runbooks and ./runbooks if present)')
    .option('--now <time>', 'the day review states are judged on (default: the current time)')
    .option('--format <format>', 'text | json', 'text')
    .action(async (dirs: string[], flags: { now?: string; format: string }) => {
      const format = oneOf(flags.format, ['text', 'json'], '--format');
      const now = announcedNow(flags.now);
      // The project's own first, so a checkout of trailbook lists `runbooks/…` rather than the same folders by absolute path.
      const roots = dirs.length > 0 ? dirs : [...(existsSync(LOCAL_RUNBOOKS) ? [LOCAL_RUNBOOKS] : []), BUNDLED_RUNBOOKS];
      const rows = await listRunbooks(roots, now);
      const columns = ['id', 'version', 'owner', 'reviewed', 'review', 'dir', 'tests', 'status'];
      process.stdout.write(format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : formatTable(columns, rows as unknown as Record<string, unknown>[]));
    });

  runbook
    .command('new')
    .description('create a runbook folder that lints clean and passes its tests: README.md, runbook.yaml, tests/ with a case and a near miss')
    .argument('<dir>', 'the folder to create (must not exist)')
    .option('--id <id>', 'runbook id (default: the folder name)')
    .action(async (dir: string, flags: { id?: string }) => {
      const written = await scaffoldRunbook(dir, { ...(flags.id ? { id: flags.id } : {}), now: new Date() });
      for (const file of written) process.stdout.write(`wrote ${file}\n`);
      process.stdout.write(`next: trailbook runbook lint ${dir} && trailbook runbook test ${dir}\n`);
    });

  runbook
    .command('lint')
    .description('check runbook folders: structure, then meaning (ids, decision edges, parameters, SQL against the tables)')
    .argument('<dir...>', 'runbook folders')
    .option('--now <time>', 'the day a review is judged overdue on (default: the current time)')
    .option('--format <format>', 'text | json', 'text')
    .action(async (dirs: string[], flags: { now?: string; format: string }) => {
      const format = oneOf(flags.format, ['text', 'json'], '--format');
      const now = announcedNow(flags.now);
      const checker = await SqlChecker.open();
      try {
        const reports = [];
        for (const dir of dirs) reports.push(await lintRunbookFolder(dir, { sql: checker, now }));
        if (format === 'json') {
          process.stdout.write(
            JSON.stringify(
              reports.map((r) => ({ dir: r.dir, file: r.file, problems: r.problems })),
              null,
              2,
            ) + '\n',
          );
        } else {
          for (const report of reports) {
            for (const p of report.problems) process.stdout.write(formatProblem(p) + '\n');
            const errors = report.problems.filter((p) => p.severity === 'error').length;
            const warnings = report.problems.length - errors;
            process.stdout.write(
              `${report.dir}: ${errors ? `${errors} error${errors === 1 ? '' : 's'}` : 'ok'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`,
            );
          }
        }
        if (reports.some((r) => hasErrors(r.problems))) process.exitCode = EXIT_CODES.RUNBOOK_INVALID;
      } finally {
        await checker.close();
      }
    });

  runbook
    .command('plan')
    .description('print the compiled plan (SQL and bound parameters) without running anything')
    .argument('<dir>', 'runbook folder')
    .option('-p, --param <name=value>', 'a parameter value (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--now <time>', 'reference time for relative defaults such as now-7d (default: the current time)')
    .option('--format <format>', 'text | json', 'text')
    .action(async (dir: string, flags: { param: string[]; now?: string; format: string }) => {
      const format = oneOf(flags.format, ['text', 'json'], '--format');
      const loaded = await loadRunbook(dir);
      const times = new TimeFlags();
      const now = timeOrNow(times, flags.now);
      const params = parseParamArgs(flags.param);
      // Timestamp parameters are read by the same parser in compile (which reports every bad
      // parameter at once); here they are only named in the UTC note when they have no zone.
      for (const [name, value] of Object.entries(params)) {
        if (loaded.runbook.parameters[name]?.type === 'timestamp') times.noteUtc(value, `--param ${name}`, now);
      }
      times.announce();
      const plan = compile(loaded.runbook, params, { now });
      process.stdout.write(format === 'json' ? planToJson(plan) : formatPlanText(plan));
    });

  runbook
    .command('test')
    .description("run each runbook's test cases (tests/<case>/ with expected.yaml) and compare the results")
    .argument('<dir...>', 'runbook folders')
    .option('--case <names>', 'only these cases (comma-separated)', collectList)
    .option('--now <time>', 'reference time for relative defaults of cases without `now` (default: the current time)')
    .action(async (dirs: string[], flags: { case?: string[]; now?: string }) => {
      const now = announcedNow(flags.now);
      // The runner (runbook/) takes the executor as an argument; the CLI wires the one that runs
      // investigate itself (investigate/case.ts), so runbook/ never imports investigate/.
      const executor = caseExecutor;
      let failed = false;
      for (const dir of dirs) {
        const report = await runRunbookTests(dir, { executor, now: () => now, ...(flags.case ? { only: flags.case } : {}) });
        process.stdout.write(formatTestReport(report));
        failed ||= !report.passed;
      }
      if (failed) process.exitCode = EXIT_CODES.RUNBOOK_TEST_FAILED;
    });
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TrailbookError('USAGE', `${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** `--now` of a command with no other time flag, its UTC note (if any) already on stderr. */
function announcedNow(value: string | undefined): Date {
  const times = new TimeFlags();
  const now = timeOrNow(times, value);
  times.announce();
  return now;
}

/** `--now`: the clock relative parameters count from (the current time when absent). */
function timeOrNow(times: TimeFlags, value: string | undefined): Date {
  const parsed = times.parse(value, '--now');
  return parsed ? new Date(parsed.ms) : times.now;
}

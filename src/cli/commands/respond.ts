import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { APPLY_FAILED_STATUS, DRY_RUN_STATUS, TrailbookError } from '../../errors.js';
import { writeOutputFile } from '../../files.js';
import { sanitizeForTerminal } from '../../report/escape.js';
import { applyPlan, parsePlan, sha256Hex } from '../../respond/apply.js';
import { checkEvidenceRepository, recordResponse } from '../../respond/record.js';
import { parseParamArgs } from '../../runbook/compile.js';
import { resolveRunbook } from '../../runbook/resolve.js';
import { openedRules } from '../../respond/load.js';
import { planResponse } from '../../respond/plan.js';
import { renderPlanText, renderResultText } from '../../respond/render.js';
import { collectList, DB_HELP, PORT_RUNBOOK, settingsFor } from '../options.js';
import { withStoreReport } from '../report-run.js';

interface PlanFlags {
  db?: string;
  runbook?: string;
  param?: string[];
  intel?: string[];
  trusted?: string;
  format: string;
  quarantineSg?: string;
}

interface ApplyFlags {
  yes?: boolean;
  profile?: string;
  region?: string;
  format: string;
  out?: string;
  evidence?: string;
}

/**
 * `respond plan <finding-id>`: the containment steps for one finding's decision, printed, never
 * executed (src/respond/, docs/respond.md). The report is the one `run`/`investigate` make on the
 * store, with the same runbook, parameters, feeds and trusted networks. `respond apply <plan>`:
 * the reviewed plan run against AWS (src/respond/apply.ts; a dry run without --yes).
 */
export function register(program: Command): void {
  const respond = program
    .command('respond')
    .description("plan the containment of a finding (AWS CLI commands, SDK calls, each step's undo), then apply the reviewed plan");
  respond
    .command('plan')
    .description("the containment steps for one finding's decision: revoke the rule it opened, deactivate the key, quarantine and snapshot the instance")
    .argument('<finding-id>', "the finding's id in the report (e.g. exposure:dbe90ba0, credential:6bbe7ac0)")
    .option('--db <file>', DB_HELP)
    .option('--runbook <runbook>', 'the runbook whose finding it is: a folder or an id (default: port-exposure, as investigate)')
    .option('--param <name=value>', 'a runbook parameter, as given to `trailbook run` (repeat)', collectList)
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat): the same as the report was made with', collectList)
    .option('--trusted <file>', 'trusted-networks YAML: the same as the report was made with')
    .option('--quarantine-sg <group-id>', 'a security group that allows nothing: plans moving the instance to it')
    .option('--format <format>', 'text | json (trailbook.respond-plan/v1)', 'text')
    .action(async (findingId: string, flags: PlanFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json')
        throw new TrailbookError('USAGE', `unknown format "${flags.format}"`, { hint: 'use text or json' });
      const runbookDir = flags.runbook === undefined ? PORT_RUNBOOK : resolveRunbook(flags.runbook);
      const parameters: Record<string, unknown> = parseParamArgs(flags.param ?? []);
      const port = runbookDir === PORT_RUNBOOK;
      const settings = settingsFor(
        { db: flags.db, intel: flags.intel, trusted: flags.trusted },
        port ? ['db', 'intel', 'trusted', 'port'] : ['db', 'intel', 'trusted'],
      );
      if (port && parameters['port'] === undefined) parameters['port'] = settings.port;
      const now = new Date();
      const plan = await withStoreReport({ runbookDir, parameters, settings, now }, async (engine, report) => {
        const finding = report.findings.find((f) => f.id === findingId);
        if (!finding) {
          const ids = report.findings.map((f) => `${f.id} (${f.decision.action})`);
          throw new TrailbookError('USAGE', `no finding "${findingId}" in the ${report.runbook.id} report`, {
            hint: ids.length ? `the findings: ${ids.join(', ')}` : 'the report has no findings (same --param, --intel and --trusted as the report?)',
          });
        }
        const to = typeof report.parameters['to'] === 'string' ? report.parameters['to'] : undefined;
        return planResponse({
          finding,
          rules: await openedRules(engine, finding, to),
          ...(flags.quarantineSg === undefined ? {} : { quarantineGroup: flags.quarantineSg }),
          now: now.toISOString(),
        });
      });
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
    });
  respond
    .command('apply')
    .description('run a reviewed plan against AWS step by step (checks, EC2 DryRun, the change); without --yes a dry run that changes nothing')
    .argument('<plan>', 'the plan file: `respond plan <finding-id> --format json > plan.json`')
    .option('--yes', 'make the changes (without it: only the read-only checks and EC2 dry runs)')
    .option('--profile <name>', 'AWS profile of ~/.aws/config and credentials (default: the standard credential chain)')
    .option('--region <region>', "confirm the region: refused unless every step's region is this one (a plan names its own)")
    .option('--format <format>', 'text | json (trailbook.respond-result/v1)', 'text')
    .option('--out <file>', 'also write the result as JSON (trailbook.respond-result/v1) to this file')
    .option('--evidence <repo>', 'an evidence repository (trailbook evidence commit): commit the plan and the result to it')
    .action(async (file: string, flags: ApplyFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json')
        throw new TrailbookError('USAGE', `unknown format "${flags.format}"`, { hint: 'use text or json' });
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new TrailbookError('INPUT', `cannot read the plan ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
          location: file,
        });
      }
      const plan = parsePlan(bytes, file);
      const elsewhere = flags.region === undefined ? [] : plan.steps.filter((s) => s.region !== flags.region);
      if (elsewhere.length)
        throw new TrailbookError(
          'USAGE',
          `--region ${flags.region} does not match the plan: step ${plan.steps.indexOf(elsewhere[0]!) + 1} is in ${elsewhere[0]!.region}`,
          {
            hint: 'a plan runs each step in the region it names; drop --region, or make the plan again',
          },
        );
      if (flags.evidence !== undefined) checkEvidenceRepository(flags.evidence);
      // Loaded here, not at the top: the EC2 client alone takes over half a second to import, and every other command would pay it.
      const { SdkExecutor } = await import('../../respond/sdk.js');
      const executor = new SdkExecutor(flags.profile === undefined ? {} : { profile: flags.profile });
      const result = await applyPlan(plan, executor, {
        yes: flags.yes === true,
        file,
        sha256: sha256Hex(bytes),
        onStep: (step, total) =>
          process.stderr.write(`step ${step.index}/${total}: ${step.action} ${sanitizeForTerminal(step.target)}${flags.yes ? '' : ' (dry run)'}\n`),
      }).finally(() => executor.close());
      const json = `${JSON.stringify(result, null, 2)}\n`;
      if (flags.out !== undefined) writeOutputFile(flags.out, json, '--out');
      if (flags.evidence !== undefined) {
        const recorded = recordResponse(flags.evidence, bytes, result);
        process.stderr.write(`recorded in ${sanitizeForTerminal(flags.evidence)}: ${recorded.path} (commit ${recorded.commit})\n`);
      }
      process.stdout.write(flags.format === 'json' ? json : renderResultText(result));
      if (result.outcome === 'would-apply') process.exitCode = DRY_RUN_STATUS;
      else if (result.outcome === 'failed' || result.outcome === 'would-fail' || result.outcome === 'refused') process.exitCode = APPLY_FAILED_STATUS;
    });
}

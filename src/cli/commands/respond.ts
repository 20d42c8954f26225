import type { Command } from 'commander';
import { TrailbookError } from '../../errors.js';
import { parseParamArgs } from '../../runbook/compile.js';
import { resolveRunbook } from '../../runbook/resolve.js';
import { openedRules } from '../../respond/load.js';
import { planResponse } from '../../respond/plan.js';
import { renderPlanText } from '../../respond/render.js';
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

/**
 * `respond plan <finding-id>`: the containment steps for one finding's decision, printed, never
 * executed (src/respond/, docs/respond.md). The report is the one `run`/`investigate` make on the
 * store, with the same runbook, parameters, feeds and trusted networks.
 */
export function register(program: Command): void {
  const respond = program
    .command('respond')
    .description("plan the containment of a finding: AWS CLI commands, SDK calls and each step's undo (nothing is executed)");
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
}

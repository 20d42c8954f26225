import { TrailbookError } from '../errors.js';
import type { PruneFilter } from '../sources/s3-layout.js';
import type { Plan } from './compile.js';
import type { Runbook } from './schema.js';

/**
 * The window of events a run of the runbook reads, from its `logWindow` and the plan's values:
 * what `run`/`investigate` may leave unread when they ingest (S3 folders never listed, AWS-layout
 * files never opened). Empty, so nothing is pruned, when the runbook declares no `logWindow`:
 * a step that reads past its parameters (a rule opened before `from` and still open) must not
 * lose those events to pruning.
 */
export function logWindowOf(runbook: Runbook, plan: Plan): Pick<PruneFilter, 'from' | 'to'> {
  const declared = runbook.logWindow;
  if (!declared) return {};
  const bound = (side: 'from' | 'to'): Date | undefined => {
    const name = declared[side];
    if (name === undefined) return undefined;
    const parameter = plan.parameters[name];
    if (parameter?.type !== 'timestamp' || typeof parameter.value !== 'string') {
      throw new TrailbookError('RUNBOOK_INVALID', `logWindow.${side} names "${name}", which is not a timestamp parameter of runbook ${runbook.id}`, {
        hint: 'name one of the runbook’s timestamp parameters, or leave the side out',
      });
    }
    return new Date(parameter.value);
  };
  const from = bound('from');
  const to = bound('to');
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

import { COPIED_EVENT_NAMES } from '../caches/exposure.js';
import type { Plan } from '../runbook/compile.js';

/**
 * Answer-first (docs/report.md, "Answered first"): on a cold store, the first report should not
 * wait for every record of the trail to be stored, when the runbook reads a sliver of it. The
 * port questions read the events that open, close or attach network paths (the exposure
 * candidates, the interface-group events of src/topology and the path changes src/ports does not
 * model: `COPIED_EVENT_NAMES`, the names the store's exposure copy keeps for the same reason) and
 * the flow records on the port with every record of the interfaces they touch (flows/find.ts).
 * Those are read into a throw-away store (ingest's `only`), the report made there, and the full
 * ingest runs after it is printed; the answers are the same as on the store, which the tests hold
 * it to (test/investigate/answer-first.test.ts).
 *
 * A runbook with an SQL step can read any event, so it is answered from the store as before.
 */
export interface AnswerFirstScope {
  eventNames: readonly string[];
  flowPorts: readonly number[];
}

export type AnswerFirstPlan = { scope: AnswerFirstScope } | { reason: string };

/** What the answer-first scan must keep for `plan`, or why the plan cannot be answered that way. Pure. */
export function answerFirstPlan(plan: Plan): AnswerFirstPlan {
  const sql = plan.steps.find((s) => s.kind === 'sql');
  if (sql) return { reason: `its step "${sql.id}" is SQL, which may read any event` };
  const flowPorts = new Set<number>();
  for (const step of plan.steps) {
    if (step.kind !== 'flows') continue;
    const port = step.options['port'];
    if (typeof port !== 'number' || !Number.isInteger(port)) return { reason: `its step "${step.id}" has no single port` };
    flowPorts.add(port);
  }
  return { scope: { eventNames: COPIED_EVENT_NAMES, flowPorts: [...flowPorts].sort((a, b) => a - b) } };
}

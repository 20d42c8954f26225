import { sanitizeForTerminal } from '../report/escape.js';
import type { ResponsePlan } from './plan.js';

/** The plan for a terminal or a ticket: each step's change, the command, the check before it and the undo. */
export function renderPlanText(plan: ResponsePlan): string {
  const t = sanitizeForTerminal;
  const lines = [`Response plan for ${t(plan.finding.id)}: ${t(plan.finding.title)}`, `decision: ${plan.finding.action} — ${t(plan.summary)}`];
  if (plan.account) lines.push(`account: ${plan.account} (run with credentials for it)`);
  lines.push('nothing has been executed: review each command, then run it yourself', '');
  plan.steps.forEach((step, i) => {
    lines.push(`${i + 1}. ${step.action} ${t(step.target)} (${step.region})`, `   changes: ${t(step.changes)}`);
    for (const check of step.before) lines.push(`   check first: ${t(check.command)}`);
    lines.push(`   run:  ${t(step.call.command)}`, `   sdk:  ${step.call.sdk.client} ${step.call.sdk.command}`);
    lines.push(`   undo: ${step.undo.call ? t(step.undo.call.command) : '(no single command)'}`, `         restores ${t(step.undo.restores)}`);
    for (const note of step.notes) lines.push(`   note: ${t(note)}`);
    lines.push('');
  });
  for (const r of plan.refused) lines.push(`refused: ${t(r.field)}${r.sourceRef ? ` of ${t(r.sourceRef)}` : ''}: ${t(r.reason)}`);
  for (const note of plan.notes) lines.push(`note: ${t(note)}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

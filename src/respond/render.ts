import { sanitizeForTerminal } from '../report/escape.js';
import type { ResponsePlan } from './plan.js';
import type { ResponseResult, StepResult } from './result-schema.js';

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

const STATUS_WORDS: Record<StepResult['status'], string> = {
  ok: 'done',
  checked: 'checked (not changed)',
  failed: 'FAILED',
  skipped: 'skipped',
  refused: 'REFUSED',
};

/** What `respond apply` did, or (dry run) would do: each step's status, its calls, and how to undo what changed. */
export function renderResultText(result: ResponseResult): string {
  const t = sanitizeForTerminal;
  const dry = result.mode === 'dry-run';
  const lines = [
    `${dry ? 'Dry run of' : 'Applied'} the response plan for ${t(result.plan.finding.id)}: ${t(result.plan.finding.title)}`,
    `outcome: ${result.outcome}${dry ? ' — nothing was changed' : ''}`,
    '',
  ];
  for (const step of result.steps) {
    lines.push(`${step.index}. ${step.action} ${t(step.target)} (${step.region}): ${STATUS_WORDS[step.status]}`);
    if (step.reason) lines.push(`   ${t(step.reason)}`);
    for (const call of step.calls) {
      const answer = call.verdict ?? (call.error ? `${call.error.code}: ${call.error.message}` : 'ok');
      lines.push(`   ${call.phase.padEnd(7)} ${t(call.command)}`, `           → ${t(answer)}${call.requestId ? ` (request ${call.requestId})` : ''}`);
    }
    if (step.changed) lines.push(`   undo: ${step.undo.command ? t(step.undo.command) : '(no single command)'} — restores ${t(step.undo.restores)}`);
    lines.push('');
  }
  for (const note of result.notes) lines.push(`note: ${t(note)}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

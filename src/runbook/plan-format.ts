import type { Plan } from './compile.js';

/** `runbook plan` output. JSON is stable machine output; text is for reading before a run. */
export function planToJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

export function formatPlanText(plan: Plan): string {
  const out: string[] = [];
  out.push(`runbook ${plan.runbook.id} ${plan.runbook.version}: ${plan.runbook.title}`);
  out.push(`now: ${plan.now}`);
  out.push('', 'parameters:');
  const names = Object.keys(plan.parameters);
  const width = Math.max(0, ...names.map((n) => n.length));
  for (const name of names) {
    const p = plan.parameters[name]!;
    out.push(`  ${name.padEnd(width)}  ${p.type.padEnd(11)}  ${JSON.stringify(p.value)}${p.source === 'default' ? '  (default)' : ''}`);
  }
  plan.steps.forEach((step, index) => {
    out.push('', `step ${index + 1}/${plan.steps.length}  ${step.id}  (${step.kind === 'sql' ? 'sql' : `built-in ${step.kind}`}): ${step.title}`);
    if (step.kind === 'sql') {
      for (const line of step.sql.trimEnd().split('\n')) out.push(`    ${line}`);
      const bound = Object.entries(step.params);
      out.push(bound.length === 0 ? '  bound: none' : '  bound:');
      for (const [name, p] of bound) out.push(`    $${name} = ${JSON.stringify(p.value)}  (${p.type})`);
    } else {
      out.push('  options:');
      for (const [key, value] of Object.entries(step.options)) out.push(`    ${key} = ${JSON.stringify(value)}`);
    }
  });
  if (plan.questions.length) {
    out.push('', 'questions the report answers:');
    plan.questions.forEach((q, i) => out.push(`  Q${i + 1}  ${q.label}`));
  }
  const signals = Object.entries(plan.signals);
  if (signals.length) {
    out.push('', 'signals the decision tests, per finding:');
    const width = Math.max(...signals.map(([n]) => n.length));
    for (const [name, meaning] of signals) out.push(`  ${name.padEnd(width)}  ${meaning}`);
  }
  return out.join('\n') + '\n';
}

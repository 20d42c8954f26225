import { TrailbookError } from '../errors.js';
import { REPORT_SCHEMA_V1, type AnswersV1, type FindingKindV1, type FindingV1, type Report, type ReportV1 } from './contract.js';

/**
 * `trailbook.report/v1` from a v2 report: the port runbook's report as its consumers have parsed
 * it since v1 (the five answers under their names, `parameters.port`, the three finding kinds),
 * without what v2 added (title, subject, steps, questions, answerRows, labels and signals). Kept
 * until 2027-12-31 (docs/report.md); a report that does not fit is refused, never bent.
 */
const V1_KINDS: readonly string[] = ['exposure', 'attempt', 'traffic'] satisfies FindingKindV1[];
const V1_ANSWERS = [
  'firstSeen',
  'firstRequest',
  'firstChange',
  'direction',
  'eventSources',
  'credentials',
  'sources',
] as const satisfies readonly (keyof AnswersV1)[];

export function toV1(report: Report): ReportV1 {
  const problems: string[] = [];
  const port = report.parameters['port'];
  if (typeof port !== 'number') problems.push('it has no integer parameter `port`');
  for (const name of V1_ANSWERS) if (!Object.hasOwn(report.answers, name)) problems.push(`it has no answer \`${name}\``);
  const kinds = [...new Set(report.findings.map((f) => f.kind).filter((k) => !V1_KINDS.includes(k)))];
  if (kinds.length) problems.push(`its finding kinds ${kinds.join(', ')} are not v1's`);
  if (problems.length) {
    throw new TrailbookError('USAGE', `runbook ${report.runbook.id}'s report does not fit ${REPORT_SCHEMA_V1}: ${problems.join('; ')}`, {
      hint: 'ask for the generic contract instead: --schema v2',
    });
  }
  const { title: _title, ...runbook } = report.runbook;
  const answers = Object.fromEntries(V1_ANSWERS.map((name) => [name, report.answers[name]])) as unknown as AnswersV1;
  const time = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    schema: REPORT_SCHEMA_V1,
    generatedAt: report.generatedAt,
    runbook,
    parameters: { ...report.parameters, port: port as number, from: time(report.parameters['from']), to: time(report.parameters['to']) },
    inputs: report.inputs,
    answers,
    // Keys in v1's order (id, kind, title, …): consumers diffing reports see no churn.
    findings: report.findings.map(({ label: _label, signals: _signals, id, kind, ...rest }): FindingV1 => ({ id, kind: kind as FindingKindV1, ...rest })),
  };
}

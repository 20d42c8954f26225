/**
 * What lint and load report: one problem per finding about the runbook, each with a stable code
 * (tests and CI match on it), a message, a `file:line:col` location and a severity. Errors fail
 * `runbook lint`; warnings are printed and do not.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  /** `path/to/runbook.yaml:12:5` */
  location: string;
  hint?: string;
}

export function problem(code: string, message: string, location: string, extra: { severity?: Severity; hint?: string } = {}): Problem {
  const out: Problem = { code, severity: extra.severity ?? 'error', message, location };
  if (extra.hint !== undefined) out.hint = extra.hint;
  return out;
}

export function formatProblem(p: Problem): string {
  return `${p.location}: ${p.severity} ${p.code}: ${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Errors first, then by file position, so output is stable and the first line is the worst. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const position = (location: string) => {
    const match = /:(\d+):(\d+)$/.exec(location);
    return match ? [Number(match[1]), Number(match[2])] : [0, 0];
  };
  return [...problems].sort((a, b) => {
    if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
    const [al, ac] = position(a.location);
    const [bl, bc] = position(b.location);
    return al! - bl! || ac! - bc! || a.code.localeCompare(b.code);
  });
}

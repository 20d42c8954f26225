import { sanitizeForTerminal } from '../../report/escape.js';
import type { DigestResult, IntegrityReport, LogFileResult } from './types.js';

/**
 * The terminal view of an integrity report: totals, then one line per digest and per log file,
 * problems first. Keys and reasons come from files an attacker may have written, so every line is
 * escaped for the terminal.
 */
const LABEL: Record<string, string> = {
  valid: 'VALID',
  invalid: 'INVALID',
  'signature-unavailable': 'NO SIGNATURE',
  missing: 'MISSING',
  unverified: 'UNVERIFIED',
  'outside-input': 'NOT GIVEN',
  'digest-missing': 'DIGEST MISSING',
  'not-covered': 'NOT COVERED',
};

function counts(statuses: readonly string[]): string {
  const n = new Map<string, number>();
  for (const s of statuses) n.set(s, (n.get(s) ?? 0) + 1);
  return [...n].map(([status, count]) => `${count} ${LABEL[status]!.toLowerCase()}`).join(', ') || 'none';
}

const problemsFirst = <T extends { status: string }>(rows: readonly T[]) => [
  ...rows.filter((r) => r.status !== 'valid'),
  ...rows.filter((r) => r.status === 'valid'),
];

function digestLine(d: DigestResult): string[] {
  const where = d.path ?? d.key;
  const notes = [
    d.signatureSource ? `signature from ${d.signatureSource}` : '',
    d.chainStart === 'first-digest' ? 'first digest of its chain' : '',
    d.chainStart === 'before-input' ? 'chain continues before the files given' : '',
  ].filter(Boolean);
  const head = `${LABEL[d.status]!.padEnd(15)} digest  ${where}${notes.length ? `  (${notes.join('; ')})` : ''}`;
  if (d.status === 'signature-unavailable') return [head, `${' '.repeat(24)}no signature: give ${where}.sig or --signatures (docs/evidence.md)`];
  return [head, ...d.problems.map((p) => `${' '.repeat(24)}${p.code}: ${p.message}`)];
}

function logLine(l: LogFileResult): string[] {
  const head = `${LABEL[l.status]!.padEnd(15)} log     ${l.path ?? l.key}`;
  return l.reason ? [head, `${' '.repeat(24)}${l.reason}`] : [head];
}

export function renderIntegrityText(report: IntegrityReport): string {
  const lines = [
    'CloudTrail log-file integrity, checked offline (as aws cloudtrail validate-logs)',
    `digests:   ${counts(report.digests.map((d) => d.status))}`,
    `log files: ${counts(report.logFiles.map((l) => l.status))}`,
  ];
  if (report.uncheckedInsightFiles) lines.push(`insights:  ${report.uncheckedInsightFiles} CloudTrail Insights files no digest lists, not judged`);
  lines.push(report.ok ? 'result:    every file given is valid' : 'result:    NOT VALID: see the lines below', '');
  for (const d of problemsFirst(report.digests)) lines.push(...digestLine(d));
  for (const l of problemsFirst(report.logFiles)) lines.push(...logLine(l));
  return lines.map(sanitizeForTerminal).join('\n') + '\n';
}

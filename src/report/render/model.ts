import type { Action, AnswerType, AnswerValue, Credentials, EvidenceRow, Finding, Report, SourceAssessment } from '../contract.js';

/**
 * What every renderer derives from a report the same way: severity order, the runbook's
 * questions with their answers (and the evidence row an answer was read from), how an evidence
 * row reads (API call or connection).
 * Keeping it here means text, Markdown and HTML cannot disagree about what they show.
 */

/** Most severe first (docs/report.md). */
export const ACTION_ORDER: readonly Action[] = ['isolate', 'escalate', 'ticket', 'false-positive'];

/** One answer as a renderer shows it: typed value, and the evidence row it was read from, if any. */
export type AnswerView =
  | { label?: string; type: 'time'; value: string | null; row: EvidenceRow | null }
  | { label?: string; type: 'list'; value: string[] }
  | { label?: string; type: 'number'; value: number }
  | { label?: string; type: 'yes-no'; value: boolean }
  | { label?: string; type: 'direction'; value: string }
  | { label?: string; type: 'credentials'; value: Credentials[] }
  | { label?: string; type: 'parties'; value: SourceAssessment[] };

export interface QuestionView {
  n: number;
  label: string;
  answer: AnswerView;
  details: AnswerView[];
}

/** What answering the questions reads of a report (an alert carries these, not the whole report). */
export type AnsweredReport = Pick<Report, 'questions' | 'answers' | 'answerRows' | 'findings'>;

/** The runbook's questions in order, each with its answer and details, typed for rendering. */
export function questionViews(report: AnsweredReport): QuestionView[] {
  return report.questions.map((q, i) => ({
    n: i + 1,
    label: q.label,
    answer: { ...answerView(report, q.answer, q.type), ...(q.answerLabel ? { label: q.answerLabel } : {}) },
    details: q.details.map((d) => ({ ...answerView(report, d.answer, d.type), label: d.label })),
  }));
}

function answerView(report: AnsweredReport, id: string, type: AnswerType): AnswerView {
  const value: AnswerValue | undefined = report.answers[id];
  switch (type) {
    case 'time':
      return { type, value: typeof value === 'string' ? value : null, row: answerRow(report, id) };
    case 'list':
      return { type, value: Array.isArray(value) ? (value as unknown[]).map(String) : [] };
    case 'number':
      return { type, value: typeof value === 'number' ? value : 0 };
    case 'yes-no':
      return { type, value: value === true };
    case 'direction':
      return { type, value: typeof value === 'string' ? value : 'none' };
    case 'credentials':
      return { type, value: Array.isArray(value) ? (value as Credentials[]) : [] };
    case 'parties':
      return { type, value: Array.isArray(value) ? (value as SourceAssessment[]) : [] };
  }
}

function answerRow(report: AnsweredReport, id: string): EvidenceRow | null {
  const from = report.answerRows[id];
  if (!from) return null;
  const finding = report.findings.find((f) => f.id === from.finding);
  return finding?.evidence.find((row) => row.source_ref === from.source_ref) ?? null;
}

/** "THE FIVE ANSWERS": the heading names how many questions the runbook asks. */
export function answersHeading(report: Report): string {
  const words = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
  const n = report.questions.length;
  return n === 1 ? 'the answer' : `the ${words[n] ?? String(n)} answers`;
}

/** The first time answer of the first question, for one-line summaries ("first seen …"). */
export function firstSeenOf(report: Report): string | null {
  const first = report.questions[0];
  if (!first || first.type !== 'time') return null;
  const value = report.answers[first.answer];
  return typeof value === 'string' ? value : null;
}

/** What was investigated: the runbook's subject (`port 8443`), else the runbook's title. */
export function subjectText(report: Report): string {
  return report.subject ?? report.runbook.title;
}

/** True when the runbook read flow logs: only then does "no connections" mean something. */
export function readsFlows(report: Report): boolean {
  return report.steps.some((s) => s.kind === 'flows') || report.findings.some((f) => f.flows.connections > 0);
}

const time = (iso: string) => Date.parse(iso);

/** Findings by severity, then earliest first; stable, so equal findings keep the report's order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        ACTION_ORDER.indexOf(a.finding.decision.action) - ACTION_ORDER.indexOf(b.finding.decision.action) ||
        time(a.finding.firstSeen) - time(b.finding.firstSeen) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

/** The outcome of the run: the most severe action, or null when nothing was found. */
export function overallAction(report: Report): Action | null {
  for (const action of ACTION_ORDER) if (report.findings.some((f) => f.decision.action === action)) return action;
  return null;
}

export function actionCounts(report: Report): { action: Action; count: number }[] {
  return ACTION_ORDER.map((action) => ({ action, count: report.findings.filter((f) => f.decision.action === action).length })).filter((c) => c.count > 0);
}

export interface RowReading {
  /** A flow-log connection (`source_ref` starts with `flow:`) or a CloudTrail event. */
  kind: 'connection' | 'event';
  direction: 'inbound' | 'outbound' | null;
  /** For connections: ACCEPT → true, REJECT → false, otherwise (MIXED, unknown) null. */
  accepted: boolean | null;
}

/**
 * How an evidence row reads. The contract has no typed fields for a connection's direction and
 * verdict, so they are read from its `action` text (`inbound ACCEPT`, `outbound REJECT`, ...).
 */
export function readRow(row: EvidenceRow): RowReading {
  if (!row.source_ref.startsWith('flow:')) return { kind: 'event', direction: null, accepted: null };
  const direction = /\binbound\b/i.test(row.action) ? 'inbound' : /\boutbound\b/i.test(row.action) ? 'outbound' : null;
  const accepted = /\bACCEPT(ED)?\b/i.test(row.action) ? true : /\bREJECT(ED)?\b/i.test(row.action) ? false : null;
  return { kind: 'connection', direction, accepted };
}

export function keyKindText(c: Credentials): string {
  if (c.keyKind === 'long-term') return 'long-term key (AKIA)';
  if (c.keyKind === 'session') return 'session key (ASIA)';
  return 'no access key';
}

export function mfaText(mfa: boolean | null): string {
  return mfa === null ? 'MFA unknown' : mfa ? 'MFA yes' : 'MFA no';
}

export function viaText(via: Credentials['via']): string {
  return via === 'api' ? 'via API' : via === 'console' ? 'via console' : 'via an AWS service';
}

/** 5085820 → "5.1 MB": a 3 a.m. reader wants the order of magnitude, JSON keeps the exact count. */
export function bytesText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function flowsText(f: Finding): string {
  const { connections, acceptedConnections, bytes, externalPeers } = f.flows;
  if (connections === 0) return 'no connections in the flow logs';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(connections, 'connection')}, ${acceptedConnections} accepted, ${bytesText(bytes)}, ${plural(externalPeers, 'external peer')}`;
}

/** "53m26s", "2h05m", "3d4h": how long a window stayed open. */
export function durationText(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((time(toIso) - time(fromIso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

const PROTOCOL_NAMES: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'icmpv6' };

/**
 * A flow row's `source_ref` (`flow:eni|protocol|src|srcport|dst|dstport`, the key the JSON keeps)
 * for a person: `tcp 198.51.100.23:51000 → 10.0.1.25:8443 on eni-…`. Where the row's detail already
 * says the addresses and ports (`withTuple` false), only the protocol and the interface. Other
 * references (CloudTrail event ids) are returned as they are.
 */
export function refText(ref: string, withTuple = true): string {
  const parts = ref.startsWith('flow:') ? ref.slice(5).split('|') : [];
  if (parts.length !== 6) return ref;
  const [eni, protocol, src, srcPort, dst, dstPort] = parts as [string, string, string, string, string, string];
  const name = PROTOCOL_NAMES[protocol] ?? `protocol ${protocol}`;
  return withTuple ? `${name} ${src}:${srcPort} → ${dst}:${dstPort} on ${eni}` : `${name} on ${eni}`;
}

/**
 * What the run covered, beside the report (the CLI knows it; the report contract does not hold
 * it): whether the user gave the window's start, and the first and last time in the logs read.
 */
export interface Coverage {
  fromGiven: boolean;
  logs: { first: string; last: string } | null;
}

/**
 * The run's time range when the runbook has `from`/`to` parameters; null when it has neither.
 * With `coverage`, a start the user did not give (the runbook's default, e.g. 2000-01-01) is
 * "all logs", and the span the logs really cover follows.
 */
export function runWindowText(report: Report, coverage?: Coverage): string | null {
  const { from, to } = report.parameters;
  if (from === undefined && to === undefined) return null;
  const start = coverage && !coverage.fromGiven ? 'all logs' : typeof from === 'string' ? from : 'beginning';
  const span = coverage?.logs ? ` (logs cover ${coverage.logs.first} → ${coverage.logs.last})` : '';
  return `${start} → ${typeof to === 'string' ? to : 'now'}${span}`;
}

/**
 * How much of a long list a page meant for a person (the terminal, a ticket) shows: every item up
 * to `max`; beyond that the first `head` and the last `tail`, and one line that counts the rest
 * and says where they are. At 3 a.m. forty screens of one finding's rows hide the next finding;
 * the JSON and HTML reports, and `--full`, keep everything.
 */
export interface ListLimit {
  max: number;
  head: number;
  tail: number;
}

/** Evidence rows: the earliest show how it started, the latest whether it is still going on. */
export const EVIDENCE_LIMIT: ListLimit = { max: 20, head: 12, tail: 5 };
/** Exposure windows of one finding, in the order they opened. */
export const WINDOW_LIMIT: ListLimit = { max: 12, head: 8, tail: 3 };
/** Identities and parties, most telling first as the report orders them. */
export const PARTY_LIMIT: ListLimit = { max: 12, head: 10, tail: 0 };

export interface Shortened<T> {
  head: T[];
  /** What is left out, in order (empty when everything is shown). */
  omitted: T[];
  tail: T[];
}

/** `items` cut to `limit`; everything when `limit` is null (`--full`). */
export function shorten<T>(items: readonly T[], limit: ListLimit | null): Shortened<T> {
  if (limit === null || items.length <= limit.max) return { head: [...items], omitted: [], tail: [] };
  const tailStart = items.length - limit.tail;
  return { head: items.slice(0, limit.head), omitted: items.slice(limit.head, tailStart), tail: items.slice(tailStart) };
}

/** `301 suspicious, 97 known`: the verdicts of parties left out, most severe first. */
export function verdictCountsText(sources: readonly SourceAssessment[]): string {
  const counts = new Map<string, number>();
  for (const s of sources) counts.set(s.verdict, (counts.get(s.verdict) ?? 0) + 1);
  return (['suspicious', 'known', 'allowed'] as const)
    .filter((v) => counts.has(v))
    .map((v) => `${counts.get(v)} ${v}`)
    .join(', ');
}

/** `40 more windows, 12 still open`: windows left out, and how many of them are still open. */
export function windowsLeftText(windows: readonly { closedAt: string | null }[]): string {
  const open = windows.filter((w) => w.closedAt === null).length;
  return `${windows.length} more window${windows.length === 1 ? '' : 's'}${open ? `, ${open} still open` : ''}`;
}

/** The time span of evidence rows left out: `2024-05-02T01:00:00Z → 2024-05-12T20:00:00Z`. */
export function evidenceSpanText(rows: readonly EvidenceRow[]): string {
  const times = rows.map((r) => r.ts).filter((t) => t !== '');
  return times.length ? `${times[0]} → ${times.at(-1)}` : '';
}

/**
 * The logs half of the inputs line: what the store counted; answered first (before the logs were
 * stored), the files scanned; or, when the runbook ran on Athena over the bucket and nothing was counted (a count there is a billed scan), where the logs were read.
 * `name` renders the catalog and database as the format writes names (escaped by the caller).
 */
export function logInputsText(inputs: Report['inputs'], name: (text: string) => string = (text) => text): string {
  const { cloudtrail, vpcflow, engine } = inputs;
  if (inputs.answeredFrom === 'scan') {
    return (
      `answered first, before the logs were stored: CloudTrail ${cloudtrail.files} files (${cloudtrail.skipped.length} skipped) · ` +
      `flow logs ${vpcflow.files} files (${vpcflow.skipped.length} skipped), read for what the runbook needs (events and records not counted)`
    );
  }
  if (cloudtrail.events === null || vpcflow.records === null) {
    const where = engine ? ` in ${name(`${engine.catalog}.${engine.database}`)}` : '';
    return `CloudTrail and flow logs read on Athena${where} (not counted: a count would be a billed scan)`;
  }
  return (
    `CloudTrail ${cloudtrail.events} events in ${cloudtrail.files} files (${cloudtrail.skipped.length} skipped) · ` +
    `flow logs ${vpcflow.records} records in ${vpcflow.files} files (${vpcflow.skipped.length} skipped)`
  );
}

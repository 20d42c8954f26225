import type { Action, Credentials, EvidenceRow, Finding, Report, SourceAssessment, SourceVerdict } from '../contract.js';
import {
  EVIDENCE_LIMIT,
  PARTY_LIMIT,
  WINDOW_LIMIT,
  windowsLeftText,
  actionCounts,
  answersHeading,
  durationText,
  evidenceSpanText,
  firstSeenOf,
  flowsText,
  keyKindText,
  mfaText,
  overallAction,
  questionViews,
  readRow,
  readsFlows,
  refText,
  runWindowText,
  shorten,
  sortFindings,
  subjectText,
  verdictCountsText,
  viaText,
  type AnswerView,
  type ListLimit,
} from './model.js';
import { logInputsText, type Coverage } from './model.js';
import { plain as oneLine } from './safe.js';
import { clipValue, cutEnd, layoutTable, pad, wrap, type Column } from './text-layout.js';

/**
 * The terminal report, for an analyst at 3 a.m.: the outcome, the runbook's answers, then the
 * findings most severe first, each with its decision path, reasons, how to verify, and evidence.
 * Every log-derived value goes through `plain` (no escape sequence from a log reaches the
 * terminal); colour codes are added afterwards, only when the caller asks.
 */

export interface TextOptions {
  /** Callers pass `!process.env.NO_COLOR && stream.isTTY`. */
  color: boolean;
  /** Terminal columns; 100 when unknown (piped output stays readable in a ticket or a pager). */
  width?: number;
  /** Every evidence row and party; by default long lists are cut (`EVIDENCE_LIMIT`, `PARTY_LIMIT`). */
  full?: boolean;
  /** The window the user asked for and the span of the logs (model.ts Coverage); absent: the parameters as they are. */
  coverage?: Coverage;
}

/** Where the rows a cut list leaves out can be read. */
const ELSEWHERE = '--full, or --format json | html';

/**
 * Every log value on the terminal: one visible line (safe.ts), cut to VALUE_LIMIT characters
 * with a marker, so a planted megabyte costs a page no more than a long ARN does.
 */
const plain = (value: string | number | boolean | null | undefined): string => clipValue(oneLine(value));

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'green' | 'magenta';
const SGR: Record<Style, string> = { bold: '1', dim: '2', red: '31', yellow: '33', cyan: '36', green: '32', magenta: '35' };

const ACTION_STYLE: Record<Action, Style[]> = {
  isolate: ['bold', 'red'],
  escalate: ['bold', 'yellow'],
  ticket: ['bold', 'cyan'],
  'false-positive': ['green'],
};
const VERDICT_STYLE: Record<SourceVerdict, Style[]> = { suspicious: ['bold', 'red'], allowed: ['green'], known: ['cyan'] };

export function renderText(report: Report, options: TextOptions): string {
  const width = Math.max(60, options.width ?? 100);
  const limit = (l: ListLimit) => (options.full ? null : l);
  const paint = (text: string, styles: Style[]) => (options.color && styles.length ? `\u001b[${styles.map((s) => SGR[s]).join(';')}m${text}\u001b[0m` : text);
  const out: string[] = [];
  const para = (text: string, first: string, rest?: string) => out.push(...wrap(text, width, first, rest));

  // Header: what ran, over what.
  out.push(paint(`trailbook · ${plain(subjectText(report))} · runbook ${plain(report.runbook.id)} (${plain(report.runbook.version)})`, ['bold']));
  const window = runWindowText(report, options.coverage);
  para(`${window === null ? '' : `time range ${plain(window)} · `}generated ${plain(report.generatedAt)}`, '');
  para(inputsText(report), '');
  const settings = settingsText(report);
  if (settings) para(settings, '', '  ');
  out.push('');

  out.push(outcomeText(report, paint));
  out.push('');

  // The runbook's questions, answered.
  out.push(paint(answersHeading(report).toUpperCase(), ['bold']));
  for (const q of questionViews(report)) {
    out.push(paint(`Q${q.n}  ${plain(q.label)}`, ['bold']));
    out.push(...answerLines(q.answer, true));
    for (const detail of q.details) out.push(...answerLines(detail, false));
  }
  out.push('');

  function answerLines(view: AnswerView, main: boolean): string[] {
    const lines: string[] = [];
    const put = (text: string, first = '    ', rest?: string) => lines.push(...wrap(text, width, first, rest));
    const label = view.label ? `${plain(view.label)}: ` : '';
    switch (view.type) {
      case 'time': {
        if (view.value === null) {
          if (main) put(`never (no finding)`);
          break;
        }
        const reading = view.row ? rowReading(view.row) : '';
        put(
          `${plain(view.value)}  ${view.label ? plain(view.label) : ''}${view.label && reading ? ': ' : ''}${reading}`.trimEnd(),
          '    ',
          '                          ',
        );
        break;
      }
      case 'list':
        put(`${label}${view.value.length ? view.value.map(plain).join(', ') : 'none'}`);
        break;
      case 'number':
      case 'direction':
        put(`${label}${plain(String(view.value))}`);
        break;
      case 'yes-no':
        put(`${label}${view.value ? 'yes' : 'no'}`);
        break;
      case 'credentials': {
        if (label) put(label.trimEnd());
        if (!view.value.length) put('none');
        const credentials = shorten(view.value, limit(PARTY_LIMIT));
        for (const c of credentials.head) lines.push(...credentialLines(c, width, '    '));
        if (credentials.omitted.length) put(`… ${credentials.omitted.length} more identities (${ELSEWHERE})`);
        break;
      }
      case 'parties':
        if (label) put(label.trimEnd());
        lines.push(...sourceList(view.value, width, '    ', paint, limit(PARTY_LIMIT)));
        break;
    }
    return lines;
  }

  // Findings, most severe first.
  const findings = sortFindings(report.findings);
  out.push(paint(`FINDINGS (${findings.length}, most severe first)`, ['bold']));
  findings.forEach((f, i) => {
    out.push('');
    out.push(...findingLines(f, i + 1, findings.length, width, paint, options.full === true, readsFlows(report)));
  });
  // What a scrolled terminal or a ticket shows last: the whole outcome once more (wrapped to the
  // width here; `investigate --quiet` prints it as one line).
  out.push('');
  para(summaryLine(report), '', '  ');
  return out.join('\n') + '\n';
}

const noPaint: Paint = (text) => text;

/** `OUTCOME: ISOLATE — 4 findings: 1 isolate, …`, or that nothing was found. */
function outcomeText(report: Report, paint: Paint): string {
  const outcome = overallAction(report);
  if (!outcome) return paint(`OUTCOME: nothing found on ${plain(subjectText(report))}`, ['bold', 'green']);
  const counts = actionCounts(report)
    .map((c) => `${c.count} ${c.action}`)
    .join(', ');
  const n = report.findings.length;
  return `${paint(`OUTCOME: ${outcome.toUpperCase()}`, ACTION_STYLE[outcome])} — ${n} finding${n === 1 ? '' : 's'}: ${counts}`;
}

/** An evidence row in words: a connection as `inbound REJECT peer → host (ref)`, an event as `Action on resource by actor from address`. */
function rowReading(r: EvidenceRow): string {
  if (readRow(r).kind === 'connection') return `${plain(r.action)} ${plain(r.source_ip)} → ${plain(r.resource)} (${plain(refText(r.source_ref))})`;
  return `${plain(r.action)} on ${plain(r.resource)} by ${plain(r.actor)} from ${plain(r.source_ip)}`;
}

/**
 * The report in one line (the end of the text report, and all `investigate --quiet` prints):
 * the outcome with its counts, when the port was first seen, and where every row is.
 */
export function summaryLine(report: Report): string {
  const parts = [outcomeText(report, noPaint)];
  const first = firstSeenOf(report);
  if (first) parts.push(`first seen ${plain(first)}`);
  parts.push(`every row: ${ELSEWHERE}`);
  return parts.join(' · ');
}

/**
 * Settings the command line did not show (docs/config.md): what a TRAILBOOK_* variable or
 * trailbook.yaml set, so a different outcome on a re-run is never a mystery.
 */
function settingsText(report: Report): string | undefined {
  const bySource = new Map<string, string[]>();
  for (const [setting, source] of Object.entries(report.inputs.config?.from ?? {})) {
    if (source === 'default' || source.startsWith('--')) continue;
    bySource.set(source, [...(bySource.get(source) ?? []), setting]);
  }
  if (bySource.size === 0) return undefined;
  return `settings: ${[...bySource].map(([source, names]) => `${names.join(', ')} from ${plain(source)}`).join(' · ')}`;
}

function inputsText(report: Report): string {
  const { intel } = report.inputs;
  const feeds = intel.length ? intel.map((i) => `${plain(i.name)} (${i.entries})`).join(', ') : 'none';
  return `inputs: ${logInputsText(report.inputs, plain)} · intel ${feeds}`;
}

function credentialLines(c: Credentials, width: number, indent: string): string[] {
  const head = `${plain(c.identityType ?? 'unknown identity')}  ${plain(c.arn ?? '(no ARN)')}`;
  const parts = [`${c.accessKeyId ? `${plain(c.accessKeyId)} ` : ''}${keyKindText(c)}`, mfaText(c.mfa), viaText(c.via)];
  if (c.issuer) parts.push(`issued by ${plain(c.issuer)}`);
  return [...wrap(head, width, indent), ...wrap(parts.join(' · '), width, `${indent}  `)];
}

type Paint = (text: string, styles: Style[]) => string;

function sourceLines(s: SourceAssessment, width: number, indent: string, paint: Paint): string[] {
  const verdict = s.verdict.toUpperCase().padEnd(10);
  const head = `${plain(s.ip)}${s.role ? ` (${s.role})` : ''}`;
  const lines = wrap(`${verdict} ${head}`, width, indent);
  lines[0] = indent + paint(verdict, VERDICT_STYLE[s.verdict]) + lines[0]!.slice(indent.length + verdict.length);
  for (const reason of s.reasons) lines.push(...wrap(plain(reason), width, `${indent}           - `, `${indent}             `));
  return lines;
}

/** Parties with their verdicts; a cut list ends with the count of the rest by verdict. */
function sourceList(sources: readonly SourceAssessment[], width: number, indent: string, paint: Paint, limit: ListLimit | null): string[] {
  if (!sources.length) return [`${indent}none`];
  const shown = shorten(sources, limit);
  const out = shown.head.flatMap((s) => sourceLines(s, width, indent, paint));
  if (shown.omitted.length) out.push(...wrap(`… ${shown.omitted.length} more (${verdictCountsText(shown.omitted)}; ${ELSEWHERE})`, width, indent));
  return out;
}

function findingLines(f: Finding, n: number, total: number, width: number, paint: Paint, full: boolean, flows: boolean): string[] {
  const out: string[] = [];
  const action = f.decision.action;
  const badge = `[${n}/${total}] ${action.toUpperCase()}`;
  const titleLines = wrap(`${badge}  ${plain(f.title)}`, width, '', '      ');
  titleLines[0] = paint(badge, ACTION_STYLE[action]) + paint(titleLines[0]!.slice(badge.length), ['bold']);
  out.push(...titleLines);
  const sources = f.eventSources.length ? f.eventSources.map(plain).join(', ') : 'no CloudTrail event';
  out.push(...wrap(`${plain(f.label ?? f.kind)} · ${plain(f.firstSeen)} → ${plain(f.lastSeen)}${directionPart(f)} · ${sources}`, width, '  '));
  out.push(...wrap(`id ${plain(f.id)}`, width, '  '));
  out.push(...wrap(`decision path: ${f.decision.path.map(plain).join(' → ')}`, width, '  ', '    '));
  out.push('  reasons:');
  for (const reason of f.decision.reasons) out.push(...wrap(plain(reason), width, '    - ', '      '));
  if (f.decision.verify) {
    const lines = wrap(plain(f.decision.verify), width, '  verify: ', '    ');
    lines[0] = `  ${paint('verify:', ['bold'])}${lines[0]!.slice('  verify:'.length)}`;
    out.push(...lines);
  }
  out.push('  credentials:');
  out.push(...(f.credentials ? credentialLines(f.credentials, width, '    ') : ['    none (no CloudTrail identity)']));
  out.push('  sources:');
  out.push(...sourceList(f.sources, width, '    ', paint, full ? null : PARTY_LIMIT));
  if (flows) out.push(`  flows: ${flowsText(f)}`);
  if (f.windows?.length) {
    out.push('  exposure windows:');
    const windows = shorten(f.windows, full ? null : WINDOW_LIMIT);
    const windowLines = (w: (typeof f.windows)[number]) => {
      const until = w.closedAt ? `${plain(w.closedAt)} (${durationText(w.openedAt, w.closedAt)})` : 'still open';
      return wrap(`${plain(w.openedAt)} → ${until}  ${plain(w.resource)}  ${plain(w.rule)}`, width, '    ', '      ');
    };
    out.push(...windows.head.flatMap(windowLines));
    if (windows.omitted.length) out.push(...wrap(`… ${windowsLeftText(windows.omitted)} (${ELSEWHERE})`, width, '    '));
    out.push(...windows.tail.flatMap(windowLines));
  }
  out.push(...evidenceTable(f, width - 4, paint, full ? null : EVIDENCE_LIMIT).map((l, i) => (i === 0 ? l : `    ${l}`)));
  return out;
}

/** `arn:aws:sts::1111:assumed-role/R/s` → `assumed-role/R/s`: the account is in its own column. */
function shortActor(actor: string): string {
  const m = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.+)$/.exec(actor);
  return m ? m[1]! : actor;
}

/**
 * The evidence rows. On a wide terminal, one line per row with the six shared columns. When that
 * does not fit, each row takes two lines: ts, action, source_ip, resource, then the source_ref
 * (first, so it stays whole: it is what one greps for), the actor and the row's detail. A long
 * list shows its first and last rows and one line for those between.
 */
/** Lines under an evidence row in the narrow layout, unless --full. */
const UNDER_LINES = 2;

function evidenceTable(f: Finding, width: number, paint: Paint, limit: ListLimit | null): string[] {
  if (!f.evidence.length) return ['(none)'];
  const days = new Set(f.evidence.map((r) => r.ts.slice(0, 10)));
  // Within one day the date is said once, in the heading; the rows keep the time.
  const ts = (iso: string) => (days.size === 1 ? iso.slice(11) : iso);
  const shown = shorten(f.evidence, limit);
  const rows = [...shown.head, ...shown.tail].map((r) => ({
    ts: plain(ts(r.ts)),
    actor: plain(shortActor(r.actor ?? '')),
    ip: plain(r.source_ip),
    action: plain(r.action),
    // A flow's key as words; where the detail already gives its addresses, only protocol and interface.
    resource: plain(r.resource),
    ref: plain(refText(r.source_ref, !r.detail?.includes(' → '))),
    detail: plain(r.detail),
  }));
  const total = f.evidence.length;
  const heading = `  evidence (${total} row${total === 1 ? '' : 's'}${days.size === 1 ? `, times on ${plain([...days][0])}` : ''}${shown.omitted.length ? `, ${rows.length} shown` : ''}):`;
  const line = (cells: string[], widths: number[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  // The rows left out, counted in one line where they would be.
  const gap = shown.omitted.length
    ? paint(cutEnd(`… ${shown.omitted.length} more rows, ${plain(evidenceSpanText(shown.omitted))} (${ELSEWHERE})`, width), ['dim'])
    : undefined;
  const withGap = (lines: string[], linesPerRow: number) =>
    gap === undefined ? lines : [...lines.slice(0, shown.head.length * linesPerRow), gap, ...lines.slice(shown.head.length * linesPerRow)];

  // Wide terminals: one line per row, with the detail column when it fits too.
  for (const withDetail of [true, false]) {
    const names = ['ts', 'actor', 'source_ip', 'action', 'resource', 'source_ref', ...(withDetail ? ['detail'] : [])];
    const wideRows = rows.map((r) => [r.ts, r.actor, r.ip, r.action, r.resource, r.ref, ...(withDetail ? [r.detail] : [])]);
    const natural = layoutTable(
      names.map((name) => ({ name, min: 0 })),
      wideRows,
      Number.MAX_SAFE_INTEGER,
    );
    if (natural.widths.reduce((a, b) => a + b, 0) + 2 * (names.length - 1) <= width) {
      const [head, ...body] = natural.cells.map((cells) => line(cells, natural.widths));
      return [heading, paint(head!, ['dim']), ...withGap(body, 1)];
    }
  }

  const narrow: Column[] = [
    { name: 'ts', min: 20 },
    { name: 'action', min: 20 },
    { name: 'source_ip', min: 15 },
    { name: 'resource', min: 19 },
  ];
  const { widths, cells } = layoutTable(
    narrow,
    rows.map((r) => [r.ts, r.action, r.ip, r.resource]),
    width,
  );
  const under = ' '.repeat(widths[0]! + 2);
  // Under each row its detail first (the rule, the connection: the value that matters), then the
  // actor and the reference, wrapped; two lines at most unless every row is asked for (--full).
  const underLines = (text: string): string[] => {
    const lines = wrap(text, width, under);
    return limit === null || lines.length <= UNDER_LINES
      ? lines
      : [...lines.slice(0, UNDER_LINES - 1), cutEnd(`${lines[UNDER_LINES - 1]} ${lines[UNDER_LINES]!.trimStart()}`, width)];
  };
  const rowLines = rows.map((r, i) => [
    line(cells[i + 1]!, widths),
    ...underLines([r.detail, r.actor, r.ref].filter(Boolean).join(' · ')).map((l) => paint(l, ['dim'])),
  ]);
  const headLines = rowLines.slice(0, shown.head.length).flat();
  const tailLines = rowLines.slice(shown.head.length).flat();
  const body = gap === undefined ? [...headLines, ...tailLines] : [...headLines, gap, ...tailLines];
  return [heading, paint(line(cells[0]!, widths), ['dim']), paint(`${under}detail · actor · source_ref`, ['dim']), ...body];
}

/** A finding's direction when the runbook's steps gave it one; a CloudTrail-only finding has none to print. */
function directionPart(f: Finding): string {
  return f.direction ? ` · direction ${plain(f.direction)}` : '';
}

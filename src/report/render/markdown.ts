import type { Credentials, EvidenceRow, Finding, Report, SourceAssessment } from '../contract.js';
import {
  EVIDENCE_LIMIT,
  PARTY_LIMIT,
  WINDOW_LIMIT,
  windowsLeftText,
  actionCounts,
  answersHeading,
  durationText,
  evidenceSpanText,
  flowsText,
  keyKindText,
  mfaText,
  overallAction,
  questionViews,
  readRow,
  readsFlows,
  runWindowText,
  shorten,
  sortFindings,
  subjectText,
  verdictCountsText,
  viaText,
  type AnswerView,
  type ListLimit,
  refText,
} from './model.js';
import { logInputsText, type Coverage } from './model.js';
import { plain } from './safe.js';

/**
 * The report as GitHub-flavoured Markdown, for pasting into a ticket. Same order as the terminal:
 * outcome, the runbook's answers, findings most severe first with their evidence tables.
 *
 * Log-derived values are either prose (escaped so that no Markdown or HTML in them is
 * interpreted) or identifiers (in code spans, which render literally and do not autolink).
 * Both are one line (`plain`), so a value can never end a table row or start a heading.
 */

/** Backslash-escapes the characters that start Markdown or HTML inside a line. */
export function mdText(value: string | number | null | undefined): string {
  const text = plain(value);
  if (!text) return '—';
  return text.replace(/[\\`*_[\]<>|#~$&!]/g, (ch) => `\\${ch}`);
}

/**
 * A code span that survives any content: the fence is longer than any backtick run inside.
 * In a table `|` must still be written `\|` (GFM splits cells before it reads code spans).
 */
export function mdCode(value: string | number | null | undefined, inTable = false): string {
  let text = plain(value);
  if (!text) return '—';
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const padded = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ` ${text} ` : text;
  return `${fence}${padded}${fence}`;
}

const cell = (value: string | number | null | undefined) => mdCode(value, true);
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: string[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)];

export interface MarkdownOptions {
  /** Every evidence row and party; by default long lists are cut as on the terminal (model.ts). */
  full?: boolean;
  /** See TextOptions.coverage. */
  coverage?: Coverage;
}

/** Where the rows a cut list leaves out can be read. */
const ELSEWHERE = 'every one: `--full`, or `--format json` / `html`';

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const limit = (l: ListLimit) => (options.full ? null : l);
  const out: string[] = [];
  const outcome = overallAction(report);
  const counts = actionCounts(report)
    .map((c) => `${c.count} ${c.action}`)
    .join(', ');

  out.push(`# trailbook: ${mdText(subjectText(report))} — ${outcome ? outcome.toUpperCase() : 'nothing found'}`, '');
  const window = runWindowText(report, options.coverage);
  out.push(
    outcome ? `**Outcome: ${outcome}** · ${report.findings.length} findings: ${counts}` : '**Outcome:** no finding',
    '',
    `Runbook ${mdCode(report.runbook.id)} (${mdCode(report.runbook.version)}) ·${window === null ? '' : ` time range ${mdText(window)} ·`} generated ${mdText(report.generatedAt)}`,
    '',
    inputsText(report),
    '',
  );

  const heading = answersHeading(report);
  out.push(`## ${heading[0]!.toUpperCase()}${heading.slice(1)}`, '');
  for (const q of questionViews(report)) {
    out.push(`### Q${q.n}. ${mdText(q.label)}`, '');
    const list = q.details.length > 0 || q.answer.type === 'time';
    out.push(...answerBlock(q.answer, list));
    for (const detail of q.details) out.push(...answerBlock(detail, true));
    out.push('');
  }

  function answerBlock(view: AnswerView, asList: boolean): string[] {
    const label = view.label ? `**${mdText(view.label[0]!.toUpperCase() + view.label.slice(1))}:** ` : '';
    switch (view.type) {
      case 'time': {
        if (view.value === null) return view.label ? [] : ['- never (no finding)'];
        const r = view.row;
        const reading = !r
          ? ''
          : readRow(r).kind === 'connection'
            ? ` — ${mdCode(r.action)} from ${mdCode(r.source_ip)} to ${mdCode(r.resource)} (${mdCode(refText(r.source_ref))})`
            : ` — ${mdCode(r.action)} on ${mdCode(r.resource)} by ${mdCode(r.actor)} from ${mdCode(r.source_ip)}`;
        return [`${asList ? '- ' : ''}${label}${mdText(view.value)}${reading}`];
      }
      case 'list':
        return [`${asList ? '- ' : ''}${label}${view.value.length ? view.value.map((s) => mdCode(s)).join(', ') : 'none'}`];
      case 'number':
      case 'direction':
        return [`${asList ? '- ' : ''}${label}**${mdText(String(view.value))}**`];
      case 'yes-no':
        return [`${asList ? '- ' : ''}${label}**${view.value ? 'yes' : 'no'}**`];
      case 'credentials': {
        const shown = shorten(view.value, limit(PARTY_LIMIT));
        const lines = [...(label ? [label, ''] : []), ...(view.value.length ? credentialsTable([...shown.head]) : ['none'])];
        if (shown.omitted.length) lines.push('', `… ${shown.omitted.length} more identities (${ELSEWHERE}).`);
        return lines;
      }
      case 'parties': {
        const shown = shorten(view.value, limit(PARTY_LIMIT));
        const lines = [...(label ? [label, ''] : []), ...(view.value.length ? sourcesTable(shown.head) : ['none'])];
        if (shown.omitted.length) lines.push('', `… ${shown.omitted.length} more (${verdictCountsText(shown.omitted)}; ${ELSEWHERE}).`);
        return lines;
      }
    }
  }

  const findings = sortFindings(report.findings);
  out.push(`## Findings (${findings.length}, most severe first)`, '');
  findings.forEach((f, i) => out.push(...findingLines(f, i + 1, options.full === true, readsFlows(report)), ''));
  return out.join('\n').replace(/\n+$/, '\n');
}

function inputsText(report: Report): string {
  const { cloudtrail, vpcflow, intel } = report.inputs;
  const feeds = intel.length ? intel.map((i) => `${mdCode(i.name)} (${i.entries} entries)`).join(', ') : 'none';
  const lines = [`Inputs: ${logInputsText(report.inputs, mdCode)} · intel ${feeds}`];
  // Skipped inputs are listed: a report that silently ignored files would mislead (docs/limits.md).
  for (const s of [...cloudtrail.skipped, ...vpcflow.skipped]) lines.push(`- skipped ${mdCode(s.path)}: ${mdText(s.reason)}`);
  return lines.join('\n');
}

function credentialsTable(list: readonly Credentials[]): string[] {
  return table(
    ['identity', 'ARN', 'access key', 'key', 'MFA', 'via', 'issuer'],
    list.map((c) => [cell(c.identityType), cell(c.arn), cell(c.accessKeyId), keyKindText(c), mfaText(c.mfa), viaText(c.via), cell(c.issuer)]),
  );
}

function sourcesTable(list: readonly SourceAssessment[]): string[] {
  return table(
    ['verdict', 'source', 'role', 'reasons'],
    list.map((s) => [`**${s.verdict}**`, cell(s.ip), s.role ?? '—', s.reasons.map(mdText).join('<br>') || '—']),
  );
}

function credentialsText(c: Credentials): string {
  const parts = [
    `${mdCode(c.identityType)} ${mdCode(c.arn)}`,
    `${c.accessKeyId ? `${mdCode(c.accessKeyId)} ` : ''}${keyKindText(c)}`,
    mfaText(c.mfa),
    viaText(c.via),
  ];
  if (c.issuer) parts.push(`issued by ${mdCode(c.issuer)}`);
  return parts.join(' · ');
}

function findingLines(f: Finding, n: number, full: boolean, flows: boolean): string[] {
  const d = f.decision;
  const out = [`### ${n}. ${d.action.toUpperCase()} — ${mdText(f.title)}`, ''];
  out.push(
    `- **Kind:** ${mdText(f.label ?? f.kind)} · **seen** ${mdText(f.firstSeen)} → ${mdText(f.lastSeen)}${f.direction ? ` · **direction** ${mdText(f.direction)}` : ''} · ` +
      `**logged by** ${f.eventSources.length ? f.eventSources.map((s) => mdCode(s)).join(', ') : 'no CloudTrail event'}`,
    `- **Finding id:** ${mdCode(f.id)}`,
    `- **Decision path:** ${d.path.map((p) => mdCode(p)).join(' → ') || '—'}`,
    `- **Reasons:**`,
    ...d.reasons.map((r) => `  - ${mdText(r)}`),
  );
  if (d.verify) out.push(`- **Verify:** ${mdText(d.verify)}`);
  out.push(`- **Credentials:** ${f.credentials ? credentialsText(f.credentials) : 'none'}`);
  out.push(`- **Sources:**${f.sources.length ? '' : ' none'}`);
  const sources = shorten(f.sources, full ? null : PARTY_LIMIT);
  for (const s of sources.head) out.push(`  - **${s.verdict}** ${mdCode(s.ip)}${s.role ? ` (${s.role})` : ''}: ${s.reasons.map(mdText).join('; ') || '—'}`);
  if (sources.omitted.length) out.push(`  - … ${sources.omitted.length} more (${verdictCountsText(sources.omitted)}; ${ELSEWHERE})`);
  if (flows) out.push(`- **Flows:** ${flowsText(f)}`);
  if (f.windows?.length) {
    out.push('- **Exposure windows:**');
    const windows = shorten(f.windows, full ? null : WINDOW_LIMIT);
    const windowLine = (w: (typeof f.windows)[number]) => {
      const until = w.closedAt ? `${mdText(w.closedAt)} (${durationText(w.openedAt, w.closedAt)})` : 'still open';
      return `  - ${mdText(w.openedAt)} → ${until}: ${mdCode(w.resource)} ${mdText(w.rule)}`;
    };
    out.push(...windows.head.map(windowLine));
    if (windows.omitted.length) out.push(`  - … ${windowsLeftText(windows.omitted)} (${ELSEWHERE})`);
    out.push(...windows.tail.map(windowLine));
  }
  const evidence = shorten(f.evidence, full ? null : EVIDENCE_LIMIT);
  const evidenceRow = (r: EvidenceRow) => [
    mdText(r.ts),
    cell(r.actor),
    cell(r.source_ip),
    cell(r.action),
    cell(r.resource),
    cell(refText(r.source_ref, !r.detail?.includes(' → '))),
    mdText(r.detail),
  ];
  // The rows left out are counted in one row where they would be.
  const gap = evidence.omitted.length
    ? [['…', '', '', '', '', '', `${evidence.omitted.length} more rows, ${mdText(evidenceSpanText(evidence.omitted))} (${ELSEWHERE})`]]
    : [];
  out.push('', `Evidence (${f.evidence.length} rows${evidence.omitted.length ? `, ${evidence.head.length + evidence.tail.length} shown` : ''}):`, '');
  out.push(
    ...table(
      ['ts', 'actor', 'source_ip', 'action', 'resource', 'source_ref', 'detail'],
      [...evidence.head.map(evidenceRow), ...gap, ...evidence.tail.map(evidenceRow)],
    ),
  );
  return out;
}

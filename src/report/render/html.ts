import type { Credentials, Finding, Report, SourceAssessment } from '../contract.js';
import { html, trusted, type Markup } from './html-template.js';
import { STYLE } from './html-style.js';
import {
  actionCounts,
  answersHeading,
  durationText,
  flowsText,
  keyKindText,
  mfaText,
  overallAction,
  questionViews,
  readRow,
  readsFlows,
  runWindowText,
  sortFindings,
  subjectText,
  viaText,
  type AnswerView,
  refText,
} from './model.js';
import { logInputsText, type Coverage } from './model.js';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { takenPath } from '../../decide/taken-path.js';
import type { DecisionTree } from '../../decide/tree-schema.js';
import { DecisionTreeView } from './decision-tree.js';
import { ACTION_COLOR } from './timeline.js';
import { Timeline } from './timeline-svg.js';

/**
 * The report as one self-contained HTML file: no script, no external font, stylesheet or image,
 * so it opens offline and can be attached to a ticket or an evidence bundle. Every value goes
 * through the escaping template (html-template.ts); the Content-Security-Policy forbids scripts
 * and every fetch, so even a missed escape could not run code or call out.
 */

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * `decisionTree`: the runbook's tree, when the caller has it; each finding then shows its decision
 * drawn as the tree with the path it took (the same component the web workspace draws).
 */
export function renderHtml(report: Report, coverage?: Coverage, decisionTree?: DecisionTree): string {
  const subject = subjectText(report);
  const outcome = overallAction(report);
  const window = runWindowText(report, coverage);
  const findings = sortFindings(report.findings);
  const counts = actionCounts(report)
    .map((c) => `${c.count} ${c.action}`)
    .join(', ');
  const title = `trailbook · ${subject} · ${outcome ? outcome.toUpperCase() : 'nothing found'}`;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<header>
<h1>trailbook · ${subject} ${outcome ? html`<span class="badge" style="background:${ACTION_COLOR[outcome]}">${outcome}</span>` : html`<span class="badge none">nothing found</span>`}</h1>
<p class="summary">${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}${counts ? `: ${counts}` : ''}</p>
<p class="meta">Runbook <code>${report.runbook.id}</code> (<code>${report.runbook.version}</code>) · ${window === null ? '' : html`time range ${window} · `}generated ${report.generatedAt}</p>
${inputs(report)}
</header>
<main>
<section id="timeline">
<h2>Timeline</h2>
${legend()}
<div class="scroll">${trusted(renderToString(h(Timeline, { findings: report.findings })))}</div>
</section>
${answers(report)}
<section id="findings">
<h2>Findings (${findings.length}, most severe first)</h2>
${findings.map((f, i) => finding(f, i + 1, readsFlows(report), decisionTree))}
</section>
</main>
<footer>${report.schema} · this file is self-contained and runs no script.</footer>
</body>
</html>
`;
  return page.text;
}

function legend(): Markup {
  return html`<p class="legend">
<svg width="760" height="18" viewBox="0 0 760 18" aria-hidden="true">
<rect x="0" y="4" width="26" height="10" fill="#777" opacity="0.55"/><text x="32" y="13">exposure window</text>
<rect x="148" y="4" width="26" height="10" fill="none" stroke="#777" stroke-dasharray="3 2"/><text x="180" y="13">still open</text>
<polygon class="conn accepted" points="262,4 272,4 267,14"/><text x="278" y="13">inbound accepted</text>
<polygon class="conn rejected" points="392,4 402,4 397,14"/><text x="408" y="13">inbound rejected</text>
<polygon class="conn accepted" points="522,14 532,14 527,4"/><text x="538" y="13">outbound</text>
<line class="event" x1="612" x2="612" y1="2" y2="16"/><text x="620" y="13">CloudTrail event</text>
</svg></p>`;
}

function inputs(report: Report): Markup {
  const { cloudtrail, vpcflow, intel } = report.inputs;
  const skipped = [...cloudtrail.skipped, ...vpcflow.skipped];
  return html`<p class="meta">Inputs: ${logInputsText(report.inputs)} · intel ${intel.length ? intel.map((i, n) => html`${n ? ', ' : ''}<code>${i.name}</code> (${i.entries})`) : 'none'}</p>
${skipped.length ? html`<details class="skipped"><summary>${skipped.length} skipped input${skipped.length === 1 ? '' : 's'}</summary><ul>${skipped.map((s) => html`<li><code>${s.path}</code>: ${s.reason}</li>`)}</ul></details>` : ''}`;
}

function answers(report: Report): Markup {
  const heading = answersHeading(report);
  return html`<section id="answers">
<h2>${heading[0]!.toUpperCase()}${heading.slice(1)}</h2>
${questionViews(report).map(
  (q) => html`<div class="q"><h3>Q${q.n}. ${q.label}</h3>
${
  q.details.length
    ? html`<dl>
<dt>${capitalized(q.answer.label ?? 'answer')}</dt><dd>${answerValue(q.answer)}</dd>
${q.details.map((d) =>
  d.type === 'time' && d.value === null
    ? ''
    : html`<dt>${capitalized(d.label ?? '')}</dt><dd>${answerValue(d)}</dd>
`,
)}</dl>`
    : answerValue(q.answer, true)
}</div>
`,
)}</section>`;
}

function capitalized(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** One answer's value; `block` wraps a short value as a paragraph of its own. */
function answerValue(view: AnswerView, block = false): Markup {
  const wrap = (inner: Markup | string): Markup => (block ? html`<p class="answer">${inner}</p>` : html`${inner}`);
  switch (view.type) {
    case 'time': {
      if (view.value === null) return wrap('never (no finding)');
      const r = view.row;
      if (!r) return wrap(html`<time>${view.value}</time>`);
      return wrap(
        readRow(r).kind === 'connection'
          ? html`<time>${r.ts}</time> <code>${r.action}</code> from <code>${r.source_ip}</code> to <code>${r.resource}</code> <span class="ref">${refText(r.source_ref)}</span>`
          : html`<time>${r.ts}</time> <code>${r.action}</code> on <code>${r.resource}</code> by <code>${r.actor}</code> from <code>${r.source_ip}</code>`,
      );
    }
    case 'list':
      return wrap(view.value.length ? html`${view.value.map((s, i) => html`${i ? ', ' : ''}<code>${s}</code>`)}` : 'none');
    case 'number':
    case 'direction':
      return wrap(String(view.value));
    case 'yes-no':
      return wrap(view.value ? 'yes' : 'no');
    case 'credentials':
      return view.value.length ? credentialsTable(view.value) : html`<p>none</p>`;
    case 'parties':
      return view.value.length ? sourcesTable(view.value) : html`<p>none</p>`;
  }
}

function credentialsTable(list: readonly Credentials[]): Markup {
  return html`<div class="scroll"><table><thead><tr><th>identity</th><th>ARN</th><th>access key</th><th>key</th><th>MFA</th><th>via</th><th>issuer</th></tr></thead><tbody>
${list.map(
  (
    c,
  ) => html`<tr><td>${c.identityType}</td><td><code>${c.arn}</code></td><td>${c.accessKeyId ? html`<code>${c.accessKeyId}</code>` : 'none'}</td><td>${keyKindText(c)}</td><td>${mfaText(c.mfa)}</td><td>${viaText(c.via)}</td><td>${c.issuer ? html`<code>${c.issuer}</code>` : ''}</td></tr>
`,
)}</tbody></table></div>`;
}

function sourcesTable(list: readonly SourceAssessment[]): Markup {
  return html`<div class="scroll"><table><thead><tr><th>verdict</th><th>source</th><th>role</th><th>reasons</th></tr></thead><tbody>
${list.map(
  (
    s,
  ) => html`<tr><td><span class="verdict ${s.verdict}">${s.verdict}</span></td><td><code>${s.ip}</code></td><td>${s.role ?? ''}</td><td>${s.reasons.map((r, i) => html`${i ? html`<br>` : ''}${r}`)}</td></tr>
`,
)}</tbody></table></div>`;
}

function finding(f: Finding, n: number, flows: boolean, tree: DecisionTree | undefined): Markup {
  const d = f.decision;
  const c = f.credentials;
  // Account and region are usually the same on every row: said once, columns only when they vary.
  const places = new Set(f.evidence.map((r) => `${r.account_id ?? ''}\u0000${r.region ?? ''}`));
  const varying = places.size > 1;
  const only = f.evidence[0];
  const where = !varying && only ? [only.account_id && `account ${only.account_id}`, only.region].filter(Boolean).join(' · ') : '';
  return html`<article class="finding" id="finding-${n}" style="border-left-color:${ACTION_COLOR[d.action]}">
<h3><span class="badge" style="background:${ACTION_COLOR[d.action]}">${d.action}</span> ${n}. ${f.title}</h3>
<p class="meta">${f.label ?? f.kind} · <time>${f.firstSeen}</time> → <time>${f.lastSeen}</time>${f.direction ? html` · direction ${f.direction}` : ''} · logged by ${f.eventSources.length ? f.eventSources.map((s, i) => html`${i ? ', ' : ''}<code>${s}</code>`) : 'no CloudTrail event'} · id <code>${f.id}</code></p>
<p class="path">Decision path: ${d.path.map((p, i) => html`${i ? ' → ' : ''}<code>${p}</code>`)}</p>
${tree ? trusted(renderToString(h(DecisionTreeView, { tree, takenPath: takenPath(tree, d.path) }))) : ''}
<ul class="reasons">${d.reasons.map((r) => html`<li>${r}</li>`)}</ul>
${d.verify ? html`<p class="verify"><strong>Verify:</strong> ${d.verify}</p>` : ''}
<dl class="facts">
<dt>Credentials</dt><dd>${c ? html`${c.identityType} <code>${c.arn}</code> · ${c.accessKeyId ? html`<code>${c.accessKeyId}</code> ` : ''}${keyKindText(c)} · ${mfaText(c.mfa)} · ${viaText(c.via)}${c.issuer ? html` · issued by <code>${c.issuer}</code>` : ''}` : 'none'}</dd>
<dt>Sources</dt><dd>${f.sources.length ? f.sources.map((s) => html`<div><span class="verdict ${s.verdict}">${s.verdict}</span> <code>${s.ip}</code>${s.role ? ` (${s.role})` : ''}: ${s.reasons.join('; ')}</div>`) : 'none'}</dd>
${flows ? html`<dt>Flows</dt><dd>${flowsText(f)}</dd>` : ''}
${f.windows?.length ? html`<dt>Exposure windows</dt><dd>${f.windows.map((w) => html`<div><time>${w.openedAt}</time> → ${w.closedAt ? html`<time>${w.closedAt}</time> (${durationText(w.openedAt, w.closedAt)})` : 'still open'}: <code>${w.resource}</code> ${w.rule}</div>`)}</dd>` : ''}
</dl>
<details open><summary>Evidence (${f.evidence.length} rows${where ? `, ${where}` : ''})</summary>
<div class="scroll"><table class="evidence"><thead><tr><th>ts</th><th>actor</th><th>source_ip</th><th>action</th><th>resource</th>${varying ? html`<th>account_id</th><th>region</th>` : ''}</tr></thead>
${f.evidence.map(
  // Each row's reference and detail on a line of their own under it, the table's full width:
  // the part a reader needs most is never past a horizontal scroll.
  (
    r,
  ) => html`<tbody class="row"><tr><td class="nw"><time>${r.ts}</time></td><td>${r.actor}</td><td class="nw">${r.source_ip}</td><td>${r.action}</td><td class="nw">${r.resource}</td>${varying ? html`<td>${r.account_id}</td><td>${r.region}</td>` : ''}</tr>
<tr class="detail"><td colspan="${varying ? 7 : 5}"><span class="ref" title="${r.source_ref}">${refText(r.source_ref, !r.detail?.includes(' → '))}</span>${r.detail ? html` · ${r.detail}` : ''}</td></tr></tbody>
`,
)}</table></div>
</details>
</article>
`;
}

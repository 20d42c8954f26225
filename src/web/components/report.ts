import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { overallAction, readsFlows, sortFindings } from '../../report/render/model.js';
import { api, type Session, type WorkspaceFinding, type WorkspaceReport } from '../api.js';
import { Answers } from './answers.js';
import { EvidenceActions } from './evidence.js';
import { FindingDetail } from './finding.js';
import { shown } from './text.js';
import { ZoomTimeline } from './zoom-timeline.js';

/**
 * A run's report: the questions and answers first, the timeline, then the findings by severity.
 * A finding opens in place; a mark on the timeline opens its finding and that row's raw record.
 */
export function ReportView({
  report,
  runId,
  session,
  initialFinding,
}: {
  report: WorkspaceReport;
  runId: string;
  session: Session | undefined;
  /** A finding to open and scroll to (`#/runs/<id>/findings/<finding>`, from a pivot). */
  initialFinding: string | undefined;
}) {
  const findings = sortFindings(report.findings) as WorkspaceFinding[];
  const [open, setOpen] = useState<string | null>(initialFinding ?? null);
  useEffect(() => {
    if (initialFinding) document.getElementById(findingAnchor(initialFinding))?.scrollIntoView({ block: 'start' });
  }, [initialFinding]);
  const [openRef, setOpenRef] = useState<string | null>(null);
  const outcome = overallAction(report);
  const flows = readsFlows(report);
  return h(
    'div',
    { class: 'report' },
    h(
      'header',
      { class: 'report-head' },
      h('h1', null, shown(report.subject ?? report.runbook.title), ' ', h('span', { class: `badge action-${outcome ?? 'none'}` }, outcome ?? 'nothing found')),
      h(
        'p',
        { class: 'meta' },
        'Runbook ',
        h('code', null, shown(report.runbook.id)),
        ` (${shown(report.runbook.version)}) · generated ${shown(report.generatedAt)} · `,
        h('a', { href: api.reportHtmlUrl(runId), download: `trailbook-run-${runId}.html` }, 'Download the HTML report'),
      ),
      h(EvidenceActions, { runId, session }),
    ),
    h(Answers, { report }),
    h(
      'section',
      { class: 'timeline-section' },
      h('h2', null, 'Timeline'),
      h(ZoomTimeline, {
        findings,
        onRow: (row) => {
          const owner = findings.find((f) => f.evidence.includes(row));
          if (owner) setOpen(owner.id);
          setOpenRef(row.source_ref);
          // The record opens under its row, further down the page: bring it into view once drawn.
          requestAnimationFrame(() => document.querySelector('tbody.row.open')?.scrollIntoView({ block: 'center' }));
        },
      }),
    ),
    h(
      'section',
      { class: 'findings' },
      h('h2', null, `Findings (${findings.length}, most severe first)`),
      findings.map((f, i) =>
        h(
          'article',
          { class: `finding${open === f.id ? ' open' : ''}`, key: f.id, id: findingAnchor(f.id) },
          h(
            'button',
            {
              type: 'button',
              class: 'finding-head',
              'data-testid': `finding-${i + 1}`,
              'aria-expanded': open === f.id,
              onClick: () => setOpen(open === f.id ? null : f.id),
            },
            h('span', { class: `badge action-${f.decision.action}`, 'data-testid': 'finding-action' }, f.decision.action),
            ` ${i + 1}. `,
            shown(f.title),
          ),
          open === f.id ? h(FindingDetail, { finding: f, flows, openRef, onRow: setOpenRef }) : null,
        ),
      ),
    ),
  );
}

/** The element id of a finding's article (finding ids are `kind:hash`, safe in an id). */
function findingAnchor(id: string): string {
  return `finding-${id}`;
}

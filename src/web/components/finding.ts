import { h } from 'preact';
import { useState } from 'preact/hooks';
import type { EvidenceRow } from '../../report/contract.js';
import { DecisionTreeView } from '../../report/render/decision-tree.js';
import { flowsText, keyKindText, mfaText, refText, viaText } from '../../report/render/model.js';
import type { WorkspaceFinding } from '../api.js';
import { PivotLink } from './pivot.js';
import { RawRecord } from './raw-record.js';
import { Code, shown } from './text.js';

/**
 * One finding, opened: its decision drawn as the runbook's tree with the taken path, reasons and
 * how to verify, credentials and sources (pivots), and its evidence rows. A row's detail sits on
 * a line of its own under it, so it wraps instead of needing a horizontal scroll; a click on a
 * row opens its raw record.
 */
export function FindingDetail({
  finding,
  flows,
  openRef,
  onRow,
}: {
  finding: WorkspaceFinding;
  flows: boolean;
  openRef: string | null;
  onRow: (ref: string | null) => void;
}) {
  const d = finding.decision;
  const c = finding.credentials;
  return h(
    'div',
    { class: 'finding-detail' },
    h(
      'p',
      { class: 'meta' },
      shown(finding.label ?? finding.kind),
      ' · ',
      h('time', null, shown(finding.firstSeen)),
      ' → ',
      h('time', null, shown(finding.lastSeen)),
      finding.direction ? ` · direction ${shown(finding.direction)}` : '',
    ),
    h('h4', null, 'Decision'),
    finding.decisionTree
      ? h(DecisionTreeView, { tree: finding.decisionTree, takenPath: finding.takenPath ?? [] })
      : h(
          'p',
          { class: 'path' },
          'Decision path: ',
          d.path.map((p, i) => [i ? ' → ' : '', h(Code, { value: p })]),
        ),
    h(
      'ul',
      { class: 'reasons' },
      d.reasons.map((r) => h('li', null, shown(r))),
    ),
    d.verify ? h('p', { class: 'verify' }, h('strong', null, 'Verify: '), shown(d.verify)) : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Credentials'),
      h(
        'dd',
        null,
        c
          ? [
              shown(c.identityType),
              ' ',
              c.arn ? h(PivotLink, { kind: 'principal', value: c.arn }) : null,
              c.accessKeyId ? [' · ', h(PivotLink, { kind: 'key', value: c.accessKeyId })] : null,
              ` · ${keyKindText(c)} · ${mfaText(c.mfa)} · ${viaText(c.via)}`,
            ]
          : 'none',
      ),
      h('dt', null, 'Sources'),
      h(
        'dd',
        null,
        finding.sources.length
          ? finding.sources.map((s) =>
              h(
                'div',
                null,
                h('span', { class: `verdict ${shown(s.verdict)}` }, shown(s.verdict)),
                ' ',
                h(PivotLink, { kind: 'address', value: s.ip }),
                s.role ? ` (${shown(s.role)})` : '',
                ': ',
                shown(s.reasons.join('; ')),
              ),
            )
          : 'none',
      ),
      flows ? [h('dt', null, 'Flows'), h('dd', null, flowsText(finding))] : null,
      finding.windows?.length
        ? [
            h('dt', null, 'Exposure windows'),
            h(
              'dd',
              null,
              finding.windows.map((w) =>
                h(
                  'div',
                  null,
                  h('time', null, shown(w.openedAt)),
                  ' → ',
                  w.closedAt ? h('time', null, shown(w.closedAt)) : 'still open',
                  ': ',
                  h(PivotLink, { kind: 'resource', value: w.resource }),
                  ' ',
                  shown(w.rule),
                ),
              ),
            ),
          ]
        : null,
    ),
    h('h4', null, `Evidence (${finding.evidence.length} rows)`),
    h(EvidenceTable, { rows: finding.evidence, openRef, onRow }),
  );
}

/** Rows drawn at first: a finding on a real trail can hold thousands; the rest come on request. */
const EVIDENCE_PAGE = 200;

function EvidenceTable({ rows, openRef, onRow }: { rows: readonly EvidenceRow[]; openRef: string | null; onRow: (ref: string | null) => void }) {
  const [shownRows, setShownRows] = useState(EVIDENCE_PAGE);
  const more = rows.length - shownRows;
  return h(
    'table',
    { class: 'evidence' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['time', 'actor', 'source', 'action', 'resource'].map((n) => h('th', null, n)),
      ),
    ),
    rows.slice(0, shownRows).map((r) =>
      h(
        'tbody',
        { class: `row${openRef === r.source_ref ? ' open' : ''}` },
        h(
          'tr',
          {
            'data-testid': 'evidence-row',
            class: 'clickable',
            title: 'Show the raw record',
            tabIndex: 0,
            'aria-expanded': openRef === r.source_ref,
            onClick: (event: MouseEvent) => {
              // A pivot button inside the row pivots; anywhere else opens the raw record.
              if ((event.target as Element).closest('button')) return;
              onRow(openRef === r.source_ref ? null : r.source_ref);
            },
            onKeyDown: (event: KeyboardEvent) => {
              if (event.target !== event.currentTarget || (event.key !== 'Enter' && event.key !== ' ')) return;
              event.preventDefault();
              onRow(openRef === r.source_ref ? null : r.source_ref);
            },
          },
          h('td', { class: 'nw' }, h('time', null, shown(r.ts))),
          h('td', null, r.actor ? h(PivotLink, { kind: 'principal', value: r.actor }) : ''),
          h('td', { class: 'nw' }, r.source_ip ? h(PivotLink, { kind: 'address', value: r.source_ip }) : ''),
          h('td', null, shown(r.action)),
          h('td', null, r.resource ? h(PivotLink, { kind: 'resource', value: r.resource }) : ''),
        ),
        h(
          'tr',
          { class: 'detail' },
          h(
            'td',
            { colSpan: 5 },
            h('span', { class: 'ref' }, shown(refText(r.source_ref, !r.detail?.includes(' → ')))),
            r.detail ? ` · ${shown(r.detail)}` : '',
          ),
        ),
        openRef === r.source_ref
          ? h('tr', { class: 'raw' }, h('td', { colSpan: 5 }, h(RawRecord, { source: { ref: r.source_ref }, onClose: () => onRow(null) })))
          : null,
      ),
    ),
    more > 0
      ? h(
          'tbody',
          null,
          h(
            'tr',
            null,
            h(
              'td',
              { colSpan: 5 },
              h('button', { type: 'button', 'data-testid': 'evidence-more', onClick: () => setShownRows(rows.length) }, `Show the other ${more} rows`),
            ),
          ),
        )
      : null,
  );
}

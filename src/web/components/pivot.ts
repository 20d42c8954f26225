import { createContext, h } from 'preact';
import { useContext } from 'preact/hooks';
import { api, type PivotKind } from '../api.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { DataTable } from './table.js';
import { ErrorNote, Loading, shown } from './text.js';

/**
 * Pivots: an address, key, principal or resource anywhere in the workspace is a button that opens
 * the pivot panel (everything the store holds about it, GET /api/pivot). A button, not a link:
 * the value never becomes part of a URL the page navigates to.
 */

export interface PivotTarget {
  kind: PivotKind;
  value: string;
}

export const PivotContext = createContext<(target: PivotTarget) => void>(() => {});

export function PivotLink({ kind, value, label }: PivotTarget & { label?: string }) {
  const open = useContext(PivotContext);
  if (!value) return null;
  return h(
    'button',
    {
      type: 'button',
      class: `pivot-link pivot-${kind}`,
      'data-testid': 'pivot-link',
      title: `Everything the store holds about this ${kind}`,
      onClick: () => open({ kind, value }),
    },
    shown(label ?? value),
  );
}

export function PivotPanel({ target, onClose }: { target: PivotTarget; onClose: () => void }) {
  const { data, error, loading } = useApi(() => api.pivot(target.kind, target.value), [target.kind, target.value]);
  return h(
    'aside',
    { class: 'pivot-panel', 'data-testid': 'pivot-panel', 'aria-label': `Pivot on ${target.kind}` },
    h(
      'header',
      null,
      h('h2', null, `${target.kind} `, h('code', { 'data-testid': 'pivot-value' }, shown(target.value))),
      h('button', { type: 'button', class: 'close', onClick: onClose, 'aria-label': 'Close the pivot panel' }, '×'),
    ),
    loading ? h(Loading, { what: 'what the store holds' }) : null,
    error ? h(ErrorNote, { error }) : null,
    data
      ? [
          data.intel
            ? h(
                'div',
                { class: 'intel', 'data-testid': 'pivot-intel' },
                h('span', { class: `verdict ${shown(data.intel.verdict)}` }, shown(data.intel.verdict)),
                h(
                  'ul',
                  null,
                  data.intel.reasons.map((r) => h('li', null, shown(r))),
                ),
              )
            : null,
          h('h3', null, `Findings (${data.findings.length})`),
          data.findings.length
            ? h(
                'ul',
                { class: 'pivot-findings' },
                data.findings.map((f) =>
                  h(
                    'li',
                    null,
                    h('span', { class: `badge action-${shown(f.action)}` }, shown(f.action)),
                    ' ',
                    h('a', { href: href.run(f.runId) }, shown(f.title)),
                  ),
                ),
              )
            : h('p', null, 'In no finding of this session’s runs.'),
          h('h3', null, `CloudTrail events (${data.cloudtrail.total}${data.cloudtrail.truncated ? ', first rows shown' : ''})`),
          h(DataTable, { rows: data.cloudtrail.rows }),
          h('h3', null, `Flow records (${data.flows.total}${data.flows.truncated ? ', first rows shown' : ''})`),
          h(DataTable, { rows: data.flows.rows }),
        ]
      : null,
  );
}

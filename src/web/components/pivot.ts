import { type ComponentChildren, createContext, h } from 'preact';
import { useContext, useState } from 'preact/hooks';
import { api, type PivotKind } from '../api.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { RawRecord, type RecordSource } from './raw-record.js';
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
                    h('a', { href: href.finding(f.runId, f.findingId), 'data-testid': 'pivot-finding' }, shown(f.title)),
                  ),
                ),
              )
            : h('p', null, 'In no finding of this session’s runs.'),
          h('h3', null, `CloudTrail events (${data.cloudtrail.total}${data.cloudtrail.truncated ? ', first rows shown' : ''})`),
          h(PivotRows, { rows: data.cloudtrail.rows, line: cloudtrailLine, source: (r) => (r['eventid'] ? { ref: String(r['eventid']) } : null) }),
          h('h3', null, `Flow records (${data.flows.total}${data.flows.truncated ? ', first rows shown' : ''})`),
          h(PivotRows, {
            rows: data.flows.rows,
            line: flowLine,
            source: (r) => (r['file'] && r['line'] ? { file: String(r['file']), line: Number(r['line']) } : null),
          }),
        ]
      : null,
  );
}

type Row = Record<string, unknown>;

/** A CloudTrail row in one line: when, what, who, from where; the other columns under it. */
function cloudtrailLine(r: Row): ComponentChildren {
  return [
    h('time', null, shown(r['eventtime'])),
    ' ',
    h('strong', null, shown(r['eventname'])),
    r['errorcode'] ? [' ', h('span', { class: 'verdict suspicious' }, shown(r['errorcode']))] : null,
    ' by ',
    r['principal'] ? h(PivotLink, { kind: 'principal', value: String(r['principal']) }) : '?',
    r['access_key'] ? [' ', h(PivotLink, { kind: 'key', value: String(r['access_key']) })] : null,
    ' from ',
    r['sourceipaddress'] ? h(PivotLink, { kind: 'address', value: String(r['sourceipaddress']) }) : '?',
  ];
}

/** A flow record in one line: start, the tuple (addresses pivot), verdict and size. */
function flowLine(r: Row): ComponentChildren {
  return [
    h('time', null, shown(r['start'])),
    ' ',
    r['srcaddr'] ? h(PivotLink, { kind: 'address', value: String(r['srcaddr']) }) : '?',
    `:${shown(r['srcport'])} → `,
    r['dstaddr'] ? h(PivotLink, { kind: 'address', value: String(r['dstaddr']) }) : '?',
    `:${shown(r['dstport'])} `,
    h('strong', null, shown(r['action'])),
    ` ${shown(r['packets'])} packets, ${shown(r['bytes'])} bytes on `,
    r['interface_id'] ? h(PivotLink, { kind: 'resource', value: String(r['interface_id']) }) : '?',
  ];
}

/**
 * The rows of one side of a pivot, narrow enough for the panel: each row one readable line and,
 * on click, the other columns and its raw record.
 */
function PivotRows({ rows, line, source }: { rows: Row[]; line: (r: Row) => ComponentChildren; source: (r: Row) => RecordSource | null }) {
  const [open, setOpen] = useState<number | null>(null);
  if (!rows.length) return h('p', { class: 'empty' }, 'No rows.');
  return h(
    'ol',
    { class: 'pivot-rows' },
    rows.map((r, i) => {
      const from = source(r);
      return h(
        'li',
        { class: open === i ? 'open' : '' },
        h(
          'div',
          { class: 'pivot-row-line' },
          line(r),
          ' ',
          h(
            'button',
            { type: 'button', class: 'more', 'data-testid': 'pivot-row-more', onClick: () => setOpen(open === i ? null : i) },
            open === i ? 'less' : 'more',
          ),
        ),
        open === i
          ? [
              h(
                'dl',
                { class: 'pivot-row-rest' },
                Object.entries(r).map(([k, v]) => [h('dt', null, shown(k)), h('dd', null, shown(v))]),
              ),
              from ? h(RawRecord, { source: from, onClose: () => setOpen(null) }) : null,
            ]
          : null,
      );
    }),
  );
}

import { h, type VNode } from 'preact';
import type { EvidenceRow, Finding } from '../contract.js';
import { durationText, readRow, sortFindings } from './model.js';
import { plain } from './safe.js';
import { ACTION_COLOR, AXIS, axisLayout, clip, domainOf, HEADER, LABEL, PLOT, ROW, WIDTH, windowLabel } from './timeline.js';

/**
 * The timeline, one Preact component drawn by the static HTML report (pre-rendered to a string:
 * inline SVG, no script) and by the web workspace (zoomed and brushed there). One band per
 * finding, most severe first:
 * - a bar per exposure window (open → close; still open runs to the edge, dashed),
 * - a row of connection marks: ▼ inbound, ▲ outbound; filled = accepted, hollow = rejected,
 * - a row of ticks for CloudTrail events.
 * Every mark carries a <title> (shown on hover) with the row's details. Log values pass through
 * `plain` (control and invisible characters made visible); Preact escapes them as text. No
 * `style` attribute anywhere: the workspace's CSP allows stylesheets only.
 */

export interface TimelineProps {
  findings: readonly Finding[];
  /** The span drawn, in ms; the findings' whole span when absent. Marks outside it are left out. */
  domain?: readonly [number, number];
  /** Called with an evidence row when its mark is clicked (the workspace opens its raw record). */
  onRow?: (row: EvidenceRow) => void;
}

const t = (iso: string) => Date.parse(iso);

/** A <title> tooltip: each value one visible line. */
function tip(...values: (string | null | undefined)[]): VNode<any> {
  return h(
    'title',
    null,
    values
      .filter((v) => v !== null && v !== undefined && v !== '')
      .map((v) => plain(v))
      .join('\n'),
  );
}

const fixed = (n: number) => Number(n.toFixed(1));

export function Timeline({ findings, domain, onRow }: TimelineProps): VNode<any> {
  const sorted = sortFindings(findings);
  const span = domain ?? domainOf(sorted);
  if (!span) return h('p', { class: 'empty' }, 'Nothing to draw: no finding has a time.');
  const [lo, hi] = span;
  const x = (ms: number) => fixed(LABEL + ((Math.min(hi, Math.max(lo, ms)) - lo) / (hi - lo)) * PLOT);
  const inside = (ms: number) => ms >= lo && ms <= hi;
  /** A mark's class and, in the workspace, its click: the class list keeps the mark's own. */
  const mark = (cls: string, row: EvidenceRow) => (onRow ? { class: `${cls} clickable`, onClick: () => onRow(row) } : { class: cls });

  const bands: VNode<any>[] = [];
  let y = AXIS;
  sorted.forEach((f, index) => {
    const color = ACTION_COLOR[f.decision.action];
    const top = y;
    y += HEADER;
    const body: VNode<any>[] = [];
    for (const w of f.windows ?? []) {
      const open = t(w.openedAt);
      const closed = w.closedAt ? t(w.closedAt) : hi;
      const rowY = y;
      body.push(
        h(
          'text',
          { class: 'label', x: LABEL - 8, y: rowY + 15, 'text-anchor': 'end' },
          plain(windowLabel(w.resource, w.rule)),
          tip(`${w.resource}: ${w.rule}`),
        ),
      );
      if (closed >= lo && open <= hi) {
        body.push(
          h(
            'rect',
            {
              class: `window${w.closedAt ? '' : ' open'}`,
              x: x(open),
              y: rowY + 4,
              width: fixed(Math.max(2, x(closed) - x(open))),
              height: ROW - 8,
              fill: color,
              stroke: color,
            },
            tip(`${w.resource}: ${w.rule}`, `${w.openedAt} → ${w.closedAt ? `${w.closedAt} (${durationText(w.openedAt, w.closedAt)})` : 'still open'}`),
          ),
        );
      }
      y += ROW;
    }
    const connections = f.evidence.filter((r) => readRow(r).kind === 'connection');
    if (connections.length) {
      const cy = y + ROW / 2;
      body.push(h('text', { class: 'label', x: LABEL - 8, y: y + 15, 'text-anchor': 'end' }, `connections (${connections.length})`));
      for (const r of connections) {
        if (!inside(t(r.ts))) continue;
        const reading = readRow(r);
        const cx = x(t(r.ts));
        // ▼ arrives at the host (inbound), ▲ leaves it (outbound); unknown direction is a diamond.
        const points =
          reading.direction === 'inbound'
            ? `${cx - 5},${cy - 5} ${cx + 5},${cy - 5} ${cx},${cy + 5}`
            : reading.direction === 'outbound'
              ? `${cx - 5},${cy + 5} ${cx + 5},${cy + 5} ${cx},${cy - 5}`
              : `${cx},${cy - 6} ${cx + 6},${cy} ${cx},${cy + 6} ${cx - 6},${cy}`;
        const cls = reading.accepted === true ? 'accepted' : reading.accepted === false ? 'rejected' : 'mixed';
        body.push(
          h('polygon', { ...mark(`conn ${cls}`, r), points }, tip(`${r.ts} ${r.action} ${r.source_ip ?? ''} → ${r.resource ?? ''}`, r.detail, r.source_ref)),
        );
      }
      y += ROW;
    }
    const events = f.evidence.filter((r) => readRow(r).kind === 'event');
    if (events.length) {
      const rowY = y;
      body.push(h('text', { class: 'label', x: LABEL - 8, y: rowY + 15, 'text-anchor': 'end' }, `CloudTrail events (${events.length})`));
      for (const r of events) {
        if (!inside(t(r.ts))) continue;
        const at = x(t(r.ts));
        body.push(
          h(
            'line',
            { ...mark('event', r), x1: at, x2: at, y1: rowY + 3, y2: rowY + ROW - 3 },
            tip(`${r.ts} ${r.action} on ${r.resource ?? '?'}`, `by ${r.actor ?? '?'} from ${r.source_ip ?? '?'}`, r.detail, r.source_ref),
          ),
        );
      }
      y += ROW;
    }
    const title = `${index + 1}. ${f.decision.action.toUpperCase()} — ${f.title}`;
    bands.push(
      h(
        'g',
        { class: 'finding' },
        h('rect', { class: 'band', x: 0, y: top, width: WIDTH, height: y - top + 6, fill: index % 2 ? '#fafafa' : '#ffffff' }),
        h('rect', { x: 0, y: top + 4, width: 4, height: y - top - 2, fill: color }),
        h('text', { class: 'finding-title', x: 12, y: top + 18, fill: color }, plain(clip(title, 135)), tip(title)),
        body,
      ),
    );
    y += 8;
  });

  const height = y + 6;
  const ticks = axisLayout(lo, hi, x);
  return h(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'timeline',
      'data-testid': 'timeline',
      viewBox: `0 0 ${WIDTH} ${height}`,
      width: WIDTH,
      height,
      role: 'img',
      'aria-label': 'Timeline of exposure windows, connections and CloudTrail events (UTC)',
    },
    h('text', { class: 'axis-label', x: LABEL - 8, y: AXIS - 10, 'text-anchor': 'end' }, 'time (UTC)'),
    ticks.map((tick) => [
      h('line', { class: 'grid', x1: tick.x, x2: tick.x, y1: AXIS - 6, y2: height }),
      tick.label === null ? null : h('text', { class: 'tick', x: tick.x, y: AXIS - 10, 'text-anchor': 'middle', 'data-testid': 'timeline-tick' }, tick.label),
    ]),
    bands,
  );
}

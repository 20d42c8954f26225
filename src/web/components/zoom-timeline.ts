import { h } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { EvidenceRow, Finding } from '../../report/contract.js';
import { domainOf, LABEL, PLOT, WIDTH } from '../../report/render/timeline.js';
import { Timeline } from '../../report/render/timeline-svg.js';

/**
 * The shared timeline with zoom buttons and a brush: drag across the plot to zoom to that span.
 * The drawing is the static report's component, given a narrower domain; a press without a drag
 * stays a click on the mark under it (it opens the row's raw record).
 */

type Span = readonly [number, number];

/** The span `factor` times as wide around its centre, kept inside the whole span. */
export function zoomed([lo, hi]: Span, factor: number, whole: Span): Span {
  const centre = (lo + hi) / 2;
  const half = Math.max(((hi - lo) * factor) / 2, 30_000);
  const next: [number, number] = [Math.max(whole[0], centre - half), Math.min(whole[1], centre + half)];
  return next[1] - next[0] < 60_000 ? [lo, hi] : next;
}

/** Fraction of the plot's width at a pointer's x, from the wrapper's box. */
function plotFraction(box: DOMRect, clientX: number): number {
  const x = ((clientX - box.left) / box.width) * WIDTH;
  return Math.min(1, Math.max(0, (x - LABEL) / PLOT));
}

export function ZoomTimeline({ findings, onRow }: { findings: readonly Finding[]; onRow?: (row: EvidenceRow) => void }) {
  const whole = domainOf(findings);
  const [span, setSpan] = useState<Span | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const selection = useRef<HTMLDivElement>(null);
  if (!whole) return h(Timeline, { findings });
  const shownSpan = span ?? whole;
  const [lo, hi] = shownSpan;
  const at = (fraction: number) => lo + fraction * (hi - lo);

  const down = (event: PointerEvent) => {
    if (!wrapper.current || event.button !== 0) return;
    const f = plotFraction(wrapper.current.getBoundingClientRect(), event.clientX);
    setDrag({ from: f, to: f });
  };
  const move = (event: PointerEvent) => {
    if (!drag || !wrapper.current) return;
    const next = { from: drag.from, to: plotFraction(wrapper.current.getBoundingClientRect(), event.clientX) };
    setDrag(next);
    // Drawn through the CSSOM: the CSP forbids style attributes, not this.
    const box = selection.current;
    if (box) {
      box.style.display = 'block';
      box.style.left = `${((LABEL + Math.min(next.from, next.to) * PLOT) / WIDTH) * 100}%`;
      box.style.width = `${((Math.abs(next.to - next.from) * PLOT) / WIDTH) * 100}%`;
    }
  };
  const up = () => {
    if (!drag) return;
    const [a, b] = [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)];
    setDrag(null);
    if (selection.current) selection.current.style.display = 'none';
    // Under about 1% of the plot it was a click, which the mark under the pointer handles.
    if (b - a > 0.01) setSpan([at(a), at(b)]);
  };

  const zoomedIn = span !== null;
  return h(
    'div',
    { class: 'zoom-timeline' },
    h(
      'div',
      { class: 'timeline-tools' },
      h('button', { type: 'button', 'data-testid': 'timeline-zoom-in', onClick: () => setSpan(zoomed(shownSpan, 0.5, whole)) }, 'Zoom in'),
      h('button', { type: 'button', 'data-testid': 'timeline-zoom-out', disabled: !zoomedIn, onClick: () => setSpan(zoomed(shownSpan, 2, whole)) }, 'Zoom out'),
      h('button', { type: 'button', 'data-testid': 'timeline-reset', disabled: !zoomedIn, onClick: () => setSpan(null) }, 'Whole span'),
      h('span', { class: 'hint' }, 'Drag across the timeline to zoom to a span; click a mark for its raw record.'),
    ),
    h(
      'div',
      { class: 'timeline-frame', ref: wrapper, onPointerDown: down, onPointerMove: move, onPointerUp: up, onPointerLeave: up },
      h(Timeline, { findings, domain: shownSpan, ...(onRow ? { onRow } : {}) }),
      h('div', { class: 'timeline-brush', 'data-testid': 'timeline-brush', 'aria-hidden': 'true' }),
      h('div', { class: 'timeline-selection', ref: selection, 'aria-hidden': 'true' }),
    ),
  );
}

import type { Action, Finding } from '../contract.js';

/**
 * The timeline's geometry, pure: colours, the layout's sizes, the time domain of a set of
 * findings, axis ticks and labels, row labels. The SVG itself is the shared component in
 * timeline-svg.ts (drawn by the static report and the web workspace alike).
 */

export const ACTION_COLOR: Record<Action, string> = {
  isolate: '#c62828',
  escalate: '#e65100',
  ticket: '#1565c0',
  'false-positive': '#2e7d32',
};

export const WIDTH = 1120;
/** The left column, for row labels; the plot starts there. */
export const LABEL = 330;
const RIGHT = 20;
export const ROW = 22;
export const HEADER = 26;
export const AXIS = 34;
export const PLOT = WIDTH - LABEL - RIGHT;

/**
 * Candidate tick spacings, the first giving at most 10 ticks wins: fixed ones in seconds up to a
 * week, then calendar months and years (a trail can span years: weekly ticks there drew a solid bar).
 */
type TickStep = { seconds: number } | { months: number };
const STEPS: readonly TickStep[] = [
  ...[60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((seconds) => ({ seconds })),
  ...[1, 3, 6, 12, 24, 60, 120, 240, 600].map((months) => ({ months })),
];
const MAX_TICKS = 10;

const t = (iso: string) => Date.parse(iso);

/** The time span the findings cover, padded by 3% (at least ten minutes across); null when nothing has a time. */
export function domainOf(findings: readonly Finding[]): [number, number] | null {
  const times: number[] = [];
  for (const f of findings) {
    times.push(t(f.firstSeen), t(f.lastSeen));
    for (const r of f.evidence) times.push(t(r.ts));
    for (const w of f.windows ?? []) times.push(t(w.openedAt), ...(w.closedAt ? [t(w.closedAt)] : []));
  }
  const valid = times.filter(Number.isFinite);
  if (!valid.length) return null;
  let [lo, hi] = [Math.min(...valid), Math.max(...valid)];
  if (hi - lo < 600_000) [lo, hi] = [lo - 300_000, hi + 300_000]; // at least ten minutes across
  const pad = (hi - lo) * 0.03;
  return [lo - pad, hi + pad];
}

/** An ARN's resource part, cut in the middle to `max` characters. */
function shortResource(resource: string, max: number): string {
  const part = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.+)$/.exec(resource)?.[1] ?? resource;
  const chars = Array.from(part);
  if (chars.length <= max) return part;
  const head = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}

/** The label column holds about 46 characters. */
const WINDOW_LABEL = 46;

/**
 * A window's row label: the rule whole (its CIDR is what the responder reads), the resource
 * shortened into what is left, and only a rule longer than the column is cut itself.
 */
export function windowLabel(resource: string, rule: string): string {
  const room = WINDOW_LABEL - Array.from(rule).length - 2;
  return room >= 8 ? `${shortResource(resource, room)}: ${rule}` : clip(`${shortResource(resource, 8)}: ${rule}`, WINDOW_LABEL);
}

/** Labels truncated to what fits the label column (about 7 px a character at 12 px). */
export const clip = (text: string, max = 40) =>
  Array.from(text).length > max
    ? Array.from(text)
        .slice(0, max - 1)
        .join('') + '…'
    : text;

/** About how wide a tick label is drawn (11 px text: ~6.5 px a character). */
const TICK_CHAR = 6.5;
/** How wide a tick label is drawn, in the timeline's units. */
export function tickLabelWidth(label: string): number {
  return label.length * TICK_CHAR;
}

/** Pixels kept between two tick labels. */
const LABEL_GAP = 8;

/** Whether a label centred on a tick stays between the row labels on the left and the right edge. */
function labelFits(at: number, label: string): boolean {
  const half = tickLabelWidth(label) / 2;
  return at - half >= LABEL && at + half <= WIDTH;
}

/** Tick times from `lo` to `hi` for one step: multiples of fixed steps, or month starts aligned to the step. */
function tickTimes(lo: number, hi: number, step: TickStep): number[] {
  const out: number[] = [];
  if ('seconds' in step) {
    const ms = step.seconds * 1000;
    for (let at = Math.ceil(lo / ms) * ms; at <= hi && out.length <= MAX_TICKS; at += ms) out.push(at);
    return out;
  }
  const start = new Date(lo);
  let month = start.getUTCFullYear() * 12 + start.getUTCMonth();
  month = Math.ceil(month / step.months) * step.months;
  for (; out.length <= MAX_TICKS; month += step.months) {
    const at = Date.UTC(Math.floor(month / 12), month % 12, 1);
    if (at < lo) continue;
    if (at > hi) break;
    out.push(at);
  }
  return out;
}

/**
 * The axis ticks of a span: the finest step with at most ten ticks. Labels: a year, a month, a
 * date for steps of a day or more, else the time of day (`axis` adds the date where it changes).
 */
export function axisTicks(lo: number, hi: number): { ms: number; label: string; day: string; timeOfDay: boolean }[] {
  const step = STEPS.find((s) => tickTimes(lo, hi, s).length <= MAX_TICKS) ?? STEPS[STEPS.length - 1]!;
  return tickTimes(lo, hi, step).map((ms) => {
    const iso = new Date(ms).toISOString();
    const day = iso.slice(0, 10);
    if ('months' in step) return { ms, day, label: step.months % 12 === 0 ? iso.slice(0, 4) : iso.slice(0, 7), timeOfDay: false };
    return step.seconds >= 86_400 ? { ms, day, label: day, timeOfDay: false } : { ms, day, label: iso.slice(11, 16), timeOfDay: true };
  });
}

/** A tick as the axis draws it: its x, and its label or null where the label would overlap or not fit. */
export interface AxisTick {
  ms: number;
  x: number;
  label: string | null;
}

/**
 * The axis of `[lo, hi]` drawn by `x`: the ticks of `axisTicks`, labels widened with the date
 * where the day changes, and any label that would overlap the one before it or leave the plot
 * dropped (its grid line stays), so labels never overlap whatever the span or zoom.
 */
export function axisLayout(lo: number, hi: number, x: (ms: number) => number): AxisTick[] {
  const out: AxisTick[] = [];
  let shownDay = '';
  let shownRight = Number.NEGATIVE_INFINITY;
  for (const tick of axisTicks(lo, hi)) {
    const label = tick.timeOfDay && tick.day !== shownDay ? `${tick.day} ${tick.label}` : tick.label;
    const at = x(tick.ms);
    const half = tickLabelWidth(label) / 2;
    const fits = labelFits(at, label) && at - half >= shownRight + LABEL_GAP;
    if (fits) {
      shownDay = tick.day;
      shownRight = at + half;
    }
    out.push({ ms: tick.ms, x: at, label: fits ? label : null });
  }
  return out;
}

import type { Action, Finding, Report } from '../contract.js';
import { durationText, readRow, sortFindings } from './model.js';
import { html, lines, type Markup } from './html-template.js';

/**
 * The timeline of the HTML report, drawn server-side as inline SVG (no script, no fonts, no
 * network). One band per finding, most severe first:
 * - a bar per exposure window (open → close; still open runs to the edge, dashed),
 * - a row of connection marks: ▼ inbound, ▲ outbound; filled = accepted, hollow = rejected,
 * - a row of ticks for CloudTrail events.
 * Every mark carries a <title>, which browsers show on hover, with the row's details.
 */

export const ACTION_COLOR: Record<Action, string> = {
  isolate: '#c62828',
  escalate: '#e65100',
  ticket: '#1565c0',
  'false-positive': '#2e7d32',
};

const WIDTH = 1120;
const LABEL = 330; // left column for row labels
const RIGHT = 20;
const ROW = 22;
const HEADER = 26;
const AXIS = 34;
const PLOT = WIDTH - LABEL - RIGHT;

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

function domainOf(findings: readonly Finding[]): [number, number] | null {
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
const clip = (text: string, max = 40) =>
  Array.from(text).length > max
    ? Array.from(text)
        .slice(0, max - 1)
        .join('') + '…'
    : text;

export function renderTimeline(report: Report): Markup {
  const findings = sortFindings(report.findings);
  const domain = domainOf(findings);
  if (!domain) return html`<p class="empty">Nothing to draw: no finding has a time.</p>`;
  const [lo, hi] = domain;
  const x = (ms: number) => (LABEL + ((ms - lo) / (hi - lo)) * PLOT).toFixed(1);

  const rows: Markup[] = [];
  let y = AXIS;
  findings.forEach((f, index) => {
    const color = ACTION_COLOR[f.decision.action];
    const top = y;
    y += HEADER;
    const body: Markup[] = [];
    for (const w of f.windows ?? []) {
      const open = t(w.openedAt);
      const closed = w.closedAt ? t(w.closedAt) : hi;
      const label = windowLabel(w.resource, w.rule);
      const tip = lines(`${w.resource}: ${w.rule}`, `${w.openedAt} → ${w.closedAt ? `${w.closedAt} (${durationText(w.openedAt, w.closedAt)})` : 'still open'}`);
      const width = Math.max(2, Number(x(closed)) - Number(x(open)));
      body.push(html`<text class="label" x="${LABEL - 8}" y="${y + 15}" text-anchor="end">${label}<title>${w.resource}: ${w.rule}</title></text>
<rect class="window${w.closedAt ? '' : ' open'}" x="${x(open)}" y="${y + 4}" width="${width.toFixed(1)}" height="${ROW - 8}" fill="${color}" stroke="${color}"><title>${tip}</title></rect>`);
      y += ROW;
    }
    const connections = f.evidence.filter((r) => readRow(r).kind === 'connection');
    if (connections.length) {
      const marks = connections.map((r) => {
        const reading = readRow(r);
        const cx = Number(x(t(r.ts)));
        const cy = y + ROW / 2;
        // ▼ arrives at the host (inbound), ▲ leaves it (outbound); unknown direction is a diamond.
        const points =
          reading.direction === 'inbound'
            ? `${cx - 5},${cy - 5} ${cx + 5},${cy - 5} ${cx},${cy + 5}`
            : reading.direction === 'outbound'
              ? `${cx - 5},${cy + 5} ${cx + 5},${cy + 5} ${cx},${cy - 5}`
              : `${cx},${cy - 6} ${cx + 6},${cy} ${cx},${cy + 6} ${cx - 6},${cy}`;
        const cls = reading.accepted === true ? 'accepted' : reading.accepted === false ? 'rejected' : 'mixed';
        const tip = lines(`${r.ts} ${r.action} ${r.source_ip ?? ''} → ${r.resource ?? ''}`, r.detail, r.source_ref);
        return html`<polygon class="conn ${cls}" points="${points}"><title>${tip}</title></polygon>`;
      });
      body.push(html`<text class="label" x="${LABEL - 8}" y="${y + 15}" text-anchor="end">connections (${connections.length})</text>${marks}`);
      y += ROW;
    }
    const events = f.evidence.filter((r) => readRow(r).kind === 'event');
    if (events.length) {
      const ticks = events.map((r) => {
        const tip = lines(`${r.ts} ${r.action} on ${r.resource ?? '?'}`, `by ${r.actor ?? '?'} from ${r.source_ip ?? '?'}`, r.detail, r.source_ref);
        return html`<line class="event" x1="${x(t(r.ts))}" x2="${x(t(r.ts))}" y1="${y + 3}" y2="${y + ROW - 3}"><title>${tip}</title></line>`;
      });
      body.push(html`<text class="label" x="${LABEL - 8}" y="${y + 15}" text-anchor="end">CloudTrail events (${events.length})</text>${ticks}`);
      y += ROW;
    }
    const title = `${index + 1}. ${f.decision.action.toUpperCase()} — ${f.title}`;
    rows.push(html`<g class="finding">
<rect class="band" x="0" y="${top}" width="${WIDTH}" height="${y - top + 6}" fill="${index % 2 ? '#fafafa' : '#ffffff'}"/>
<rect x="0" y="${top + 4}" width="4" height="${y - top - 2}" fill="${color}"/>
<text class="finding-title" x="12" y="${top + 18}" fill="${color}">${clip(title, 135)}<title>${title}</title></text>
${body}
</g>`);
    y += 8;
  });

  const height = y + 6;
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="Timeline of exposure windows, connections and CloudTrail events (UTC)">
${axis(lo, hi, x, height)}
${rows}
</svg>`;
}

/** About how wide a tick label is drawn (11 px text: ~6.5 px a character). */
const TICK_CHAR = 6.5;

/** Whether a label centred on a tick stays between the row labels on the left and the right edge. */
function labelFits(at: number, label: string): boolean {
  const half = (label.length * TICK_CHAR) / 2;
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

function axis(lo: number, hi: number, x: (ms: number) => string, height: number): Markup {
  const ticks: Markup[] = [];
  let shownDay = '';
  for (const tick of axisTicks(lo, hi)) {
    // A label that would not fit is left out (its grid line stays); the next one then names its day.
    const label = tick.timeOfDay && tick.day !== shownDay ? `${tick.day} ${tick.label}` : tick.label;
    const at = Number(x(tick.ms));
    const text = labelFits(at, label) ? html`<text class="tick" x="${x(tick.ms)}" y="${AXIS - 10}" text-anchor="middle">${label}</text>` : '';
    if (text) shownDay = tick.day;
    ticks.push(html`<line class="grid" x1="${x(tick.ms)}" x2="${x(tick.ms)}" y1="${AXIS - 6}" y2="${height}"/>${text}`);
  }
  return html`<text class="axis-label" x="${LABEL - 8}" y="${AXIS - 10}" text-anchor="end">time (UTC)</text>${ticks}`;
}

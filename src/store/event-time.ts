import { isoUtc } from '../time.js';

/**
 * The one parser of CloudTrail `eventTime` (pure). Ingest parses every record's time once with it:
 * the store keeps the canonical text in `eventtime`, the original text in `eventtime_raw`, and the
 * exact instant (milliseconds) in `_time`, so that ordering, exposure windows and `--from/--to`,
 * which compare `eventtime` as text (in SQL that also runs on Athena), compare instants.
 *
 * The canonical text is CloudTrail's own, `YYYY-MM-DDTHH:MM:SSZ` (`src/time.ts` `isoUtc` of the
 * whole second): CloudTrail records whole seconds, and text with a fraction does not order with
 * text without one (`…:45.500Z` sorts before `…:45Z`, since `.` < `Z`). A fraction, which only
 * exports write (nearly always `.000`), is kept in `_time` and `eventtime_raw`.
 *
 * Accepted (each seen in real logs or exports; `test/ingest/event-time.test.ts`):
 * - `2024-05-14T09:12:07Z`: CloudTrail delivery, Athena;
 * - `2021-01-24 04:55:45.000`, `2021-10-13 18:35:08`, `2022-03-29 17:16:36.000000000`:
 *   CloudTrail Lake query results and exports, Panther's fixtures (a space, no zone);
 * - `…+00:00`, `…+0000`, `…-05:00`, ` UTC`: offsets written by other exporters;
 * - a fraction of 1 to 9 digits after `.` or `,` (kept to the millisecond in `_time`, truncated).
 * A time with no zone is UTC: CloudTrail records UTC, and Lake and Athena print it without a zone.
 * Anything else (`Jan 24 2021`, epoch numbers, a day 31 in April) is not guessed: the record is
 * skipped with the reason, which `Date.parse` would have accepted in the machine's local zone.
 */
export type EventTime = { ok: true; ms: number; canonical: string } | { ok: false; reason: string };

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:(?: ?)(Z|z|UTC|[+-]\d{2}(?::?\d{2})?))?$/;

export function parseEventTime(value: unknown): EventTime {
  if (typeof value !== 'string') return { ok: false, reason: `eventTime is not text: ${describe(value)}` };
  return canonicalAsWritten(value) ?? parseAnyShape(value);
}

/**
 * CloudTrail's own `YYYY-MM-DDTHH:MM:SSZ`, nearly every record: read digit by digit, and the text
 * is already canonical. Ingest parses every record's time, so this path is kept cheap (measured
 * 1M times: the regular-expression path alone costs about twice `Date.parse`).
 */
function canonicalAsWritten(text: string): EventTime | undefined {
  if (text.length !== 20 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== 'Z')
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || (day > 28 && day > daysIn(year, month)) || hour > 23 || minute > 59 || second > 59) return undefined;
  return { ok: true, ms: Date.UTC(year, month - 1, day, hour, minute, second), canonical: text };
}

/** The decimal number in `text[start, start + length)`, or -1 when a character is not a digit. */
function digits(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function parseAnyShape(value: string): EventTime {
  const m = SHAPE.exec(value);
  if (m === null) {
    return { ok: false, reason: `eventTime is not an ISO-8601 date and time (YYYY-MM-DD, T or a space, HH:MM:SS): ${describe(value)}` };
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const offset = offsetMinutes(m[8]);
  if (offset === null) return { ok: false, reason: `eventTime has an impossible zone offset: ${describe(value)}` };
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `eventTime is not a real date and time: ${describe(value)}` };
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  return { ok: true, ms, canonical: isoUtc(ms - (((ms % 1000) + 1000) % 1000)) };
}

/** Minutes east of UTC written by the suffix; null when impossible. */
function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function describe(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 60);
}

import { TrailbookError } from './errors.js';

/**
 * One time format in every output: ISO-8601 UTC, milliseconds only when there are any.
 * CloudTrail writes `2024-05-14T09:12:07Z`; flow logs count whole seconds; so a report reads one
 * format throughout and times compare as strings.
 */
export function isoUtc(ms: number): string {
  const text = new Date(ms).toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
}

/**
 * One time input grammar for every time flag of every command and every runbook `timestamp`
 * parameter, so a bound means the same thing wherever it is typed and whatever the machine's
 * `TZ` (the parsing below never consults the local zone):
 *
 * - ISO-8601 with `Z` or an offset: `2024-05-01T13:00:00Z`, `2024-05-01T15:00:00+02:00`;
 * - a date or date-time without a zone, read as UTC (`assumedUtc`, so the CLI can say so);
 * - relative to the run's `now`: `now`, `now-2h`, and the bare durations `30m`, `24h`, `7d`
 *   (that long before now).
 *
 * Anything else is refused: `Date.parse` would accept `May 14` or read `x' or 1=1` as 2001.
 */
export interface ParsedTime {
  ms: number;
  /** The canonical text, as `isoUtc` writes it. */
  iso: string;
  /** The text had no zone and was read as UTC. */
  assumedUtc: boolean;
}

export type TimeParse = ({ ok: true } & ParsedTime) | { ok: false; message: string };

/** Shown with every refusal, so the user sees what is accepted. */
export const TIME_EXAMPLES = '2024-05-01T13:00:00Z, 2024-05-01 (UTC), now, now-2h, 24h, 7d, 30m';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RELATIVE = /^(?:now(?:-(\d{1,9})([smhd]))?|(\d{1,9})([smhd]))$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseTimeText(text: string, now: Date): TimeParse {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const amount = relative[1] ?? relative[3];
    const unit = relative[2] ?? relative[4];
    const ms = now.getTime() - (amount === undefined ? 0 : Number(amount) * UNIT_MS[unit!]!);
    return accepted(ms, false);
  }
  const iso = ISO.exec(trimmed);
  if (!iso) return { ok: false, message: `${JSON.stringify(text)} is not an ISO-8601 time or a relative time` };
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = iso;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // Field ranges are checked here because Date.UTC rolls 2024-02-30 over into March.
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
    return { ok: false, message: `${JSON.stringify(text)} is not a calendar date` };
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { ok: false, message: `${JSON.stringify(text)} is not a time of day` };
  }
  const offsetMinutes = zone === undefined ? 0 : parseOffset(zone);
  if (offsetMinutes === undefined) return { ok: false, message: `${JSON.stringify(text)} has an invalid zone offset` };
  const millis = fraction === '' ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  const ms = utcMs(year, month - 1, day, Number(h), Number(mi), Number(s), millis) - offsetMinutes * 60_000;
  return accepted(ms, zone === undefined);
}

/**
 * A time flag's value, or a usage error naming the flag and showing what is accepted.
 * `notes` collects the flags read as UTC, for `utcNote`.
 */
export function parseTimeFlag(value: string, flag: string, now: Date, notes?: string[]): ParsedTime {
  const parsed = parseTimeText(value, now);
  if (!parsed.ok) {
    throw new TrailbookError('USAGE', `${flag}: ${parsed.message}`, { hint: `e.g. ${flag} 2024-05-01T13:00:00Z (accepted: ${TIME_EXAMPLES})` });
  }
  if (parsed.assumedUtc && notes) notes.push(`${flag} ${value.trim()}`);
  return { ms: parsed.ms, iso: parsed.iso, assumedUtc: parsed.assumedUtc };
}

/** One line for stderr saying which flags had no zone (undefined when none): said once per command. */
export function utcNote(notes: readonly string[]): string | undefined {
  if (notes.length === 0) return undefined;
  return `trailbook: note: no time zone in ${notes.join(', ')}: read as UTC\n`;
}

function accepted(ms: number, assumedUtc: boolean): TimeParse {
  // Outside what Date (and the store's timestamps) can hold: refuse rather than print "Invalid Date".
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return { ok: false, message: 'the time is out of range' };
  return { ok: true, ms, iso: isoUtc(ms), assumedUtc };
}

function parseOffset(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

function daysIn(year: number, month: number): number {
  return new Date(utcMs(year, month, 0, 0, 0, 0, 0)).getUTCDate();
}

/** Date.UTC, except that years 0-99 stay themselves (Date.UTC reads them as 1900-1999). */
function utcMs(year: number, monthIndex: number, day: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

/**
 * A time bound handed to a library function (`findExposures`, `findConnections`): the same
 * grammar as the flags, relative forms against the current time; a usage error otherwise.
 */
export function timeBound(value: string, flag: string): ParsedTime {
  return parseTimeFlag(value, flag, new Date());
}

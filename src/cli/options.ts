import { TrailbookError } from '../errors.js';

/** The store every command uses unless told otherwise: next to the investigation, not global. */
export const DEFAULT_DB = '.trailbook/trailbook.duckdb';

export function parseTime(value: string, flag: string): Date {
  // A bare date means the start of that day, UTC, as in CloudTrail's folder layout.
  const normalized = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = Date.parse(normalized);
  if (Number.isNaN(ms)) {
    throw new TrailbookError('USAGE', `${flag} "${value}" is not a time`, { hint: 'use ISO-8601, e.g. 2024-05-01 or 2024-05-01T13:00:00Z' });
  }
  return new Date(ms);
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

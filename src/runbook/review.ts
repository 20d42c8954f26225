import type { Runbook } from './schema.js';

/**
 * "Version-controlled, reviewed often": a runbook names its owner, the day it was last reviewed
 * and how often it must be (docs/runbook-format.md, `owner`, `reviewed`, `reviewInterval`).
 * Pure: the review state of a runbook on a given day, for `runbook list` and `runbook lint`.
 */

/** A review falling due within this many days is shown as due rather than ok. */
export const DUE_SOON_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ReviewState =
  | { state: 'unknown'; reason: string }
  | { state: 'ok' | 'due'; dueOn: string; days: number }
  | { state: 'overdue'; dueOn: string; days: number };

export function intervalDays(interval: string): number {
  return Number(interval.slice(0, -1));
}

/**
 * The state on the UTC day of `now`. `days` counts whole days: until the due day for ok/due
 * (0 = due today), since it for overdue (1 = the due day was yesterday).
 */
export function reviewState(runbook: Pick<Runbook, 'reviewed' | 'reviewInterval'>, now: Date): ReviewState {
  if (runbook.reviewed === undefined) return { state: 'unknown', reason: 'never reviewed (no `reviewed` date)' };
  const dueMs = Date.parse(`${runbook.reviewed}T00:00:00Z`) + intervalDays(runbook.reviewInterval) * DAY_MS;
  const todayMs = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const dueOn = new Date(dueMs).toISOString().slice(0, 10);
  const left = Math.round((dueMs - todayMs) / DAY_MS);
  if (left < 0) return { state: 'overdue', dueOn, days: -left };
  return { state: left <= DUE_SOON_DAYS ? 'due' : 'ok', dueOn, days: left };
}

/** `ok`, `due in 3 days`, `due today`, `overdue by 12 days`, or the reason it is unknown. */
export function describeReview(review: ReviewState): string {
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  switch (review.state) {
    case 'unknown':
      return review.reason;
    case 'ok':
      return 'ok';
    case 'due':
      return review.days === 0 ? 'due today' : `due in ${days(review.days)}`;
    case 'overdue':
      return `overdue by ${days(review.days)}`;
  }
}

/**
 * One time format in every output: ISO-8601 UTC, milliseconds only when there are any.
 * CloudTrail writes `2024-05-14T09:12:07Z`; flow logs count whole seconds; so a report reads one
 * format throughout and times compare as strings.
 */
export function isoUtc(ms: number): string {
  const text = new Date(ms).toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
}

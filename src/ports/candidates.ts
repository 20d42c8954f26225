import type { Row } from '../engines/engine.js';
import { USERIDENTITY_JSON, userIdentityOf, type CloudTrailRow } from '../tables/cloudtrail.js';
import type { Direction, ExposureChange } from './change.js';
import { createdRuleDirections, EXPOSURE_EVENT_NAMES, normalizeEvent } from './normalize/index.js';
import { parseJsonObject } from './json.js';
import { sqlList } from '../store/sql.js';

/**
 * The engine scans, TypeScript judges (ARCHITECTURE.md). The SQL below only narrows by the event
 * names that can carry a port and by time, so it runs unchanged on DuckDB and Athena; it never
 * looks inside `requestparameters`. Event names are this module's own constants (checked to be
 * plain identifiers by `sqlList`, store/sql.ts), the times are bound parameters.
 */

/**
 * The columns the judgement reads. `useridentity` is read whole: through the Athena-shaped view a
 * field access (`useridentity.arn`) costs as much as the struct (the engine builds it either way).
 * It comes back as JSON text on both engines (USERIDENTITY_JSON), parsed in `asCloudTrailRow`.
 */
const CANDIDATE_COLUMNS = `eventid, eventtime, eventsource, eventname, awsregion, sourceipaddress, ${USERIDENTITY_JSON},
       errorcode, requestparameters, responseelements, recipientaccountid`;

/**
 * Further Athena columns a caller may have carried on each candidate row (`ExposureQuery.carry`),
 * read by the same scan: cheaper than a second pass over the table for the same events.
 */
export const CARRY_COLUMNS = ['useragent', 'sessioncredentialfromconsole', 'additionaleventdata', 'errormessage'] as const;
export type CarryColumn = (typeof CARRY_COLUMNS)[number];

/** The asked carry columns, each once, checked against CARRY_COLUMNS (they are spliced as names). */
export function carryColumns(carry: readonly CarryColumn[]): CarryColumn[] {
  return [...new Set(carry)].map((column) => {
    if (!(CARRY_COLUMNS as readonly string[]).includes(column)) throw new Error(`not a column findExposures can carry: ${String(column)}`);
    return column;
  });
}

/** The candidate query, carrying `carry` too (names from CARRY_COLUMNS only; times stay bound). */
export function candidateSqlWith(carry: readonly CarryColumn[] = [], source = 'cloudtrail_logs'): string {
  return `SELECT ${CANDIDATE_COLUMNS}${carryColumns(carry)
    .map((c) => `, ${c}`)
    .join('')}
FROM ${source}
WHERE eventname IN (${sqlList(EXPOSURE_EVENT_NAMES)})
  AND eventtime >= $from AND eventtime <= $to
ORDER BY eventtime, eventid`;
}

export const candidateSql = candidateSqlWith();

/** Bounds that let every event with a time through the candidate query. */
export { EARLIEST, LATEST } from '../engines/engine.js';

/** A candidate row as `findExposures` returns it: the columns read, less the request and response. */
export type CandidateRow = Omit<CloudTrailRow, 'requestparameters' | 'responseelements'>;

/**
 * One candidate event as the judgement keeps it: its row, without `requestparameters` and
 * `responseelements` (the changes are what they say), and the exposure changes it makes.
 */
export interface NormalizedEvent {
  row: CandidateRow;
  changes: ExposureChange[];
}

/**
 * Candidate rows (as the candidate query returns them, in its order) → the changes each makes.
 * The one piece of knowledge that crosses events — the direction of a security-group rule, known
 * from the event that created it, for `ModifySecurityGroupRules` — is taken from every row given,
 * whatever its time: a rule id is only ever modified after it was created, and taking it from all
 * rows makes each event's changes a function of the set of candidates, not of the time window
 * asked for (so they can be computed once and kept: ports/exposure-changes.ts).
 */
export function normalizeCandidates(rows: readonly Row[]): NormalizedEvent[] {
  return judgeCandidateRows(rows).events;
}

export interface JudgedCandidates {
  events: NormalizedEvent[];
  /** The rule directions learned: `known`, then every rule the rows created (a later creation wins). */
  ruleDirections: Map<string, Direction>;
  /** Rule ids a `ModifySecurityGroupRules` of these rows asked for and no creation gave. */
  unresolved: Set<string>;
}

/**
 * `normalizeCandidates` that also says what it learned and what it missed, so that rows appended
 * later can be judged on their own (`known`: the directions learned from the rows before them)
 * and the caller can tell when they would change the judgement of those earlier rows.
 */
export function judgeCandidateRows(rows: readonly Row[], known: ReadonlyMap<string, Direction> = new Map()): JudgedCandidates {
  const candidates = rows.map(asCloudTrailRow);
  const ruleDirections = new RecordingDirections(known);
  for (const row of candidates) for (const [id, direction] of createdRuleDirections(parseJsonObject(row.responseelements))) ruleDirections.set(id, direction);
  const events = candidates.map((row) => {
    const changes = normalizeEvent(row, { ruleDirections });
    const { requestparameters: _request, responseelements: _response, ...rest } = row;
    return { row: rest, changes };
  });
  return { events, ruleDirections: new Map(ruleDirections), unresolved: ruleDirections.misses };
}

/** Rule directions that remember which ids were asked for and not found. */
class RecordingDirections extends Map<string, Direction> {
  readonly misses = new Set<string>();

  override get(id: string): Direction | undefined {
    const direction = super.get(id);
    if (direction === undefined) this.misses.add(id);
    return direction;
  }
}

function asCloudTrailRow(row: Row): CloudTrailRow {
  // The SQL selects a subset of the Athena columns; the rest are absent, which the normalizers
  // never read. JSON columns may come back parsed from some engines: turn them back into text.
  const json = (value: unknown) => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));
  return {
    ...(row as unknown as CloudTrailRow),
    useridentity: userIdentityOf(row['useridentity']),
    requestparameters: json(row['requestparameters']),
    responseelements: json(row['responseelements']),
  };
}

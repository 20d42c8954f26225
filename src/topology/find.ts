import { historyBounds, type Engine } from '../engines/engine.js';
import { exposureSource } from '../store/exposure-copy.js';
import { sqlList } from '../store/sql.js';
import { buildMembership, TOPOLOGY_EVENT_NAMES, type Membership, type TopologyEventRow } from './membership.js';

/**
 * The membership events, read in one narrow query: event names are this module's constants
 * (checked plain identifiers; nothing else varies, so nothing is spliced). A local store keeps
 * these events in its narrow copy (store/exposure-copy.ts), so a warm run reads a few rows, not
 * the trail. Every event counts, whatever the time range asked: an interface launched before
 * `from` still carries its groups, and one changed after `to` does not matter because
 * `Membership.groupsAt` answers for a moment. With `windowed`, only events between the bound
 * `$from` and `$to` are read (see findMembership).
 */
export function membershipSql(source: string, windowed = false): string {
  return `SELECT eventid, eventtime, eventname, awsregion, recipientaccountid, errorcode, requestparameters, responseelements
FROM ${source}
WHERE eventname IN (${sqlList(TOPOLOGY_EVENT_NAMES)})${windowed ? '\n  AND eventtime >= $from AND eventtime <= $to' : ''}
ORDER BY eventtime, eventid`;
}

/** The run's window, for an engine that bounds the history it reads (ISO-8601 bounds). */
export interface MembershipWindow {
  from?: string;
  to?: string;
}

/**
 * Interface membership from the events up to the window's end; how far back is the engine's
 * (`historyBounds`): every event on a local store, `historyDays` before the window on Athena.
 */
export async function findMembership(engine: Engine, window: MembershipWindow = {}): Promise<Membership> {
  const source = await exposureSource(engine, TOPOLOGY_EVENT_NAMES);
  const bounded = engine.dialect.historyDays !== null;
  const { rows } = await engine.all(membershipSql(source, bounded), bounded ? historyBounds(engine.dialect, window) : {});
  const json = (value: unknown) => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));
  return buildMembership(
    rows.map((r) => ({
      ...(r as unknown as TopologyEventRow),
      requestparameters: json(r['requestparameters']),
      responseelements: json(r['responseelements']),
    })),
  );
}

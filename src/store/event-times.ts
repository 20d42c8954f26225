import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import { parseEventTime } from './event-time.js';
import { isoUtc } from '../time.js';

/**
 * Stores written before ingest canonicalised event times (store/event-time.ts) hold
 * `eventtime` as the log wrote it, and Lake-style text (`2021-01-24 04:55:45.000`) mixed with
 * CloudTrail's (`…T…Z`) compares wrongly as text: windows close before they open and `--from`
 * drops events. A writable open of such a store (its `eventtime_raw` column is new, so its rows
 * have none) canonicalises them once: the text as written moves to `eventtime_raw`, `eventtime`
 * and `_time` get the parsed instant. A time the parser refuses, which the old ingest accepted
 * through `Date.parse`, keeps the instant that ingest stored in `_time`: the row is evidence and
 * is not dropped. The `_key` is left alone: ingest still keys events by the text as written.
 *
 * Returns how many rows it gave an `eventtime_raw` (0 when none lacked one); the caller then
 * rebuilds the exposure copy, whose rows are copies of these. Run when the layout changed only
 * (store/layout.ts): on a current store every row has its raw time already.
 */
export async function canonicaliseStoredEventTimes(engine: DuckDBEngine): Promise<number> {
  const old = await engine.all('SELECT count(*) AS n FROM cloudtrail_events WHERE eventtime_raw IS NULL AND eventtime IS NOT NULL');
  if (Number(old.rows[0]?.['n'] ?? 0) === 0) return 0;
  await engine.run('BEGIN TRANSACTION');
  try {
    const { rows } = await engine.all(
      `SELECT DISTINCT eventtime AS raw, epoch_ms(_time) AS ms FROM cloudtrail_events
       WHERE eventtime_raw IS NULL AND eventtime IS NOT NULL
         AND NOT (regexp_full_match(eventtime, '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3})?Z') AND eventtime NOT LIKE '%.000Z')`,
    );
    if (rows.length > 0) {
      await engine.run('CREATE OR REPLACE TEMP TABLE _event_time_map (raw VARCHAR, canonical VARCHAR, ms BIGINT)');
      const appender = await engine.connection.createAppender('_event_time_map', 'main', 'temp');
      try {
        for (const row of rows) {
          const raw = String(row['raw']);
          const parsed = parseEventTime(raw);
          const ms = parsed.ok ? parsed.ms : Number(row['ms']);
          appender.appendVarchar(raw);
          appender.appendVarchar(parsed.ok ? parsed.canonical : isoUtc(ms));
          appender.appendBigInt(BigInt(ms));
          appender.endRow();
        }
      } finally {
        appender.closeSync();
      }
      await engine.run(
        `UPDATE cloudtrail_events SET eventtime_raw = cloudtrail_events.eventtime, eventtime = m.canonical, _time = make_timestamp(m.ms * 1000)
         FROM _event_time_map m WHERE cloudtrail_events.eventtime_raw IS NULL AND cloudtrail_events.eventtime = m.raw`,
      );
      await engine.run('DROP TABLE _event_time_map');
    }
    await engine.run('UPDATE cloudtrail_events SET eventtime_raw = eventtime WHERE eventtime_raw IS NULL AND eventtime IS NOT NULL');
    await engine.run('COMMIT');
    return Number(old.rows[0]?.['n']);
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

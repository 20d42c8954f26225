import { ACTIONS, type Action } from '../decide/actions.js';
import type { DuckDBEngine } from '../engines/duckdb/engine.js';
import type { Alert } from './alert.js';

/**
 * The `alert_state` table (store/alert-state.ts) read and written: identity → the action last
 * alerted. Written only after the alerts are in the outbox (alerts/outbox.ts), so a crash in
 * between re-plans the same alerts, whose outbox files are then rewritten under the same names.
 */
export async function loadAlertState(engine: DuckDBEngine): Promise<Map<string, Action>> {
  const { rows } = await engine.all('SELECT identity, action FROM alert_state');
  const state = new Map<string, Action>();
  for (const row of rows) {
    const action = row['action'];
    // A value this version does not know is left out: the finding counts as unseen, and alerts once more.
    if ((ACTIONS as readonly unknown[]).includes(action)) state.set(String(row['identity']), action as Action);
  }
  return state;
}

/** Records the alerts (one transaction): each identity's row replaced by the alert's action, id and time. */
export async function recordAlerts(engine: DuckDBEngine, alerts: readonly Alert[], at: Date): Promise<void> {
  if (alerts.length === 0) return;
  await engine.run('BEGIN TRANSACTION');
  try {
    for (const alert of alerts) {
      await engine.run('DELETE FROM alert_state WHERE identity = $identity', { identity: alert.identity });
      await engine.run('INSERT INTO alert_state VALUES ($identity, $action, $id, $at::TIMESTAMP)', {
        identity: alert.identity,
        action: alert.action,
        id: alert.id,
        at: at.toISOString(),
      });
    }
    await engine.run('COMMIT');
  } catch (error) {
    await engine.run('ROLLBACK');
    throw error;
  }
}

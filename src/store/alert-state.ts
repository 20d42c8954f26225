/**
 * `alert_state`: what `trailbook watch` last alerted per finding identity (docs/watch.md), one
 * row per identity. The store holds it beside the ingest ledger so a restart neither alerts again
 * nor misses a change. Created on every writable open (store/layout.ts); a store from before it
 * gets the table on its next writable open.
 */
export const ALERT_STATE_DDL: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS alert_state (identity VARCHAR PRIMARY KEY, action VARCHAR NOT NULL, alert_id VARCHAR NOT NULL, alerted_at TIMESTAMP NOT NULL)',
];

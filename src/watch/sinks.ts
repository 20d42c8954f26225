import { TrailbookError } from '../errors.js';
import { type AlertsSetting, alertsConfigFromSettings, buildSinks } from '../alerts/config.js';
import type { Sink } from '../alerts/sink.js';

export interface SinkFlags {
  webhook?: string;
  /** `--alerts FILE`: replaces trailbook.yaml's `alerts:`. */
  alerts?: string;
}

/** The environment variable holding the generic webhook's HMAC key (never a flag: flags end up in shell history and `ps`). */
export const WEBHOOK_SECRET_ENV = 'TRAILBOOK_WEBHOOK_SECRET';

/**
 * The sinks `watch` delivers to: the one place that chooses them. `--alerts FILE`, else
 * trailbook.yaml's `alerts:`, plus `--webhook URL` (signed when TRAILBOOK_WEBHOOK_SECRET is set);
 * secrets come from the variables the configuration names (docs/alerts.md).
 */
export function sinksFromFlags(flags: SinkFlags, env: NodeJS.ProcessEnv, fromProject?: AlertsSetting): Sink[] {
  const config = alertsConfigFromSettings({ alertsFile: flags.alerts, webhookUrl: flags.webhook, fromProject }, env);
  const sinks = config ? buildSinks(config, env) : [];
  if (sinks.length === 0) {
    throw new TrailbookError('USAGE', 'watch has nowhere to send alerts', {
      hint: `give --webhook URL (signed when ${WEBHOOK_SECRET_ENV} is set), --alerts FILE, or an alerts: section in trailbook.yaml (docs/alerts.md)`,
    });
  }
  return sinks;
}

import { TrailbookError } from '../errors.js';
import type { Sink } from '../alerts/sink.js';
import { webhookSink } from '../alerts/sinks/webhook.js';

export interface SinkFlags {
  webhook?: string;
}

/** The environment variable holding the generic webhook's HMAC key (never a flag: flags end up in shell history and `ps`). */
export const WEBHOOK_SECRET_ENV = 'TRAILBOOK_WEBHOOK_SECRET';

/**
 * The sinks `watch` delivers to, from its flags and the environment: the one place that chooses
 * them (`--webhook URL` today, signed with TRAILBOOK_WEBHOOK_SECRET when set; a sinks file later).
 */
export function sinksFromFlags(flags: SinkFlags, env: NodeJS.ProcessEnv): Sink[] {
  const sinks: Sink[] = [];
  if (flags.webhook !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.webhook);
    } catch {
      throw new TrailbookError('USAGE', '--webhook is not a URL', { hint: 'e.g. --webhook https://hooks.example.com/trailbook' });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TrailbookError('USAGE', `--webhook must be an http(s) URL, not ${url.protocol}`, {
        hint: 'e.g. --webhook https://hooks.example.com/trailbook',
      });
    }
    const secret = env[WEBHOOK_SECRET_ENV];
    sinks.push(webhookSink({ name: 'webhook', url: url.href, secret: secret === undefined || secret === '' ? undefined : secret }));
  }
  if (sinks.length === 0) {
    throw new TrailbookError('USAGE', 'watch has nowhere to send alerts', {
      hint: `give --webhook URL (signed when ${WEBHOOK_SECRET_ENV} is set)`,
    });
  }
  return sinks;
}

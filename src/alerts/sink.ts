import type { Alert } from './alert.js';

/**
 * Where alerts go (docs/alerts.md): a generic webhook, Slack, PagerDuty, an issue tracker, a
 * folder of OCSF lines. One interface, several implementations; the outbox (which writes each
 * alert to disk before sending it, and retries) knows only this.
 */
export interface Sink {
  /** The sink's name in the configuration (`oncall-pagerduty`): in the outbox and in messages. Never a secret. */
  readonly name: string;
  /** Delivers one alert, or throws a SinkError. Sending the same alert twice must be harmless downstream (its id is the dedup key). */
  send(alert: Alert): Promise<void>;
}

/** A failed delivery. `retryable`: worth trying again later (network, 408, 429, 5xx); otherwise the alert is kept as failed. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SinkError';
  }
}

/** How long one HTTP delivery may take before it counts as a retryable failure. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * POSTs a JSON body and sorts the outcome: 2xx is delivered, 408/429/5xx and network errors are
 * retryable, any other status is not. The message names the sink and the status, never the URL
 * (a Slack or webhook URL is itself a secret) nor the headers.
 */
export async function postJson(sinkName: string, url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'trailbook', ...headers },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (error) {
    throw new SinkError(`${sinkName}: not delivered (${(error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed'})`, true);
  }
  // The body is drained so the connection can be reused; its text is not shown (it may echo secrets).
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new SinkError(`${sinkName}: the receiver answered HTTP ${response.status}`, retryable);
}

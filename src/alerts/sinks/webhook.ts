import { createHmac } from 'node:crypto';
import type { Alert } from '../alert.js';
import { postJson, type Sink } from '../sink.js';

/** The body a generic webhook receives (docs/alerts.md). */
export const WEBHOOK_SCHEMA = 'trailbook.alert/v1';

export interface WebhookOptions {
  name: string;
  url: string;
  /** The HMAC key, read from an environment variable by the caller; without one the body is sent unsigned. */
  secret?: string;
  /** Seconds since the epoch for the signature; a parameter so tests can fix it. */
  now?: () => number;
}

/**
 * `X-Trailbook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing the time
 * with the body lets a receiver refuse replays older than it tolerates; `verifyWebhookSignature`
 * is how a receiver (and the tests) check it.
 */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | undefined,
  toleranceSeconds = 300,
  nowSeconds = Date.now() / 1000,
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || typeof parts['v1'] !== 'string') return false;
  const expected = signWebhookBody(secret, body, t);
  // Same length strings: compare without an early exit.
  const given = `t=${t},v1=${parts['v1']}`;
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

export function webhookSink(options: WebhookOptions): Sink {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: options.name,
    async send(alert: Alert) {
      const body = JSON.stringify({ schema: WEBHOOK_SCHEMA, alert });
      const headers: Record<string, string> = { 'x-trailbook-alert-id': alert.id };
      if (options.secret) headers['x-trailbook-signature'] = signWebhookBody(options.secret, body, now());
      await postJson(options.name, options.url, body, headers);
    },
  };
}

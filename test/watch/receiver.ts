import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative } from 'node:path';
import type { Alert } from '../../src/alerts/alert.js';
import { verifyWebhookSignature } from '../../src/alerts/sinks/webhook.js';
import { demoSettings, sample } from '../investigate/demo-args.js';

/** The HMAC key the tests' webhook receiver checks. */
export const SECRET = 'watch-test-secret';

/**
 * A webhook receiver on 127.0.0.1: checks each POST's signature (refusing with 401 when it does
 * not verify), answers `status()` (500 while a test wants the sink down), and keeps what it
 * accepted. Deduplicating by alert id is the receiver's job: `unique()` does it as one would.
 */
export interface Receiver {
  url: string;
  /** Every 2xx-answered delivery, in order (duplicates included). */
  accepted: Alert[];
  /** Requests whose signature did not verify. */
  badSignatures: number;
  /** Requests answered with a failure status. */
  refused: number;
  status: number;
  unique(): Alert[];
}

export async function startReceiver(t: { after: (fn: () => Promise<void> | void) => void }): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    accepted: [],
    badSignatures: 0,
    refused: 0,
    status: 200,
    unique() {
      const seen = new Map<string, Alert>();
      for (const alert of this.accepted) if (!seen.has(alert.id)) seen.set(alert.id, alert);
      return [...seen.values()];
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifyWebhookSignature(SECRET, body, request.headers['x-trailbook-signature'] as string | undefined)) {
        receiver.badSignatures++;
        response.writeHead(401).end();
        return;
      }
      if (receiver.status >= 300) {
        receiver.refused++;
        response.writeHead(receiver.status).end();
        return;
      }
      const alert = (JSON.parse(body) as { alert: Alert }).alert;
      if (request.headers['x-trailbook-alert-id'] !== alert.id) throw new Error('the alert id header is not the body’s');
      receiver.accepted.push(alert);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return receiver;
}

/** The bundled sample's log files (CloudTrail and flow logs) as `[relative path, absolute path]`, in the order their logs were written. */
export function sampleFilesInTimeOrder(): [string, string][] {
  const files: [string, string][] = [];
  for (const root of ['cloudtrail', 'vpcflow']) {
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push([join(root, relative(sample(root), path)), path]);
      }
    };
    walk(sample(root));
  }
  // Both kinds name their files by the time they cover: ..._20240514T0915Z_...
  const stamp = (path: string) => /_(\d{8}T\d{4})Z_/.exec(path)?.[1] ?? '';
  return files.sort((a, b) => stamp(a[0]).localeCompare(stamp(b[0])) || a[0].localeCompare(b[0]));
}

/** Copies one sample file into the watched folder, as a delivery would. */
export function drop(watched: string, [relativePath, source]: [string, string]): void {
  const target = join(watched, relativePath);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}

/** `watch --once` on the sample's settings (the demo's intel, trusted networks and window). */
export function watchArgs(watched: string, db: string, url: string, ...more: string[]): string[] {
  return ['watch', watched, '--once', '--db', db, '--webhook', url, ...demoSettings(), ...more];
}

/**
 * The sample's files in an order of delivery in which an incident escalates: time order, except
 * that the 09:15 CloudTrail file (the attacker's key opening 8443 from a threat-feed address) and
 * the 09:00 and 10:00 flow-log files (the attacker's accepted connections) arrive late, after the
 * 10:15 file (the responder's revokes). Flow records before the CloudTrail call that explains them
 * would be `traffic` findings of their own (docs/watch.md: findings that merge). CloudTrail and flow-log delivery are only "typically within 15
 * minutes" and S3 copies can lag, so a later file landing first is what a watcher must handle.
 * The exposure of sg-0a1b2c3d4e5f60718 is first seen through its revokes, by a trusted responder:
 * a ticket; when the 09:15 file lands, the hostile caller makes it isolate: one escalation.
 */
export function sampleFilesLateDelivery(): [string, string][] {
  const inOrder = sampleFilesInTimeOrder();
  // The CloudTrail file lands first of the late ones: flow records before it would be traffic of their own.
  const lateParts = ['_20240514T0915Z_', '_fl-0123456789abcdef0_20240514T0900Z_', '_fl-0123456789abcdef0_20240514T1000Z_'];
  const late = lateParts.map((part) => inOrder.find(([path]) => path.includes(part))!);
  const rest = inOrder.filter((file) => !late.includes(file));
  const after = rest.findIndex(([path]) => path.includes('CloudTrail_us-east-1_20240514T1015Z_'));
  return [...rest.slice(0, after + 1), ...late, ...rest.slice(after + 1)];
}

/** The incidents of the sample (sample/GROUND_TRUTH.md) by their identities, and the decisions alerted, in order. */
export const SAMPLE_ALERTS_LATE_DELIVERY: Record<string, string[]> = {
  'port-exposure/exposure:dbe90ba0': ['new@ticket', 'escalated@isolate'],
  'port-exposure/attempt:e01035eb': ['new@escalate'],
  'port-exposure/exposure:299f4ec2': ['new@ticket'],
};

/** What a receiver got, per identity: `change@action` in the order delivered (each id once). */
export function alertsByIdentity(alerts: readonly Alert[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const alert of alerts) (out[alert.identity] ??= []).push(`${alert.change}@${alert.action}`);
  return out;
}

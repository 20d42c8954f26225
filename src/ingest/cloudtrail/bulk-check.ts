import { isInsightsEvent } from './flatten.js';
import { hash53 } from './hash53.js';

/**
 * The decode worker's test of whether DuckDB's `read_json` (bulk-load.ts) would store a file's
 * events exactly as the row path (flatten.ts) does. It sees every accepted event with its text as
 * written and keeps the first reason it cannot; the file is then read by the row path. Measured
 * against DuckDB 1.5 (test/ingest/bulk-load.test.ts), the rules are:
 *
 * - The record's text is exactly `JSON.stringify` of its value (compact, as CloudTrail delivers):
 *   DuckDB re-serialises nested values from the parsed text, and writes `1.0`, `1E5`, integers past
 *   2^53 and repeated keys as written, where JSON.stringify writes `1`, `100000`, a rounded number
 *   and the last value. Then two differences remain, each found by a substring of that text: a
 *   `\u` escape (DuckDB writes `\u001F` where JavaScript writes `\u001f`, and refuses a lone
 *   surrogate) and a positive exponent (DuckDB `1e21`, JavaScript `1e+21`). Either, even inside a
 *   string, sends the file to the row path: rare in CloudTrail, and never wrong.
 * - `eventTime` is already canonical (`YYYY-MM-DDTHH:MM:SSZ`), so SQL need not parse it.
 * - `eventID` is non-empty text and `eventName` text: the dedupe key is then `id|time|name`
 *   (records without an id are keyed by a hash of JavaScript's serialisation, not SQL's).
 * - The objects flatten.ts descends into are objects or absent (DuckDB's STRUCT reading fails on
 *   anything else, where flatten.ts reads an empty object), and `resources` is absent, null or an
 *   array of objects keyed only `ARN`, `accountId`, `type` (flatten.ts also accepts lower case).
 * - Not an Insights event, nor an EventBridge envelope (those are stored differently).
 * - With `--account`/`--region`, the value filtered on is text or absent.
 */
export interface BulkFilter {
  fromMs: number;
  toMs: number;
  accounts: readonly string[] | null;
  regions: readonly string[] | null;
}

const RESOURCE_KEYS = new Set(['ARN', 'accountId', 'type']);
/**
 * Where DuckDB's serialisation differs from JavaScript's in a record written as JSON.stringify
 * writes it (see above): any `\u` escape, and a number with a positive exponent, which
 * JSON.stringify writes only as `<digit>[.<digits>]e+<digits>` right after `:`, `,` or `[`
 * (session tokens in base64 hold `e+` in text far more often than any number does).
 */
const POSITIVE_EXPONENT = /[:,[]-?\d(?:\.\d+)?e\+\d+[,}\]]/;

export class BulkCheck {
  /** Why the file must be read by the row path; null while it can be loaded in bulk. */
  blocker: string | null = null;
  /** Events DuckDB will store (after the filters). */
  rows = 0;
  filtered = 0;
  readonly keyHashes: number[] = [];

  constructor(private readonly filter: BulkFilter) {}

  /** One accepted event, its time already parsed (decode.ts); `text` null when it has none of its own. */
  add(event: Record<string, unknown>, text: string | null, time: { ms: number; canonical: string }): void {
    if (this.blocker !== null) return;
    const blocker = blockerOf(event, text, time.canonical, this.filter);
    if (blocker !== null) {
      this.blocker = blocker;
      return;
    }
    if (time.ms < this.filter.fromMs || time.ms > this.filter.toMs || !selectedFor(event, this.filter)) {
      this.filtered++;
      return;
    }
    this.rows++;
    this.keyHashes.push(hash53(`${event['eventID'] as string}|${time.canonical}|${event['eventName'] as string}`));
  }
}

function blockerOf(event: Record<string, unknown>, text: string | null, canonical: string, filter: BulkFilter): string | null {
  if (text === null) return 'an event without its own record text (an EventBridge envelope)';
  if (isInsightsEvent(event)) return 'an Insights event';
  if (event['eventTime'] !== canonical) return 'an eventTime not in CloudTrail form';
  const id = event['eventID'];
  if (typeof id !== 'string' || id === '') return 'an event without an eventID';
  if (typeof event['eventName'] !== 'string') return 'an eventName that is not text';
  const identity = event['userIdentity'];
  if (!objectOrAbsent(identity)) return 'a userIdentity that is not an object';
  const session = (identity as Record<string, unknown> | null | undefined)?.['sessionContext'];
  if (!objectOrAbsent(session)) return 'a sessionContext that is not an object';
  const context = session as Record<string, unknown> | null | undefined;
  if (!objectOrAbsent(context?.['attributes']) || !objectOrAbsent(context?.['sessionIssuer'])) return 'session attributes or issuer not an object';
  if (!objectOrAbsent(event['tlsDetails'])) return 'tlsDetails that is not an object';
  if (!resourcesFit(event['resources'])) return 'resources not an array of {ARN, accountId, type}';
  if (filter.accounts?.length && !textOrAbsent(event['recipientAccountId'] ?? (identity as Record<string, unknown> | null | undefined)?.['accountId']))
    return 'an account id that is not text';
  if (filter.regions?.length && !textOrAbsent(event['awsRegion'])) return 'an awsRegion that is not text';
  if (JSON.stringify(event) !== text) return 'a record not written as JSON.stringify writes it (spaces, number forms, repeated keys)';
  // The substring searches first: the expression alone cost a tenth of the check.
  if (text.includes('\\u') || (text.includes('e+') && POSITIVE_EXPONENT.test(text))) return 'a \\u escape or an e+ exponent (DuckDB writes them differently)';
  return null;
}

/** `--account`/`--region` as file-job.ts applies them to the row path. */
export function selectedFor(event: Record<string, unknown>, filter: Pick<BulkFilter, 'accounts' | 'regions'>): boolean {
  if (filter.accounts?.length) {
    const account = event['recipientAccountId'] ?? (event['userIdentity'] as Record<string, unknown> | undefined)?.['accountId'];
    if (typeof account === 'string' && !filter.accounts.includes(account)) return false;
  }
  if (filter.regions?.length) {
    const region = event['awsRegion'];
    if (typeof region === 'string' && !filter.regions.includes(region)) return false;
  }
  return true;
}

function objectOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));
}

function textOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function resourcesFit(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value)) return false;
  for (const item of value) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
    for (const key of Object.keys(item)) if (!RESOURCE_KEYS.has(key)) return false;
  }
  return true;
}

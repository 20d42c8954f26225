import { basename } from 'node:path';

/**
 * Local files are matched to the S3 keys a digest names by the part of the path from `AWSLogs/`
 * on: a download keeps that suffix whatever folder it lands in (and drops any bucket prefix).
 */
export function awsLogsKey(pathOrKey: string): string | null {
  const normalized = pathOrKey.replace(/\\/g, '/');
  if (normalized.startsWith('AWSLogs/')) return normalized;
  const at = normalized.lastIndexOf('/AWSLogs/');
  return at < 0 ? null : normalized.slice(at + 1);
}

/** The name used for a file that lies outside an `AWSLogs/` tree: its base name. */
export function localKey(path: string): string {
  return awsLogsKey(path) ?? basename(path);
}

/** The folder part of a key (`AWSLogs/…/2024/05/01`), used to tell a deletion from a range edge. */
export function keyFolder(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

const DIGEST_NAME = /(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_[a-z0-9-]+_(\d{8}T\d{6}Z)(?:_backfill)?\.json(?:\.gz)?$/i;
const LOG_NAME = /(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[^/]*\.json(?:\.gz)?$/i;
const INSIGHT_NAME = /(\d{12})_CloudTrail-Insight_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[^/]*\.json(?:\.gz)?$/i;

/** `20240501T1000Z` or `20240501T100000Z` → epoch ms. */
function compactTime(text: string): number {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(text)!;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
}

export interface DigestName {
  /** account/region/trail: the digests of one chain. */
  chain: string;
  account: string;
  region: string;
  endMs: number;
}

/** `<acct>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHMMSSZ>.json.gz` (the trail name may hold `_`). */
export function parseDigestName(key: string): DigestName | null {
  const match = DIGEST_NAME.exec(key);
  if (!match) return null;
  const [, account, region, trail, stamp] = match;
  return { chain: `${account}/${region!.toLowerCase()}/${trail}`, account: account!, region: region!.toLowerCase(), endMs: compactTime(stamp!) };
}

export interface LogName {
  account: string;
  region: string;
  /** The time in the file name (the end of the period the file holds, close to its delivery). */
  timeMs: number;
  insight: boolean;
}

export function parseLogName(key: string): LogName | null {
  const log = LOG_NAME.exec(key);
  const match = log ?? INSIGHT_NAME.exec(key);
  if (!match) return null;
  const [, account, region, stamp] = match;
  return { account: account!, region: region!.toLowerCase(), timeMs: compactTime(stamp!), insight: log === null };
}

export function isDigestName(path: string): boolean {
  return DIGEST_NAME.test(path);
}

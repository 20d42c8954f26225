import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TrailbookError } from '../errors.js';
import { makeOutputDir, writeOutputFile } from '../files.js';
import { parsePrefix, STRICT_OPTIONS } from '../net/address.js';

/**
 * AWS's published address ranges (`https://ip-ranges.amazonaws.com/ip-ranges.json`), installed
 * by `trailbook intel update FILE` beside the store, where every command that judges addresses
 * loads them by default: an address in them is *known* (an AWS service), not suspicious.
 * trailbook does not ship the file (its licence is not stated); the user fetches it.
 */

/** The installed copy: in the store's folder (`.trailbook/` by default), like everything a project keeps. */
export const AWS_RANGES_FILE = 'aws-ip-ranges.json';

export function installedAwsRangesPath(db: string): string {
  return join(dirname(db), AWS_RANGES_FILE);
}

export interface AwsRangesSummary {
  syncToken: string;
  /** `createDate` as ISO-8601 UTC. */
  created: string;
  ipv4: number;
  ipv6: number;
}

const fail = (message: string, location: string): TrailbookError =>
  new TrailbookError('INTEL', `not AWS's ip-ranges.json: ${message}`, {
    location,
    hint: 'download it again: curl -sSfO https://ip-ranges.amazonaws.com/ip-ranges.json',
  });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the whole document against the published format — `syncToken` (digits), `createDate`
 * (`YYYY-MM-DD-hh-mm-ss`), `prefixes[]` with `ip_prefix`, `region`, `service`, and
 * `ipv6_prefixes[]` with `ipv6_prefix`, `region`, `service` — and refuses it at the first
 * record that does not fit, so a truncated download or another file is never installed.
 */
export function validateAwsRanges(text: string, location: string): AwsRangesSummary {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw fail(`invalid JSON (${(error as Error).message})`, location);
  }
  if (!isObject(doc)) throw fail('not a JSON object', location);
  const { syncToken, createDate, prefixes, ipv6_prefixes: ipv6Prefixes } = doc;
  if (typeof syncToken !== 'string' || !/^\d+$/.test(syncToken)) throw fail('"syncToken" is not a string of digits', location);
  const date = typeof createDate === 'string' ? /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(createDate) : null;
  const created = date ? `${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z` : '';
  if (!date || Number.isNaN(Date.parse(created))) throw fail('"createDate" is not YYYY-MM-DD-hh-mm-ss', location);
  const lists: Array<[string, unknown, string, 4 | 6]> = [
    ['prefixes', prefixes, 'ip_prefix', 4],
    ['ipv6_prefixes', ipv6Prefixes, 'ipv6_prefix', 6],
  ];
  const counts = { 4: 0, 6: 0 };
  for (const [name, list, key, family] of lists) {
    if (!Array.isArray(list)) throw fail(`"${name}" is not an array`, location);
    list.forEach((record: unknown, i) => {
      const at = `${name}[${i}]`;
      if (!isObject(record)) throw fail(`${at} is not an object`, location);
      for (const field of [key, 'region', 'service']) {
        if (typeof record[field] !== 'string' || record[field] === '') throw fail(`${at} has no "${field}" string`, location);
      }
      const prefix = parsePrefix(record[key] as string, STRICT_OPTIONS);
      if (!prefix.ok || prefix.value.family !== family)
        throw fail(`${at}.${key} "${String(record[key]).slice(0, 60)}" is not an IPv${family} prefix`, location);
      counts[family]++;
    });
  }
  if (counts[4] === 0) throw fail('"prefixes" is empty', location);
  return { syncToken, created, ipv4: counts[4], ipv6: counts[6] };
}

/** The installed file's summary, or null when none is installed. */
export function installedAwsRanges(db: string): (AwsRangesSummary & { path: string }) | null {
  const path = installedAwsRangesPath(db);
  if (!existsSync(path)) return null;
  return { ...validateAwsRanges(readFileSync(path, 'utf8'), path), path };
}

export interface InstallResult {
  installed: AwsRangesSummary & { path: string };
  replaced: AwsRangesSummary | null;
}

/**
 * Validates `source` (ip-ranges.json, or .json.gz) and installs it beside the store. A file older
 * than the installed one (a smaller syncToken) is refused unless `force`: ranges only move forward.
 */
export function installAwsRanges(source: string, db: string, options: { force?: boolean } = {}): InstallResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(source);
  } catch (error) {
    throw new TrailbookError('INPUT', `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'give the path of ip-ranges.json: curl -sSfO https://ip-ranges.amazonaws.com/ip-ranges.json',
    });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw fail(`a gzip file that does not decompress (${(error as Error).message})`, source);
    }
  }
  const text = bytes.toString('utf8');
  const summary = validateAwsRanges(text, source);
  const target = installedAwsRangesPath(db);
  const current = existsSync(target) ? validateAwsRanges(readFileSync(target, 'utf8'), target) : null;
  if (current && !options.force && BigInt(summary.syncToken) < BigInt(current.syncToken)) {
    throw new TrailbookError(
      'INTEL',
      `${source} (syncToken ${summary.syncToken}, ${summary.created}) is older than the installed ranges (syncToken ${current.syncToken}, ${current.created})`,
      {
        hint: 'fetch the current file, or add --force to install the older one anyway',
      },
    );
  }
  makeOutputDir(dirname(target), 'the store folder');
  // Written beside and renamed over: a reader never sees half a file.
  const partial = `${target}.partial`;
  writeOutputFile(partial, text, 'the AWS ranges');
  renameSync(partial, target);
  return { installed: { ...summary, path: target }, replaced: current };
}

/**
 * The feed specs a command loads: the ones given, and the installed AWS ranges when there are
 * some and no AWS ranges were given (`aws:FILE`) explicitly.
 */
export function feedsWithInstalledRanges(feeds: readonly string[], db: string): string[] {
  const path = installedAwsRangesPath(db);
  if (feeds.some((spec) => /^aws[,:]/.test(spec)) || !existsSync(path)) return [...feeds];
  return [...feeds, `aws:${path}`];
}

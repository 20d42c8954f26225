import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { Rng, deriveSeed } from '../prng.js';
import { REGIONS, buildAccount, type Account } from './accounts.js';
import { backgroundEvent } from './events.js';
import { plantedAt, plantedEvent } from './planted.js';

export { PLANTED, PLANT_EVERY, classicExpectation, plantedCounts, type PlantedKind } from './planted.js';

const gzip = promisify(gzipCallback);

/**
 * A deterministic, org-scale synthetic CloudTrail corpus in the layout AWS delivers to S3:
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`,
 * each a gzipped `{"Records":[...]}` of 50–500 events in time order.
 *
 * Each (account, region) pair is a stream with its own seeded PRNG, so a stream's bytes depend
 * only on the parameters, never on iteration order elsewhere. Files are built one at a time and
 * compressed while the next is generated: memory stays flat whatever the corpus size.
 */
export interface CloudTrailCorpusOptions {
  root: string;
  events: number;
  accounts?: number;
  regions?: number;
  days?: number;
  seed?: number;
}

export interface CloudTrailCorpusResult {
  files: number;
  events: number;
  bytesCompressed: number;
  bytesUncompressed: number;
}

/** The first day of the corpus (UTC). Fixed: the output must not depend on when it is generated. */
export const CORPUS_START = Date.UTC(2024, 4, 1);

/** Bumped whenever the output for the same parameters changes, so cached corpora are regenerated. */
export const GENERATOR_VERSION = 1;

export const DEFAULTS = { accounts: 5, regions: 4, days: 7, seed: 1 } as const;

const MIN_PER_FILE = 50;
const MAX_PER_FILE = 500;
const FIVE_MINUTES = 300_000;
const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** File sizes for a stream of `total` events: each in [50, 500] except when the whole stream is smaller. */
function fileSizes(rng: Rng, total: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left > MAX_PER_FILE) {
    // Never leave a tail smaller than the minimum.
    const size = rng.int(MIN_PER_FILE, Math.min(MAX_PER_FILE, left - MIN_PER_FILE));
    sizes.push(size);
    left -= size;
  }
  if (left > 0) sizes.push(left);
  return sizes;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The S3 key of one log file, from its delivery time. */
export function cloudTrailKey(account: string, region: string, delivered: number, suffix: string): string {
  const d = new Date(delivered);
  const [y, m, day] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())];
  const stamp = `${y}${m}${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${day}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

interface StreamPlan {
  account: Account;
  region: string;
  /** Global index of the stream's first event (the planted positions are global). */
  firstIndex: number;
  events: number;
  streamIndex: number;
}

function planStreams(options: Required<CloudTrailCorpusOptions>): StreamPlan[] {
  if (options.regions > REGIONS.length) throw new Error(`at most ${REGIONS.length} regions`);
  const accounts = Array.from({ length: options.accounts }, (_, i) => buildAccount(options.seed, i));
  const streams = options.accounts * options.regions;
  const plans: StreamPlan[] = [];
  let firstIndex = 0;
  for (let s = 0; s < streams; s++) {
    const events = Math.floor(options.events / streams) + (s < options.events % streams ? 1 : 0);
    const account = accounts[Math.floor(s / options.regions)] as Account;
    plans.push({ account, region: REGIONS[s % options.regions] as string, firstIndex, events, streamIndex: s });
    firstIndex += events;
  }
  return plans;
}

/** Builds one file's JSON text; returns it with its S3 key. */
function* streamFiles(plan: StreamPlan, options: Required<CloudTrailCorpusOptions>): Generator<{ key: string; text: string }> {
  const rng = new Rng(deriveSeed(options.seed, 'stream', plan.streamIndex));
  const sizes = fileSizes(rng, plan.events);
  const span = options.days * 86_400_000;
  const slot = span / Math.max(1, sizes.length);
  let index = plan.firstIndex;
  for (let f = 0; f < sizes.length; f++) {
    const size = sizes[f] as number;
    const start = CORPUS_START + Math.floor(f * slot);
    const end = CORPUS_START + Math.floor((f + 1) * slot);
    // Whole seconds, sorted: a log file holds its events in time order.
    const times = Array.from({ length: size }, () => start + Math.floor((rng.next() * (end - start)) / 1000) * 1000).sort((a, b) => a - b);
    const records: string[] = [];
    for (let j = 0; j < size; j++, index++) {
      const ctx = { rng, account: plan.account, region: plan.region, time: times[j] as number };
      const spec = plantedAt(index);
      records.push(JSON.stringify(spec ? plantedEvent(ctx, spec) : backgroundEvent(ctx)));
    }
    // CloudTrail delivers a file within about five minutes of its last event.
    const delivered = Math.floor((end + FIVE_MINUTES) / FIVE_MINUTES) * FIVE_MINUTES;
    const key = cloudTrailKey(plan.account.id, plan.region, delivered, rng.chars(NAME_CHARS, 16));
    yield { key, text: `{"Records":[${records.join(',')}]}` };
  }
}

export async function generateCloudTrailCorpus(input: CloudTrailCorpusOptions): Promise<CloudTrailCorpusResult> {
  const options: Required<CloudTrailCorpusOptions> = { ...DEFAULTS, ...input } as Required<CloudTrailCorpusOptions>;
  if (!Number.isInteger(options.events) || options.events < 0) throw new Error('events must be a non-negative integer');
  const result: CloudTrailCorpusResult = { files: 0, events: 0, bytesCompressed: 0, bytesUncompressed: 0 };
  const dirs = new Set<string>();
  // One file compressing on the thread pool while the main thread builds the next one.
  let pending: Promise<void> = Promise.resolve();
  for (const plan of planStreams(options)) {
    for (const { key, text } of streamFiles(plan, options)) {
      const path = join(options.root, key);
      const dir = dirname(path);
      const compressing = gzip(text);
      await pending;
      pending = (async () => {
        if (!dirs.has(dir)) {
          await mkdir(dir, { recursive: true });
          dirs.add(dir);
        }
        const bytes = await compressing;
        await writeFile(path, bytes);
        result.bytesCompressed += bytes.length;
      })();
      result.files++;
      result.bytesUncompressed += Buffer.byteLength(text);
    }
    result.events += plan.events;
  }
  await pending;
  return result;
}

/**
 * The intel index: every feed entry, every trusted CIDR and the special-purpose ranges in one
 * longest-prefix table, so one lookup gives every prefix that covers an address. Immutable once
 * built; `classify` (classify.ts) is a pure function over it.
 */
import type { Prefix } from './address.js';
import { type FeedEntry, type FeedSpec, type LoadedFeed, loadFeed } from './feeds.js';
import { type PrefixHit, PrefixTable, type TableStats } from './prefix-table.js';
import { SPECIAL_RANGES, type SpecialRange } from './special.js';
import { type ApprovedPrincipal, NO_TRUSTED, type TrustedConfig, type TrustedNetwork, arnPatternToRegExp, loadTrusted } from './trusted.js';

/** What the report's `inputs.intel` lists for each feed. */
export interface FeedSummary {
  readonly name: string;
  readonly path: string;
  readonly format: string;
  readonly kind: string;
  readonly entries: number;
  readonly records: number;
  readonly bad: number;
  readonly skipped: number;
  readonly sha256: string;
  readonly date: string | undefined;
  readonly dateSource: string;
}

export type IndexRef =
  | { readonly source: 'special'; readonly range: SpecialRange }
  | { readonly source: 'trusted'; readonly network: TrustedNetwork; readonly cidr: Prefix }
  | { readonly source: 'feed'; readonly feed: LoadedFeed; readonly entry: FeedEntry };

export interface IntelIndex {
  readonly feeds: readonly LoadedFeed[];
  readonly trusted: TrustedConfig;
  readonly table: PrefixTable;
  /** Principal patterns compiled once. */
  readonly principals: ReadonlyArray<{ readonly principal: ApprovedPrincipal; readonly patterns: readonly RegExp[] }>;
  /** `vpce-…` id → the trusted VPC that lists it. */
  readonly endpoints: ReadonlyMap<string, TrustedNetwork>;
  /** Resolves a payload of `table` to what it stands for. */
  ref(payload: number): IndexRef;
  readonly stats: TableStats;
  /**
   * True when no entry applies only at some times (no pentest network, no feed entry with a
   * validity window): verdicts then do not depend on when a source was seen.
   */
  readonly timeless: boolean;
}

/** Builds the index from loaded feeds and a trusted configuration (pure; no file access). */
export function buildIntelIndex(feeds: readonly LoadedFeed[], trusted: TrustedConfig = NO_TRUSTED): IntelIndex {
  const trustedCidrs: Array<{ network: TrustedNetwork; cidr: Prefix }> = [];
  for (const network of trusted.networks) for (const cidr of network.cidrs) trustedCidrs.push({ network, cidr });
  const specialEnd = SPECIAL_RANGES.length;
  const trustedEnd = specialEnd + trustedCidrs.length;
  const feedStarts: number[] = [];
  let next = trustedEnd;
  for (const feed of feeds) {
    feedStarts.push(next);
    next += feed.entries.length;
  }
  function* inputs() {
    for (let i = 0; i < SPECIAL_RANGES.length; i++) yield { ...SPECIAL_RANGES[i]!.prefix, payload: i };
    for (let i = 0; i < trustedCidrs.length; i++) yield { ...trustedCidrs[i]!.cidr, payload: specialEnd + i };
    for (let f = 0; f < feeds.length; f++) {
      const entries = feeds[f]!.entries;
      const start = feedStarts[f]!;
      for (let i = 0; i < entries.length; i++) {
        const { prefix } = entries[i]!;
        yield { family: prefix.family, words: prefix.words, length: prefix.length, payload: start + i };
      }
    }
  }
  const table = new PrefixTable(inputs());
  const ref = (payload: number): IndexRef => {
    if (payload < specialEnd) return { source: 'special', range: SPECIAL_RANGES[payload]! };
    if (payload < trustedEnd) {
      const t = trustedCidrs[payload - specialEnd]!;
      return { source: 'trusted', network: t.network, cidr: t.cidr };
    }
    let lo = 0;
    let hi = feedStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (feedStarts[mid]! <= payload) lo = mid;
      else hi = mid - 1;
    }
    const feed = feeds[lo]!;
    return { source: 'feed', feed, entry: feed.entries[payload - feedStarts[lo]!]! };
  };
  const endpoints = new Map<string, TrustedNetwork>();
  for (const network of trusted.networks) for (const id of network.endpoints ?? []) endpoints.set(id, network);
  return {
    feeds,
    trusted,
    table,
    principals: trusted.principals.map((principal) => ({ principal, patterns: principal.arns.map(arnPatternToRegExp) })),
    endpoints,
    ref,
    stats: table.stats,
    timeless:
      !trusted.networks.some((n) => n.kind === 'pentest') && !feeds.some((f) => f.entries.some((e) => e.validFrom !== undefined || e.validUntil !== undefined)),
  };
}

export interface LoadIntelOptions {
  /** `--intel` values: `PATH`, `FORMAT:PATH`, `FORMAT,key=value:PATH` (see parseFeedSpec), or specs. */
  readonly feeds?: ReadonlyArray<string | FeedSpec>;
  /** The trusted-networks YAML file. */
  readonly trusted?: string;
}

/** Loads feeds and the trusted file, then builds the index. Errors are TrailbookErrors (INTEL, CONFIG). */
export async function loadIntel(options: LoadIntelOptions): Promise<IntelIndex> {
  const trusted = options.trusted ? await loadTrusted(options.trusted) : NO_TRUSTED;
  const feeds: LoadedFeed[] = [];
  for (const spec of options.feeds ?? []) feeds.push(await loadFeed(spec));
  const names = new Map<string, number>();
  const renamed = feeds.map((feed) => {
    const seen = names.get(feed.name) ?? 0;
    names.set(feed.name, seen + 1);
    return seen ? { ...feed, name: `${feed.name}#${seen + 1}` } : feed;
  });
  return buildIntelIndex(renamed, trusted);
}

export function summarizeFeed(feed: LoadedFeed): FeedSummary {
  return {
    name: feed.name,
    path: feed.path,
    format: feed.format,
    kind: feed.kind,
    entries: feed.entries.length,
    records: feed.totals.records,
    bad: feed.totals.bad,
    skipped: feed.totals.skipped,
    sha256: feed.sha256,
    date: feed.date,
    dateSource: feed.dateSource,
  };
}

export type { PrefixHit };

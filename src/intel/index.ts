/**
 * Threat intel and trusted networks → verdicts (known / allowed / suspicious, with reasons).
 * The public API of src/intel; see docs/intel.md.
 */
export { parseAddress, parsePrefix, formatAddress, formatPrefix, type Address, type Prefix, type Family } from './address.js';
export { PrefixTable, type PrefixInput, type PrefixHit, type TableStats } from './prefix-table.js';
export {
  FEED_FORMATS,
  detectFormat,
  loadFeed,
  parseFeedSpec,
  parseFeedText,
  type FeedEntry,
  type FeedFormat,
  type FeedKind,
  type FeedSpec,
  type FeedTotals,
  type BadRecord,
  type LoadedFeed,
} from './feeds.js';
export { extractPatternIps, type PatternIp } from './stix-pattern.js';
export { SPECIAL_RANGES, type SpecialRange } from './special.js';
export {
  NO_TRUSTED,
  TrustedFileSchema,
  loadTrusted,
  parseTrusted,
  type ApprovedPrincipal,
  type ConflictPolicy,
  type TrustedConfig,
  type TrustedKind,
  type TrustedNetwork,
} from './trusted.js';
export { buildIntelIndex, loadIntel, summarizeFeed, type FeedSummary, type IntelIndex, type LoadIntelOptions } from './intel-index.js';
export {
  VERDICT_SEVERITY,
  classify,
  type ClassifyContext,
  type Match,
  type ValueType,
  type Verdict,
  type VerdictKind,
  type VerdictRule,
} from './classify.js';

/**
 * Adapter: the address module is `src/net/address.ts` now. This file keeps the old intel names and
 * signatures (`parsePrefix(text, { strict })`) for the modules that still import it
 * (`bench/naive-prefix-scan.ts`, `intel-index.ts`, `bench/intel.ts`, the intel barrel); new code imports `src/net`.
 */
import { type ParseResult, type Prefix, parsePrefix as parseNetPrefix } from '../net/address.js';

export {
  type Address,
  type Family,
  type ParseResult,
  type Prefix,
  bits,
  formatAddress,
  formatIPv4,
  formatIPv6,
  formatPrefix,
  lastWords,
  maskWord,
  networkWords,
  parseAddress,
  parseIPv4,
  parseIPv6,
  prefixContains,
} from '../net/address.js';

export interface PrefixOptions {
  /** Reject `10.0.0.1/8` (host bits set) instead of masking it to `10.0.0.0/8`. */
  strict?: boolean;
}

/** `a.b.c.d/len`, `v6/len`, or a bare address (a /32 or /128). */
export function parsePrefix(input: string, options: PrefixOptions = {}): ParseResult<Prefix> {
  const parsed = parseNetPrefix(input, options.strict ? { hostBits: 'reject' } : {});
  if (!parsed.ok) return parsed;
  return parsed.note === undefined ? { ok: true, value: parsed.value } : { ok: true, value: parsed.value, note: parsed.note };
}

/** Adapter: the special-purpose range table is `src/net/special.ts` now (one table for intel and ports). */
export { SPECIAL_RANGES, type SpecialKind, type SpecialRange } from '../net/special.js';

/**
 * Orders strings by UTF-16 code units, as `<` does: the same order on every machine, where
 * `localeCompare` follows the locale of the process (ICU collation), and far cheaper on the
 * thousands of ISO times and keys a report sorts. ISO-8601 times of one format sort in time order.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

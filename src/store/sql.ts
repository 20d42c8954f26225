/**
 * An SQL list of names spliced into a query (`'A', 'B'`): event names that are the code's own
 * constants, checked to be plain identifiers so nothing else can be spliced.
 */
const SAFE_NAME = /^[A-Za-z0-9]+$/;
export function sqlList(values: readonly string[]): string {
  for (const value of values) if (!SAFE_NAME.test(value)) throw new Error(`not a plain identifier: ${value}`);
  return values.map((v) => `'${v}'`).join(', ');
}

import type { Row } from '../engines/engine.js';
import { conditionHolds } from '../decide/evaluate.js';
import type { Signal } from '../runbook/schema.js';

/**
 * A runbook's signals for one finding (pure): each is a condition over the finding's rows
 * (`any`, `every`, `count`) or over the finding and the signals before it (`when`), computed in
 * the order the runbook writes them. This is where "what makes it hostile" lives for every
 * runbook — in its YAML, reviewed like the rest of it — not in TypeScript.
 */
export type SignalValues = Record<string, boolean | number>;

export function computeSignals(
  signals: Readonly<Record<string, Signal>>,
  finding: Readonly<Record<string, unknown>>,
  rows: readonly Row[],
  params: Readonly<Record<string, unknown>>,
): SignalValues {
  const values: SignalValues = {};
  const holds = (condition: Parameters<typeof conditionHolds>[0], subject: unknown) => conditionHolds(condition, subject as Record<string, unknown>, params);
  for (const [name, signal] of Object.entries(signals)) {
    const considered = signal.of ? rows.filter((r) => holds(signal.of!, r)) : rows;
    if (signal.any) values[name] = rows.some((r) => holds(signal.any!, r));
    else if (signal.every) values[name] = considered.length > 0 && considered.every((r) => holds(signal.every!, r));
    else if (signal.count) values[name] = considered.filter((r) => holds(signal.count!, r)).length;
    else if (signal.when) values[name] = holds(signal.when, { ...finding, rows: rows.length, signals: values });
  }
  return values;
}

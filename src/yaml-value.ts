import type { Document } from 'yaml';

/**
 * A parsed YAML document's value, or why it cannot be had. The YAML library stops what would
 * exhaust memory or the stack (an alias bomb: "Excessive alias count"; nesting thousands deep)
 * by throwing: that is a bad file, to be reported with its location, never a trailbook bug.
 */
export type YamlValue = { ok: true; value: unknown } | { ok: false; reason: string };

export function yamlValue(document: Document): YamlValue {
  try {
    return { ok: true, value: document.toJS() };
  } catch (error) {
    return { ok: false, reason: `the YAML cannot be expanded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

/**
 * Reading CloudTrail request/response JSON without trusting its shape. The same logical field is
 * spelled `fromPort` in AuthorizeSecurityGroupIngress, `FromPort` in ModifySecurityGroupRules and
 * DescribeSecurityGroups, and lists arrive either as arrays or as EC2's `{ items: [...] }`
 * wrappers (or `{}` when empty). These helpers absorb those differences so the normalizers read
 * like the AWS documentation.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a JSON text column; undefined when absent or not an object (never throws). */
export function parseJsonObject(text: string | null | undefined): JsonObject | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A field by name, ignoring case (`fromPort` finds `FromPort`). Exact spelling wins when both exist. */
export function field(object: unknown, name: string): Json | undefined {
  if (!isObject(object)) return undefined;
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/** Follows a path of case-insensitive field names. */
export function path(object: unknown, ...names: string[]): Json | undefined {
  let current: unknown = object;
  for (const name of names) {
    current = field(current, name);
    if (current === undefined) return undefined;
  }
  return current as Json;
}

/**
 * A list field as an array: a JSON array, EC2's `{items: [...]}` wrapper, `{}` (EC2's empty list),
 * or a single object where AWS serialised a one-element list as the element itself.
 */
export function list(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    const items = field(value, 'items');
    if (items !== undefined) return list(items);
    return Object.keys(value).length === 0 ? [] : [value];
  }
  return [value as Json];
}

/** A string field (numbers are turned into text; everything else is undefined). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** CloudTrail writes booleans as JSON booleans, but hand-written fixtures use "true"/"false". */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

import { isIP } from 'node:net';
import type { ParamValue } from '../engines/engine.js';
import type { Parameter } from './schema.js';
import { isoUtc as isoUtcMs, parseTimeText, TIME_EXAMPLES } from '../time.js';

/**
 * Parameter values: checked against their declaration before anything runs, and turned into
 * what the engine binds. Values come typed (from code) or as text (from `--param k=v`); both
 * are accepted when they mean the same thing. Pure, except that relative times need `now`,
 * which the caller passes in.
 */
export type ParameterValue = number | string | boolean | string[];

export type ValueCheck = { ok: true; value: ParameterValue } | { ok: false; message: string };

export function checkParameterValue(parameter: Parameter, raw: unknown, now: Date): ValueCheck {
  switch (parameter.type) {
    case 'integer':
      return checkInteger(parameter, raw);
    case 'string': {
      if (typeof raw !== 'string') return fail(`expected text, got ${describe(raw)}`);
      return checkText(raw, parameter.pattern, parameter.options);
    }
    case 'cidr':
      return checkCidr(raw);
    case 'timestamp':
      return checkTimestamp(raw, now);
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return fail(`expected true or false, got ${describe(raw)}`);
    case 'string-list': {
      const items =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '')
          : raw;
      if (!Array.isArray(items) || !items.every((s): s is string => typeof s === 'string')) {
        return fail(`expected a list of strings (comma-separated on the command line), got ${describe(raw)}`);
      }
      for (const item of items) {
        const checked = checkText(item, parameter.pattern, parameter.options);
        if (!checked.ok) return fail(`item "${item}": ${checked.message}`);
      }
      return { ok: true, value: items };
    }
  }
}

/** What the engine binds. Engines bind scalars only, so a list travels as one JSON array text. */
export function bindValue(value: ParameterValue): ParamValue {
  return Array.isArray(value) ? JSON.stringify(value) : value;
}

function fail(message: string): ValueCheck {
  return { ok: false, message };
}

function describe(raw: unknown): string {
  return raw === undefined ? 'nothing' : (JSON.stringify(raw) ?? String(raw));
}

function checkInteger(parameter: Extract<Parameter, { type: 'integer' }>, raw: unknown): ValueCheck {
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(`expected a whole number, got ${describe(raw)}`);
  if (parameter.min !== undefined && value < parameter.min) return fail(`${value} is below the minimum ${parameter.min}`);
  if (parameter.max !== undefined && value > parameter.max) return fail(`${value} is above the maximum ${parameter.max}`);
  if (parameter.options && !parameter.options.includes(value)) return fail(`${value} is not one of ${parameter.options.join(', ')}`);
  return { ok: true, value };
}

function checkText(value: string, pattern: string | undefined, options: readonly string[] | undefined): ValueCheck {
  if (pattern !== undefined) {
    const regex = compilePattern(pattern);
    if (!regex) return fail(`the declared pattern ${JSON.stringify(pattern)} is not a valid regular expression`);
    if (!regex.test(value)) return fail(`${JSON.stringify(value)} does not match the pattern ${pattern}`);
  }
  if (options && !options.includes(value)) return fail(`${JSON.stringify(value)} is not one of ${options.join(', ')}`);
  return { ok: true, value };
}

/** The whole value must match: the pattern is anchored. Undefined when it does not compile. */
export function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

function checkCidr(raw: unknown): ValueCheck {
  if (typeof raw !== 'string') return fail(`expected a network such as 10.0.0.0/8, got ${describe(raw)}`);
  const [address = '', prefix, ...rest] = raw.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return fail(`${JSON.stringify(raw)} is not an IPv4 or IPv6 network`);
  const maxPrefix = family === 4 ? 32 : 128;
  if (prefix === undefined) return { ok: true, value: `${address}/${maxPrefix}` };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxPrefix) {
    return fail(`${JSON.stringify(raw)}: the prefix length must be 0 to ${maxPrefix}`);
  }
  return { ok: true, value: `${address}/${Number(prefix)}` };
}

/** True for texts a timestamp parameter accepts (the one grammar of src/time.ts). */
export function isTimestampText(text: string): boolean {
  return parseTimeText(text, new Date(0)).ok;
}

function checkTimestamp(raw: unknown, now: Date): ValueCheck {
  if (typeof raw !== 'string') return fail(`expected an ISO-8601 time or now-7d, got ${describe(raw)}`);
  // Times without a zone are UTC, as everywhere in trailbook; relative forms count from `now`.
  const parsed = parseTimeText(raw, now);
  if (!parsed.ok) return fail(`${parsed.message} (accepted: ${TIME_EXAMPLES})`);
  return { ok: true, value: parsed.iso };
}

/** `2024-05-01T00:00:00Z` — the format of CloudTrail's eventtime, so text comparison orders correctly. */
export function isoUtc(date: Date): string {
  return isoUtcMs(date.getTime());
}

/**
 * The trusted-networks file: the analyst's own, reviewed statement of which sources are theirs
 * or expected. YAML validated by a zod schema; every error names `file:line:col`.
 * See docs/intel.md and examples/trusted-networks.yaml.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LineCounter, type Node as YamlNode, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import { TrailbookError } from '../errors.js';
import { STRICT_OPTIONS, type Prefix, formatPrefix, parsePrefix } from '../net/address.js';
import { parseTimeText } from '../time.js';
import { tooBroad } from './breadth.js';

/** allowed kinds first, then known kinds; the order is the order of precedence. */
export const TRUSTED_KINDS = ['corporate', 'vpc', 'partner', 'pentest', 'scanner', 'health-check'] as const;
export type TrustedKind = (typeof TRUSTED_KINDS)[number];

/** Which verdict a match of each kind gives. */
export const KIND_VERDICT: Record<TrustedKind, 'allowed' | 'known'> = {
  corporate: 'allowed',
  vpc: 'allowed',
  partner: 'allowed',
  pentest: 'known',
  scanner: 'known',
  'health-check': 'known',
};

/** The YAML section of each kind. */
export const KIND_SECTION: Record<TrustedKind, string> = {
  corporate: 'corporate',
  vpc: 'vpcs',
  partner: 'partners',
  pentest: 'pentests',
  scanner: 'scanners',
  'health-check': 'healthChecks',
};

export type ConflictPolicy = 'trusted-wins' | 'intel-wins';

export interface TrustedNetwork {
  readonly name: string;
  readonly kind: TrustedKind;
  readonly cidrs: readonly Prefix[];
  readonly note?: string;
  /** pentest windows, epoch milliseconds: from inclusive, to exclusive. */
  readonly from?: number;
  readonly to?: number;
  /** vpc: VPC endpoint ids (`vpce-…`) that belong to this VPC. */
  readonly endpoints?: readonly string[];
}

export interface ApprovedPrincipal {
  readonly name: string;
  /** ARN patterns: `*` any run of characters, `?` one character. */
  readonly arns: readonly string[];
  readonly note?: string;
}

export interface TrustedConfig {
  readonly path?: string;
  readonly sha256?: string;
  readonly policy: { readonly conflict: ConflictPolicy };
  readonly networks: readonly TrustedNetwork[];
  readonly principals: readonly ApprovedPrincipal[];
}

const NAME = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._:/@()-]*$/, 'names are letters, digits, space and . _ : / @ ( ) -');

const CIDR = z.string().superRefine((value, ctx) => {
  const parsed = parsePrefix(value, STRICT_OPTIONS);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `"${value}" is not a CIDR: ${parsed.reason}` });
  // Checked for meaning too: an IPv4-mapped prefix is read as IPv4 (::ffff:0:0/96 is 0.0.0.0/0),
  // and a range covering the internet would make every source allowed (intel/breadth.ts).
  else if (parsed.note?.startsWith('IPv4-mapped')) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is IPv4-mapped IPv6, read as ${formatPrefix(parsed.value)}: write the IPv4 form` });
  } else {
    const broad = tooBroad(parsed.value);
    if (broad) ctx.addIssue({ code: 'custom', message: `"${value}" is too broad to trust: ${broad}` });
  }
});

/** A date (UTC) or a date-time with a zone, by the one time grammar (src/time.ts). */
const TIME = z.string().superRefine((value, ctx) => {
  const parsed = parseTimeText(value, new Date(0));
  const dated = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/.test(value.trim());
  if (!parsed.ok || !dated || (parsed.assumedUtc && value.trim().length > 10)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an ISO-8601 time with a zone (e.g. 2026-08-01T09:00:00Z)` });
  }
});
const timeMs = (value: string): number => {
  const parsed = parseTimeText(value, new Date(0));
  if (!parsed.ok) throw new Error('unreachable: validated above');
  return parsed.ms;
};

const network = z.strictObject({
  name: NAME,
  cidrs: z.array(CIDR).min(1),
  note: z.string().optional(),
});

const pentest = network.extend({ from: TIME, to: TIME }).superRefine((value, ctx) => {
  if (timeMs(value.from) >= timeMs(value.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: '"to" must be after "from"' });
  }
});

const vpc = network.extend({
  endpoints: z.array(z.string().regex(/^vpce-[0-9a-f]{8,17}$/, 'a VPC endpoint id looks like vpce-0123456789abcdef0')).optional(),
});

const principal = z.strictObject({
  name: NAME,
  arns: z
    .array(z.string().regex(/^arn:[a-z*?-]+:[a-z0-9*?-]*:[a-z0-9*?-]*:[0-9*?]*:.+$/, 'an ARN pattern looks like arn:aws:iam::123456789012:role/ci-*'))
    .min(1),
  note: z.string().optional(),
});

export const TrustedFileSchema = z.strictObject({
  version: z.literal(1),
  policy: z.strictObject({ conflict: z.enum(['trusted-wins', 'intel-wins']).default('trusted-wins') }).optional(),
  corporate: z.array(network).optional(),
  vpcs: z.array(vpc).optional(),
  partners: z.array(network).optional(),
  pentests: z.array(pentest).optional(),
  scanners: z.array(network).optional(),
  healthChecks: z.array(network).optional(),
  principals: z.array(principal).optional(),
});
export type TrustedFile = z.infer<typeof TrustedFileSchema>;

/** An empty trusted configuration (no file given). */
export const NO_TRUSTED: TrustedConfig = { policy: { conflict: 'trusted-wins' }, networks: [], principals: [] };

export async function loadTrusted(path: string): Promise<TrustedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrailbookError('CONFIG', `cannot read trusted-networks file: ${(error as Error).message}`, {
      location: path,
      cause: error,
    });
  }
  return parseTrusted(text, path);
}

/** Parses and validates trusted-networks YAML. Throws a CONFIG error naming file:line:col. */
export function parseTrusted(text: string, path = 'trusted-networks.yaml'): TrustedConfig {
  const lineCounter = new LineCounter();
  const doc = yamlLimits(path, () => parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true }));
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return `${path}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length) {
    const first = doc.errors[0]!;
    throw new TrailbookError('CONFIG', `trusted-networks file is not valid YAML: ${first.message.split('\n')[0]}`, {
      location: at(first.pos[0]),
    });
  }
  const result = TrustedFileSchema.safeParse(yamlLimits(path, () => doc.toJS()));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = locate(doc.contents, issue.path as (string | number)[], issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
      const field = issue.path.length ? issue.path.join('.') : '(top level)';
      return { location: where === undefined ? path : at(where), text: `${field}: ${issue.message}` };
    });
    throw new TrailbookError('CONFIG', `trusted-networks file is invalid:\n${problems.map((p) => `  ${p.location}: ${p.text}`).join('\n')}`, {
      location: problems[0]!.location,
      hint: 'see docs/intel.md and examples/trusted-networks.yaml',
    });
  }
  const file = result.data;
  const networks: TrustedNetwork[] = [];
  const names = new Map<string, string>();
  const duplicate: string[] = [];
  const claim = (name: string, where: string) => {
    if (names.has(name)) duplicate.push(`"${name}" in ${where} (also in ${names.get(name)})`);
    else names.set(name, where);
  };
  const add = (kind: TrustedKind, list: ReadonlyArray<z.infer<typeof network> & { from?: string; to?: string; endpoints?: string[] }> | undefined) => {
    for (const entry of list ?? []) {
      claim(entry.name, KIND_SECTION[kind]);
      const cidrs = entry.cidrs.map((c) => {
        const parsed = parsePrefix(c, STRICT_OPTIONS);
        if (!parsed.ok) throw new Error('unreachable: validated above');
        return parsed.value;
      });
      networks.push({
        name: entry.name,
        kind,
        cidrs,
        ...(entry.note !== undefined ? { note: entry.note } : {}),
        ...(entry.from !== undefined ? { from: timeMs(entry.from) } : {}),
        ...(entry.to !== undefined ? { to: timeMs(entry.to) } : {}),
        ...(entry.endpoints !== undefined ? { endpoints: entry.endpoints } : {}),
      });
    }
  };
  add('corporate', file.corporate);
  add('vpc', file.vpcs);
  add('partner', file.partners);
  add('pentest', file.pentests);
  add('scanner', file.scanners);
  add('health-check', file.healthChecks);
  const principals: ApprovedPrincipal[] = (file.principals ?? []).map((p) => {
    claim(p.name, 'principals');
    return { name: p.name, arns: p.arns, ...(p.note !== undefined ? { note: p.note } : {}) };
  });
  if (duplicate.length) {
    throw new TrailbookError('CONFIG', `trusted-networks names must be unique: ${duplicate.join('; ')}`, {
      location: path,
      hint: 'names appear in verdict reasons; make each one say which entry matched',
    });
  }
  return {
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    policy: { conflict: file.policy?.conflict ?? 'trusted-wins' },
    networks,
    principals,
  };
}

/**
 * The YAML library stops what would exhaust memory or the stack (an alias bomb: "Excessive alias
 * count"; nesting thousands deep) by throwing: that is a bad file, not a trailbook bug.
 */
function yamlLimits<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TrailbookError('CONFIG', `trusted-networks file cannot be read as YAML: ${message}`, {
      location: path,
      hint: 'a trusted-networks file needs no aliases and little nesting (see examples/trusted-networks.yaml)',
      cause: error,
    });
  }
}

/** The source offset of the YAML node at `path` (or of `key` inside it), nearest ancestor if missing. */
function locate(root: unknown, path: readonly (string | number)[], key?: string): number | undefined {
  let node: unknown = root;
  let best: number | undefined = isNode(root) ? (root as YamlNode).range?.[0] : undefined;
  for (const step of path) {
    if (!isNode(node)) break;
    const next = (node as { get?: (k: unknown, keepScalar: boolean) => unknown }).get?.(step, true);
    if (!isNode(next)) break;
    node = next;
    best = (next as YamlNode).range?.[0] ?? best;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
    if (pair && isScalar(pair.key)) best = pair.key.range?.[0] ?? best;
  }
  return best;
}

/** A glob over ARNs: `*` any run of characters, `?` one character; everything else literal. */
export function arnPatternToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The ARNs a caller can be known by: itself, and for an STS assumed-role session
 * (`arn:aws:sts::123:assumed-role/Role/session`) the role (`arn:aws:iam::123:role/Role`), so a
 * pattern on the role matches every session of it.
 */
export function principalAliases(arn: string): string[] {
  const m = /^arn:([^:]+):sts::([0-9]{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? [arn, `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`] : [arn];
}

export function describeNetwork(network: TrustedNetwork): string {
  return network.cidrs.map(formatPrefix).join(', ');
}

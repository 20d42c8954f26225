/**
 * Verdicts: is a source known, allowed or suspicious, and why. A pure function over an
 * IntelIndex; the rules and their order are documented in docs/intel.md and summarised here.
 *
 *   value not an address, not an AWS form            → invalid     (invalid-value)
 *   AWS service principal / "AWS Internal"           → known       (aws-service)
 *   vpce-… id                                        → allowed if a trusted VPC lists it (trusted-vpc-endpoint), else private (vpc-endpoint)
 *   "a, b" (several addresses)                       → the most severe part (address-list)
 *   for one address, first rule that applies:
 *   1. trusted corporate / vpc / partner network     → allowed     (trusted-network)
 *   2. scanner / pentest inside its window / health  → known       (benign-scanner, pentest-window, health-check)
 *      1–2 with an active threat-intel hit: conflict, settled by policy.conflict:
 *      trusted-wins (default) → the trusted verdict (trusted-over-intel); intel-wins → suspicious (intel-over-trusted)
 *   3. active threat-intel hit                       → suspicious  (threat-intel)   — an approved principal does not override it
 *   4. approved principal (context.principalArn)     → allowed     (approved-principal)
 *   5. AWS ip-ranges                                 → known       (aws-ip-range)
 *   6. a range no host sends from (reserved, multicast…) → invalid  (not-a-source)
 *   7. private / special non-public range            → private     (private-range)
 *   8. any other public address                      → suspicious  (untrusted-public)
 *
 * Reports (investigate) have three verdicts; `reportedAs` is the one a report gives each verdict
 * (REPORTED_AS), computed here so that `intel check` and `investigate` say the same thing.
 */
import { type Address, formatAddress, formatPrefix, parseAddress } from '../net/address.js';
import { type SpecialRange, specialRangeReason } from '../net/special.js';
import type { IntelIndex } from './intel-index.js';
import { KIND_VERDICT, type TrustedKind, type TrustedNetwork, principalAliases } from './trusted.js';

export type VerdictKind = 'allowed' | 'known' | 'suspicious' | 'private' | 'invalid';

export type VerdictRule =
  | 'invalid-value'
  | 'aws-service'
  | 'vpc-endpoint'
  | 'trusted-vpc-endpoint'
  | 'address-list'
  | 'trusted-network'
  | 'benign-scanner'
  | 'pentest-window'
  | 'health-check'
  | 'trusted-over-intel'
  | 'intel-over-trusted'
  | 'threat-intel'
  | 'approved-principal'
  | 'aws-ip-range'
  | 'not-a-source'
  | 'private-range'
  | 'untrusted-public';

export type ValueType = 'ipv4' | 'ipv6' | 'aws-service' | 'aws-internal' | 'vpc-endpoint' | 'address-list' | 'invalid';

export interface Match {
  /** Where the match comes from. */
  readonly source: 'trusted' | 'intel' | 'aws' | 'special' | 'principal';
  /** Trusted entry name, feed name, special-range kind, or principal entry name. */
  readonly name: string;
  /** Trusted kind (corporate, pentest, …), feed format, or special kind. */
  readonly kind: string;
  /** The covering prefix (absent for principals). */
  readonly cidr?: string;
  /** Feed line of the entry. */
  readonly line?: number;
  /** What the feed or entry says (ipsum count, SBL id, STIX indicator, AWS service and region). */
  readonly detail?: string;
  /** False when the entry covers the address but does not apply at this time (pentest window, STIX validity). */
  readonly active: boolean;
  /** Why it is inactive. */
  readonly inactiveReason?: string;
}

export interface Verdict {
  /** The value as given. */
  readonly value: string;
  readonly type: ValueType;
  /** The normalised address (IPv4-mapped IPv6 becomes IPv4). */
  readonly address?: string;
  readonly verdict: VerdictKind;
  /** The verdict a report (investigate) gives this value: REPORTED_AS of `verdict`. */
  readonly reportedAs: ReportedVerdict;
  /** The rule that decided (see the module comment and docs/intel.md). */
  readonly rule: VerdictRule;
  /** Human-readable reasons, the deciding one first. */
  readonly reasons: readonly string[];
  readonly matches: readonly Match[];
  /** True when a trusted entry and a threat-intel hit disagreed. */
  readonly conflict: boolean;
  /** For "a, b" values: the verdict of each address. */
  readonly parts?: readonly Verdict[];
}

export interface ClassifyContext {
  /** When the source was seen (event time). Needed for pentest windows and STIX validity. */
  readonly at?: Date;
  /** The caller's ARN (CloudTrail userIdentity.arn), for approved principals. */
  readonly principalArn?: string;
  /** CloudTrail vpcEndpointId, when the call came through a VPC endpoint. */
  readonly vpcEndpointId?: string;
}

export type ReportedVerdict = 'allowed' | 'known' | 'suspicious';

/**
 * The report contract has three verdicts; intel has two more. A private address outside every
 * trusted network is internal but unvouched for: known. A value that is not an address, or an
 * address no host sends from, cannot be vouched for at all: suspicious. The reasons keep the
 * class and intel's own words.
 */
export const REPORTED_AS: Readonly<Record<VerdictKind, ReportedVerdict>> = {
  allowed: 'allowed',
  known: 'known',
  suspicious: 'suspicious',
  private: 'known',
  invalid: 'suspicious',
};

/** Severity of verdicts when several addresses are combined: the highest wins. */
export const VERDICT_SEVERITY: Record<VerdictKind, number> = {
  suspicious: 4,
  invalid: 3,
  known: 2,
  allowed: 1,
  private: 0,
};

const AWS_SERVICE = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*\.amazonaws\.com(?:\.cn)?$/i;
const AWS_INTERNAL = /^AWS Internal$/i;
const VPC_ENDPOINT = /^vpce-[0-9a-f]{8,17}$/;

const KIND_RULE: Record<TrustedKind, VerdictRule> = {
  corporate: 'trusted-network',
  vpc: 'trusted-network',
  partner: 'trusted-network',
  pentest: 'pentest-window',
  scanner: 'benign-scanner',
  'health-check': 'health-check',
};

const KIND_LABEL: Record<TrustedKind, string> = {
  corporate: 'corporate network',
  vpc: 'VPC',
  partner: 'partner network',
  pentest: 'pentest vendor',
  scanner: 'benign scanner',
  'health-check': 'health-check source',
};

/** Classifies one `sourceIPAddress`-like value. Pure: the same index, value and context give the same verdict. */
export function classify(index: IntelIndex, value: string, context: ClassifyContext = {}): Verdict {
  const verdict = classifyValue(index, value, context);
  return { ...verdict, reportedAs: REPORTED_AS[verdict.verdict] };
}

type Judged = Omit<Verdict, 'reportedAs'>;

function classifyValue(index: IntelIndex, value: string, context: ClassifyContext): Judged {
  const text = value.trim();
  if (AWS_INTERNAL.test(text)) {
    return simple(value, 'aws-internal', 'known', 'aws-service', 'AWS Internal: a call AWS made on its own behalf (not an IP)');
  }
  if (AWS_SERVICE.test(text)) {
    return simple(value, 'aws-service', 'known', 'aws-service', `AWS service principal ${text.toLowerCase()}: a service acting for the account (not an IP)`);
  }
  if (VPC_ENDPOINT.test(text)) return classifyEndpoint(index, value, text);
  if (text.includes(',')) return classifyList(index, value, text, context);
  const parsed = parseAddress(text);
  if (!parsed.ok) {
    return simple(value, 'invalid', 'invalid', 'invalid-value', `not an IP address, AWS service or VPC endpoint: ${parsed.reason}`);
  }
  return classifyAddress(index, value, parsed.value, parsed.note, context);
}

function simple(value: string, type: ValueType, verdict: VerdictKind, rule: VerdictRule, reason: string): Judged {
  return { value, type, verdict, rule, reasons: [reason], matches: [], conflict: false };
}

function classifyEndpoint(index: IntelIndex, value: string, id: string): Judged {
  const vpc = index.endpoints.get(id);
  if (vpc) {
    return {
      value,
      type: 'vpc-endpoint',
      verdict: 'allowed',
      rule: 'trusted-vpc-endpoint',
      reasons: [`VPC endpoint ${id} of trusted VPC "${vpc.name}"`],
      matches: [{ source: 'trusted', name: vpc.name, kind: vpc.kind, detail: id, active: true }],
      conflict: false,
    };
  }
  return simple(value, 'vpc-endpoint', 'private', 'vpc-endpoint', `VPC endpoint ${id}: traffic from inside a VPC, not listed in the trusted file`);
}

function classifyList(index: IntelIndex, value: string, text: string, context: ClassifyContext): Judged {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => classify(index, p, context));
  if (parts.length === 0) return simple(value, 'invalid', 'invalid', 'invalid-value', 'empty address list');
  let worst = parts[0]!;
  for (const part of parts) if (VERDICT_SEVERITY[part.verdict] > VERDICT_SEVERITY[worst.verdict]) worst = part;
  return {
    value,
    type: 'address-list',
    verdict: worst.verdict,
    rule: 'address-list',
    reasons: [
      `${parts.length} addresses (a proxy chain): the most severe verdict counts`,
      ...parts.map((p) => `${p.address ?? p.value}: ${p.verdict} (${p.rule}): ${p.reasons[0] ?? ''}`),
    ],
    matches: parts.flatMap((p) => p.matches),
    conflict: parts.some((p) => p.conflict),
    parts,
  };
}

function windowText(network: TrustedNetwork): string {
  const iso = (ms: number | undefined) => (ms === undefined ? '…' : new Date(ms).toISOString());
  return `${iso(network.from)} to ${iso(network.to)}`;
}

function classifyAddress(index: IntelIndex, value: string, address: Address, note: string | undefined, context: ClassifyContext): Judged {
  const at = context.at?.getTime();
  const matches: Match[] = [];
  const trusted: Array<{ network: TrustedNetwork; cidr: string }> = [];
  const intel: Match[] = [];
  const aws: Match[] = [];
  let special: SpecialRange | undefined;
  const inactive: string[] = [];

  for (const hit of index.table.lookup(address)) {
    const ref = index.ref(hit.payload);
    const cidr = formatPrefix(hit.prefix);
    if (ref.source === 'special') {
      special ??= ref.range;
      matches.push({ source: 'special', name: ref.range.kind, kind: ref.range.kind, cidr, detail: ref.range.description, active: true });
    } else if (ref.source === 'trusted') {
      const n = ref.network;
      let inactiveReason: string | undefined;
      if (n.kind === 'pentest') {
        if (at === undefined) inactiveReason = `no time given to check its window ${windowText(n)}`;
        else if ((n.from !== undefined && at < n.from) || (n.to !== undefined && at >= n.to)) {
          inactiveReason = `${new Date(at).toISOString()} is outside its window ${windowText(n)}`;
        }
      }
      const match: Match = {
        source: 'trusted',
        name: n.name,
        kind: n.kind,
        cidr,
        active: inactiveReason === undefined,
        ...(n.note ? { detail: n.note } : {}),
        ...(inactiveReason ? { inactiveReason } : {}),
      };
      matches.push(match);
      if (inactiveReason) inactive.push(`${KIND_LABEL[n.kind]} "${n.name}" (${cidr}) not applied: ${inactiveReason}`);
      else trusted.push({ network: n, cidr });
    } else {
      const { feed, entry } = ref;
      let inactiveReason: string | undefined;
      if (at !== undefined && ((entry.validFrom !== undefined && at < entry.validFrom) || (entry.validUntil !== undefined && at >= entry.validUntil))) {
        const iso = (ms: number | undefined) => (ms === undefined ? '…' : new Date(ms).toISOString());
        inactiveReason = `not valid at ${new Date(at).toISOString()} (valid ${iso(entry.validFrom)} to ${iso(entry.validUntil)})`;
      }
      const match: Match = {
        source: feed.kind === 'aws' ? 'aws' : 'intel',
        name: feed.name,
        kind: feed.format,
        cidr,
        line: entry.line,
        active: inactiveReason === undefined,
        ...(entry.detail ? { detail: entry.detail } : {}),
        ...(inactiveReason ? { inactiveReason } : {}),
      };
      matches.push(match);
      if (inactiveReason) inactive.push(`feed ${feed.name} line ${entry.line} (${cidr}) not applied: ${inactiveReason}`);
      else (feed.kind === 'aws' ? aws : intel).push(match);
    }
  }

  let principal: { name: string; arn: string } | undefined;
  if (context.principalArn) {
    const aliases = principalAliases(context.principalArn);
    for (const p of index.principals) {
      if (aliases.some((arn) => p.patterns.some((re) => re.test(arn)))) {
        principal = { name: p.principal.name, arn: context.principalArn };
        matches.push({ source: 'principal', name: p.principal.name, kind: 'principal', detail: context.principalArn, active: true });
        break;
      }
    }
  }

  const intelReason = (m: Match) => `threat intel: feed ${m.name} line ${m.line} lists ${m.cidr}${m.detail ? ` (${m.detail})` : ''}`;
  const trustedReason = (t: { network: TrustedNetwork; cidr: string }) =>
    `trusted ${KIND_LABEL[t.network.kind]} "${t.network.name}" (${t.cidr})${t.network.note ? `: ${t.network.note}` : ''}`;
  const awsReason = (list: Match[]) => `AWS ip-ranges: ${list.map((m) => `${m.detail ?? '?'} (${m.cidr})`).join('; ')}`;

  // rules 1–2: trusted entries, allowed kinds first
  const ordered = [...trusted].sort((a, b) => rank(a.network.kind) - rank(b.network.kind));
  let verdict: VerdictKind;
  let rule: VerdictRule;
  const reasons: string[] = [];
  let conflict = false;
  const winner = ordered[0];
  if (winner) {
    const trustedVerdict = KIND_VERDICT[winner.network.kind];
    if (intel.length) {
      conflict = true;
      const policy = index.trusted.policy.conflict;
      const what = `conflict: trusted ${KIND_LABEL[winner.network.kind]} "${winner.network.name}" (${winner.cidr}) is also on threat intel (${intel.map((m) => m.name).join(', ')})`;
      if (policy === 'intel-wins') {
        verdict = 'suspicious';
        rule = 'intel-over-trusted';
        reasons.push(`${what}; policy intel-wins: the feed wins`, ...intel.map(intelReason), ...ordered.map(trustedReason));
      } else {
        verdict = trustedVerdict;
        rule = 'trusted-over-intel';
        reasons.push(`${what}; policy trusted-wins: the trusted entry wins`, ...ordered.map(trustedReason), ...intel.map(intelReason));
      }
    } else {
      verdict = trustedVerdict;
      rule = KIND_RULE[winner.network.kind];
      reasons.push(...ordered.map(trustedReason));
    }
    if (principal) reasons.push(`approved principal "${principal.name}" (${principal.arn})`);
    if (aws.length) reasons.push(awsReason(aws));
  } else if (intel.length) {
    verdict = 'suspicious';
    rule = 'threat-intel';
    reasons.push(...intel.map(intelReason));
    if (principal) reasons.push(`approved principal "${principal.name}" does not override a threat-intel hit on the source`);
    if (aws.length) reasons.push(awsReason(aws));
  } else if (principal) {
    verdict = 'allowed';
    rule = 'approved-principal';
    reasons.push(`approved principal "${principal.name}" (${principal.arn})`);
    if (aws.length) reasons.push(awsReason(aws));
  } else if (aws.length) {
    verdict = 'known';
    rule = 'aws-ip-range';
    reasons.push(awsReason(aws));
  } else if (special && !special.hostSource) {
    verdict = 'invalid';
    rule = 'not-a-source';
    reasons.push(`${specialRangeReason(special)}: no host sends from it, so this is not a real source address (scrambled, forged or a placeholder)`);
  } else if (special?.nonPublic) {
    verdict = 'private';
    rule = 'private-range';
    reasons.push(specialRangeReason(special));
  } else {
    verdict = 'suspicious';
    rule = 'untrusted-public';
    reasons.push(`public address: ${consulted(index)}`);
  }
  if (special && rule !== 'private-range' && rule !== 'not-a-source') reasons.push(specialRangeReason(special));
  if (context.vpcEndpointId) reasons.push(`request came through VPC endpoint ${context.vpcEndpointId}`);
  if (note) reasons.push(note);
  reasons.push(...inactive);

  return {
    value,
    type: address.family === 4 ? 'ipv4' : 'ipv6',
    address: formatAddress(address),
    verdict,
    rule,
    reasons,
    matches,
    conflict,
  };
}

/**
 * What an `untrusted-public` verdict rests on, said as it is: what was loaded and missed, or that
 * nothing of a kind was loaded ("no AWS ranges loaded" is not "outside every AWS range").
 */
function consulted(index: IntelIndex): string {
  const networks = index.trusted.networks.length;
  const aws = index.feeds.filter((f) => f.kind === 'aws');
  const threat = index.feeds.filter((f) => f.kind !== 'aws');
  const names = (feeds: typeof index.feeds) => feeds.map((f) => f.name).join(', ');
  return [
    networks === 0 ? 'no trusted networks given' : `in none of ${networks} trusted network${networks === 1 ? '' : 's'}`,
    aws.length === 0 ? 'no AWS ranges loaded' : `in no AWS range (${names(aws)})`,
    threat.length === 0 ? 'no threat feed loaded' : `on none of ${threat.length} threat feed${threat.length === 1 ? '' : 's'} (${names(threat)})`,
  ].join('; ');
}

const KIND_ORDER: readonly TrustedKind[] = ['corporate', 'vpc', 'partner', 'health-check', 'scanner', 'pentest'];
function rank(kind: TrustedKind): number {
  return KIND_ORDER.indexOf(kind);
}

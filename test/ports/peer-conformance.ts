import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cidrReach,
  evaluateNetworkAcl,
  isInternetCidr,
  meaningMatchesPort,
  networkAclEntryFrom,
  normalizeEvent,
  parseCidr,
  rulesFromPermission,
  type NetworkRule,
} from '../../src/ports/index.js';
import { rowFromRecord } from './records.js';

/**
 * Every port / security-group / NACL / flow case of the peers' own test suites (read from the
 * shared corpus at test time, never copied: some are GPL), asked in trailbook's terms. Each row
 * says what the peer expects and what trailbook answers; where they differ on purpose, the row
 * names the reason (DIVERGENCES). `test/ports/peer-cases.test.ts` runs them and checks that
 * docs/port-semantics.md lists exactly these rows (`npm run gen:peer-table` rewrites it).
 */
export interface ConformanceRow {
  peer: string;
  rule: string;
  name: string;
  /** What the peer's case expects, in the peer's own words (e.g. `non-compliant`, `fires`). */
  theirs: string;
  /** What trailbook answers to the same question, in the same words. */
  ours: string;
  /** Why trailbook answers differently on purpose (absent: they agree, or must). */
  divergence?: string;
}

const IGNORED_PORTS = 'IpProtocol -1 ignores FromPort/ToPort in EC2: the rule admits every port';
const TAGS = 'tag policy (environment), not port semantics: trailbook reports the rule whatever the tags';

/** Reasons, by `peer:rule:name`. A listed divergence that starts agreeing fails the test. */
export const DIVERGENCES: Record<string, string> = {
  'prowler:is_cidr_public:test__is_cidr_public_Bad_Private_IPv4': 'host bits: Prowler raises on 10.0.0.0/0; EC2 masks it to 0.0.0.0/0, so do we (anywhere)',
  'panther:AWS.SecurityGroup.AdministrativeIngress:Inbound IP Permission On All IPs On Acceptable Ports': IGNORED_PORTS,
  'panther:AWS.SecurityGroup.RestrictsInboundTraffic:Security Group Restricts Inbound Traffic': IGNORED_PORTS,
  'panther:AWS.SecurityGroup.TightlyRestrictsInboundTraffic:Security Group Tightly Restricts Inbound Traffic': IGNORED_PORTS,
  'panther:AWS.SecurityGroup.TightlyRestrictsOutboundTraffic:Security Group Tightly Restricts Outbound Traffic': IGNORED_PORTS,
  'panther:AWS.SecurityGroup.RestrictsOutboundTraffic:Security Group Restricts Outbound Traffic': IGNORED_PORTS,
  'panther:AWS.SecurityGroup.OnlyDMZPubliclyAccessible:DMZ Security Group Does Allows Public Access': TAGS,
  'cloudsploit:openCustomPorts:should WARN if security group is unused': 'usage (attached interfaces, Lambda) is not judged from rules',
  'cloudsploit:openHTTPS:should PASS if open port security group attached to the network interface has no public IP associated':
    'interface addressing is not judged from rules',
};

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const rulesOf = (permissions: unknown[] | null | undefined): NetworkRule[] => (permissions ?? []).flatMap((p) => rulesFromPermission(p as never));
const isAnywhere = (rule: NetworkRule) => rule.peer.kind === 'cidr' && cidrReach(parseCidr(rule.peer.value)!) === 'anywhere';
const allPorts = (rule: NetworkRule) =>
  rule.ports.kind === 'all' || (rule.ports.kind === 'range' && rule.ports.range.from === 0 && rule.ports.range.to === 65535);
const spanOver = (rule: NetworkRule, limit: number) =>
  rule.ports.kind === 'all' || (rule.ports.kind === 'range' && rule.ports.range.to - rule.ports.range.from + 1 > limit);
const isPublicAddress = (ip: string | undefined) => ip !== undefined && cidrReach(parseCidr(`${ip}/32`)!) !== 'private';

/** The rows of every peer file present under `corpusRoot`; `missing` lists the files that were not. */
export function conformanceRows(corpusRoot: string): { rows: ConformanceRow[]; missing: string[] } {
  const rows: ConformanceRow[] = [];
  const missing: string[] = [];
  const file = (relative: string) => {
    const path = join(corpusRoot, 'peer-tests', relative);
    if (existsSync(path)) return path;
    missing.push(relative);
    return undefined;
  };
  const add = (peer: string, rule: string, name: string, words: [yes: string, no: string], theirs: boolean, ours: boolean) => {
    const key = `${peer}:${rule}:${name}`;
    rows.push({ peer, rule, name, theirs: words[theirs ? 0 : 1], ours: words[ours ? 0 : 1], ...(DIVERGENCES[key] ? { divergence: DIVERGENCES[key] } : {}) });
  };

  const prowler = file('prowler/security_groups_cases.json');
  if (prowler) {
    const data = readJson(prowler);
    for (const c of data.isCidrPublicCases) {
      const cidr = parseCidr(c.cidr)!;
      // any_address=True asks "the whole internet"; False asks "any globally routable address".
      const ours = c.anyAddress ? cidrReach(cidr) === 'anywhere' : cidrReach(cidr) !== 'private';
      add('prowler', 'is_cidr_public', c.name, ['public', 'not public'], c.expected ?? false, ours);
    }
    for (const c of data.checkSecurityGroupCases) {
      const isPublic = (rule: NetworkRule) =>
        rule.peer.kind === 'cidr' && (c.anyAddress ? isAnywhere(rule) : cidrReach(parseCidr(rule.peer.value)!) !== 'private');
      const protocolMatches = (rule: NetworkRule) => c.protocol === '-1' || rule.protocol === 'all' || rule.protocol === c.protocol;
      const rules = rulesOf([c.ingressRule]).filter((r) => isPublic(r) && protocolMatches(r));
      const ours = c.ports ? rules.some((r) => c.ports.some((p: number) => meaningMatchesPort(r.ports, p))) : rules.some(allPorts);
      add('prowler', 'check_security_group', c.name, ['open', 'closed'], c.expectedPublic, ours);
    }
  }

  const policies = file('panther-analysis/aws_vpc_elb_policies.tests.json');
  if (policies) {
    const byId = new Map<string, any>(readJson(policies).rules.map((r: any) => [r.PolicyID, r]));
    const words: [string, string] = ['compliant', 'non-compliant'];
    const policy = (id: string, compliant: (resource: any) => boolean) => {
      for (const c of byId.get(id).tests) add('panther', id, c.name, words, c.expectedResult, compliant(c.resource));
    };
    policy(
      'AWS.SecurityGroup.AdministrativeIngress',
      (r) => !rulesOf(r.IpPermissions).some((x) => isAnywhere(x) && (meaningMatchesPort(x.ports, 22) || meaningMatchesPort(x.ports, 3389))),
    );
    policy('AWS.SecurityGroup.RestrictsInboundTraffic', (r) => !rulesOf(withAnyPeer(r.IpPermissions)).some(allPorts));
    policy(
      'AWS.SecurityGroup.TightlyRestrictsInboundTraffic',
      (r) => !rulesOf(withAnyPeer(r.IpPermissions)).some((x) => spanOver(x, 10) || [21, 22, 23, 3389].some((p) => meaningMatchesPort(x.ports, p))),
    );
    policy('AWS.SecurityGroup.RestrictsOutboundTraffic', (r) => !rulesOf(withAnyPeer(r.IpPermissionsEgress)).some(allPorts));
    policy('AWS.SecurityGroup.TightlyRestrictsOutboundTraffic', (r) => !rulesOf(withAnyPeer(r.IpPermissionsEgress)).some((x) => spanOver(x, 10)));
    policy(
      'AWS.SecurityGroup.OnlyDMZPubliclyAccessible',
      (r) => !rulesOf(r.IpPermissions).some((x) => x.peer.kind === 'cidr' && cidrReach(parseCidr(x.peer.value)!) !== 'private'),
    );
    policy(
      'AWS.NetworkACL.RestrictedSSH',
      (r) =>
        !evaluateNetworkAcl(
          r.Entries.map((e: any) => networkAclEntryFrom(e)!),
          { egress: false, port: 22, protocol: 'tcp', peerMatches: (x) => isInternetCidr(parseCidr(x.peer.value)!) },
        ).allowed,
    );
    policy(
      'AWS.NetworkACL.RestrictsInsecureProtocols',
      (r) =>
        ![20, 21, 23, 25, 69, 110, 143].some(
          (port) =>
            evaluateNetworkAcl(r.Entries.map((e: any) => networkAclEntryFrom(e)!).filter(Boolean), {
              egress: false,
              port,
              protocol: 'tcp',
              peerMatches: (x) => isInternetCidr(parseCidr(x.peer.value)!),
            }).allowed,
        ),
    );
  }

  const cloudtrail = file('panther-analysis/aws_cloudtrail_rules.tests.json');
  if (cloudtrail) {
    const byId = new Map<string, any>(readJson(cloudtrail).rules.map((r: any) => [r.RuleID, r]));
    const words: [string, string] = ['fires', 'silent'];
    const rule = (id: string, fires: (changes: ReturnType<typeof normalizeEvent>, log: any) => boolean) => {
      for (const c of byId.get(id).tests) add('panther', id, c.name, words, c.expectedResult, fires(normalizeEvent(rowFromRecord(c.log)), c.log));
    };
    rule('AWS.CloudTrail.NetworkACLPermissiveEntry', (ch) =>
      ch.some((x) => x.action === 'open' && x.direction === 'ingress' && x.internetExposed && x.peer.value === '0.0.0.0/0'),
    );
    // Panther: a successful Authorize/Revoke. Ours: the event made at least one real change.
    rule('AWS.EC2.SecurityGroupModified', (ch) => ch.some((x) => x.action === 'open' || x.action === 'close'));
    rule('AWS.EC2.NetworkACLModified', (ch) => ch.some((x) => x.resourceType === 'network-acl' && (x.action === 'open' || x.action === 'close')));
    // Panther: a successful AuthorizeDBSecurityGroupIngress. Ours: it opened a path on the DB security group.
    rule('AWS.RDS.SecurityGroupIngressAuthorized', (ch) => ch.some((x) => x.resourceType === 'rds-db-security-group' && x.action === 'open'));
    // The rule's allowlist (Terraform, accounts) is configuration; what we share: a failed call is an attempt, a success a change.
    for (const c of byId.get('AWS.EC2.ManualSecurityGroupChange').tests) {
      const changes = normalizeEvent(rowFromRecord(c.log));
      const ours = changes.length === 0 ? 'no change' : changes.every((x) => x.action === 'attempt') ? 'attempt' : 'change';
      const theirs = c.log.errorCode ? 'attempt' : c.log.eventName === 'CreateSecurityGroup' ? 'no change' : 'change';
      rows.push({ peer: 'panther', rule: 'AWS.EC2.ManualSecurityGroupChange', name: c.name, theirs, ours });
    }
  }

  const flows = file('panther-analysis/aws_vpc_flow_rules.tests.json');
  if (flows) {
    const byId = new Map<string, any>(readJson(flows).rules.map((r: any) => [r.RuleID, r]));
    const flowRule = (
      id: string,
      fires: (src: string | undefined, dst: string | undefined, port: number | undefined, action: string | undefined) => boolean,
    ) => {
      for (const c of byId.get(id).tests) {
        const log = c.log;
        const src = log.srcAddr ?? log.src_endpoint?.ip;
        const dst = log.dstAddr ?? log.dst_endpoint?.ip;
        const port = log.dstPort ?? log.dst_endpoint?.port;
        add('panther', id, c.name, ['fires', 'silent'], c.expectedResult, fires(src, dst, port, log.action));
      }
    };
    // Inbound from the internet to a host in the VPC on a port the question names (22 here; 8443 in the runbook).
    const inbound = (src: string | undefined, dst: string | undefined) => isPublicAddress(src) && !isPublicAddress(dst);
    flowRule('AWS.VPC.InboundPortBlacklist', (s, d, p) => inbound(s, d) && (p === 22 || p === 3389));
    flowRule('AWS.VPC.InboundPortWhitelist', (s, d, p) => inbound(s, d) && p !== undefined && p !== 80 && p !== 443);
    flowRule('AWS.VPC.SSHAllowedSignal', (s, d, p, a) => inbound(s, d) && p === 22 && a === 'ACCEPT');
  }

  for (const [name, id] of [
    ['cloudtrail_security_group_ingress_anywhere.json', 'cloudtrail_security_group_ingress_anywhere'],
    ['cloudtrail_network_acl_ingress_anywhere.json', 'cloudtrail_network_acl_ingress_anywhere'],
  ] as const) {
    const path = file(`streamalert/${name}`);
    if (!path) continue;
    for (const c of readJson(path)) {
      const changes = normalizeEvent(rowFromRecord(c.data.detail));
      add(
        'streamalert',
        id,
        c.description,
        ['fires', 'silent'],
        c.trigger_rules.includes(id),
        changes.some((x) => x.action === 'open' && x.direction === 'ingress' && x.internetExposed),
      );
    }
  }

  const cloudsploit = file('cloudsploit/open_ports_cases.json');
  if (cloudsploit) {
    const { plugins } = readJson(cloudsploit);
    const openTo = (groups: any[], protocol: string, from: number, to: number) =>
      groups.some((g) =>
        rulesOf(g.IpPermissions).some(
          (r) =>
            isAnywhere(r) &&
            (r.protocol === 'all' || r.protocol === protocol) &&
            (r.ports.kind === 'all' || (r.ports.kind === 'range' && r.ports.range.from <= to && from <= r.ports.range.to)),
        ),
      );
    for (const [plugin, restricted] of [
      ['openCustomPorts', null],
      ['openHTTPS', 'tcp:443'],
    ] as const) {
      const p = plugins[plugin];
      for (const c of p.cases) {
        if (c.error || c.nullResponse || 'describeSecurityGroupsData' in c) continue; // API failures, not port semantics
        const groups = (c.securityGroups as number[]).map((i) => p.describeSecurityGroups[i]);
        const ports = (restricted ?? c.settings.restricted_open_ports).split(',').map((spec: string) => {
          const [protocol, range] = spec.split(':') as [string, string];
          const [from, to] = range.split('-').map(Number) as [number, number | undefined];
          return { protocol, from, to: to ?? from };
        });
        add(
          'cloudsploit',
          plugin,
          c.it,
          ['FAIL', 'PASS/WARN'],
          c.expectedStatus === 2,
          ports.some((q: { protocol: string; from: number; to: number }) => openTo(groups, q.protocol, q.from, q.to)),
        );
      }
    }
  }
  return { rows, missing };
}

/** Panther's inbound/outbound policies ignore the source: give group-only permissions a CIDR so their ports are read. */
function withAnyPeer(permissions: any[] | null | undefined): any[] {
  return (permissions ?? []).map((p) => (p.IpRanges?.length || p.Ipv6Ranges?.length ? p : { ...p, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }));
}

/** The Markdown table of docs/port-semantics.md (between the peer-conformance markers). */
export function conformanceTable(rows: readonly ConformanceRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const agreed = rows.filter((r) => r.theirs === r.ours).length;
  return [
    `${rows.length} cases: ${agreed} agree, ${rows.length - agreed} differ on purpose (reason given).`,
    '',
    '| Peer | Rule or check | Case | Peer expects | trailbook | Why different |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.peer} | ${cell(r.rule)} | ${cell(r.name)} | ${r.theirs} | ${r.ours} | ${r.divergence ? cell(r.divergence) : ''} |`),
  ].join('\n');
}

export const TABLE_START = '<!-- peer-conformance:start (generated by npm run gen:peer-table; do not edit) -->';
export const TABLE_END = '<!-- peer-conformance:end -->';

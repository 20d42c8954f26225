import { assemble, userActor, roleActor, type Call, type EventContext } from './record.js';

/**
 * The security-relevant events planted in the corpus, at fixed positions: global event index i
 * carries kind k when `i % PLANT_EVERY === k.offset`. Counts are therefore a pure function of the
 * corpus size, and a benchmark (or a test) can check the classic query (`SELECT * FROM cloudtrail_logs WHERE requestParameters LIKE '%8443%'`, README.md) against
 * ground truth: which hits are real 8443 exposure changes, which are decoys, which it misses.
 */
export const PLANT_EVERY = 2000;

export type PlantedKind =
  | 'ingress-8443'
  | 'ingress-all-traffic'
  | 'ingress-range-8000-9000'
  | 'modify-rules-8443'
  | 'egress-8443'
  | 'revoke-ingress-8443'
  | 'decoy-instance-id'
  | 'decoy-bucket-name'
  | 'decoy-port-18443';

export interface PlantedSpec {
  kind: PlantedKind;
  offset: number;
  /** Does the change open or close a path to port 8443? (ground truth) */
  relevant: boolean;
  /** Does `requestParameters LIKE '%8443%'` match it? (what the classic query sees) */
  classicMatches: boolean;
}

export const PLANTED: readonly PlantedSpec[] = [
  { kind: 'ingress-8443', offset: 101, relevant: true, classicMatches: true },
  { kind: 'ingress-all-traffic', offset: 307, relevant: true, classicMatches: false },
  { kind: 'ingress-range-8000-9000', offset: 523, relevant: true, classicMatches: false },
  { kind: 'modify-rules-8443', offset: 719, relevant: true, classicMatches: true },
  { kind: 'egress-8443', offset: 941, relevant: true, classicMatches: true },
  { kind: 'revoke-ingress-8443', offset: 1153, relevant: true, classicMatches: true },
  { kind: 'decoy-instance-id', offset: 1367, relevant: false, classicMatches: true },
  { kind: 'decoy-bucket-name', offset: 1579, relevant: false, classicMatches: true },
  { kind: 'decoy-port-18443', offset: 1783, relevant: false, classicMatches: true },
];

const BY_OFFSET = new Map(PLANTED.map((p) => [p.offset, p]));

/** The planted kind at global event index `index`, if any. */
export function plantedAt(index: number): PlantedSpec | undefined {
  return BY_OFFSET.get(index % PLANT_EVERY);
}

/** How many of each kind a corpus of `events` events holds. */
export function plantedCounts(events: number): Record<PlantedKind, number> {
  const counts = {} as Record<PlantedKind, number>;
  for (const p of PLANTED) counts[p.kind] = events > p.offset ? Math.floor((events - 1 - p.offset) / PLANT_EVERY) + 1 : 0;
  return counts;
}

export interface ClassicExpectation {
  /** Rows the classic query returns. */
  matches: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** What the classic 8443 query should return on a corpus of `events` events, split by truth. */
export function classicExpectation(events: number): ClassicExpectation {
  const counts = plantedCounts(events);
  const out: ClassicExpectation = { matches: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (const p of PLANTED) {
    const n = counts[p.kind];
    if (p.classicMatches) out.matches += n;
    if (p.classicMatches && p.relevant) out.truePositives += n;
    if (p.classicMatches && !p.relevant) out.falsePositives += n;
    if (!p.classicMatches && p.relevant) out.falseNegatives += n;
  }
  return out;
}

const EMPTY = { groups: {}, ipv6Ranges: {}, prefixListIds: {} };

/** An ipPermissions item in the nested shape the EC2 API logs (`items` lists, empty `{}` sets). */
function permission(protocol: string, from: number | undefined, to: number | undefined, cidr: string): Record<string, unknown> {
  const item: Record<string, unknown> = { ipProtocol: protocol };
  if (from !== undefined) item['fromPort'] = from;
  if (to !== undefined) item['toPort'] = to;
  return { ...item, ...EMPTY, ipRanges: { items: [{ cidrIp: cidr }] } };
}

function sgRuleChange(ctx: EventContext, name: string, egress: boolean, protocol: string, from: number | undefined, to: number | undefined): Call {
  const { rng, account } = ctx;
  const groupId = rng.pick(account.securityGroups);
  const cidr = egress ? '0.0.0.0/0' : rng.pick(['0.0.0.0/0', '0.0.0.0/0', '198.51.100.0/24']);
  const requestId = rng.uuid();
  const ruleId = `sgr-0${rng.hex(16)}`;
  const revoke = name.startsWith('Revoke');
  return {
    source: 'ec2.amazonaws.com',
    name,
    readOnly: false,
    request: { groupId, ipPermissions: { items: [permission(protocol, from, to, cidr)] } },
    response: revoke
      ? { requestId, _return: true }
      : {
          requestId,
          _return: true,
          securityGroupRuleSet: {
            items: [
              {
                groupOwnerId: account.id,
                groupId,
                securityGroupRuleId: ruleId,
                isEgress: egress,
                ipProtocol: protocol,
                fromPort: from ?? -1,
                toPort: to ?? -1,
                cidrIpv4: cidr,
              },
            ],
          },
        },
  };
}

function plantedCall(ctx: EventContext, kind: PlantedKind): Call {
  const { rng, account } = ctx;
  switch (kind) {
    case 'ingress-8443':
      return sgRuleChange(ctx, 'AuthorizeSecurityGroupIngress', false, 'tcp', 8443, 8443);
    case 'ingress-all-traffic':
      return sgRuleChange(ctx, 'AuthorizeSecurityGroupIngress', false, '-1', undefined, undefined);
    case 'ingress-range-8000-9000':
      return sgRuleChange(ctx, 'AuthorizeSecurityGroupIngress', false, 'tcp', 8000, 9000);
    case 'egress-8443':
      return sgRuleChange(ctx, 'AuthorizeSecurityGroupEgress', true, 'tcp', 8443, 8443);
    case 'revoke-ingress-8443':
      return sgRuleChange(ctx, 'RevokeSecurityGroupIngress', false, 'tcp', 8443, 8443);
    case 'decoy-port-18443':
      return sgRuleChange(ctx, 'AuthorizeSecurityGroupIngress', false, 'tcp', 18443, 18443);
    case 'modify-rules-8443': {
      const groupId = rng.pick(account.securityGroups);
      return {
        source: 'ec2.amazonaws.com',
        name: 'ModifySecurityGroupRules',
        readOnly: false,
        // PascalCase and one level deeper than the Authorize* calls: what naive parsers miss.
        request: {
          ModifySecurityGroupRulesRequest: {
            GroupId: groupId,
            SecurityGroupRule: {
              SecurityGroupRuleId: `sgr-0${rng.hex(16)}`,
              SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, CidrIpv4: '0.0.0.0/0' },
              tag: 1,
            },
          },
        },
        response: { ModifySecurityGroupRulesResponse: { xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId: rng.uuid(), return: true } },
      };
    }
    case 'decoy-instance-id':
      // An instance id that merely contains the digits: a substring match, not a port.
      return {
        source: 'ec2.amazonaws.com',
        name: 'StartInstances',
        readOnly: false,
        request: { instancesSet: { items: [{ instanceId: `i-0${rng.hex(5)}8443${rng.hex(8)}` }] } },
        response: null,
      };
    case 'decoy-bucket-name': {
      const bucket = `build-cache-8443-${account.id}`;
      const host = `${bucket}.s3.${ctx.region}.amazonaws.com`;
      return {
        source: 's3.amazonaws.com',
        name: 'GetObject',
        readOnly: true,
        category: 'Data',
        host,
        request: { bucketName: bucket, Host: host, key: `cache/${rng.hex(12)}.tar.zst` },
        response: null,
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/cache` },
          { accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
        ],
      };
    }
  }
}

/** A planted event. Exposure changes come from IAM users (long-term AKIA keys) or role sessions. */
export function plantedEvent(ctx: EventContext, spec: PlantedSpec): Record<string, unknown> {
  const actor = spec.relevant && ctx.rng.chance(0.5) ? userActor(ctx, ctx.rng.pick(ctx.account.users)) : roleActor(ctx, ctx.rng.pick(ctx.account.sessions));
  return assemble(ctx, actor, plantedCall(ctx, spec.kind));
}

/**
 * Writes the bundled sample investigation under sample/: one day of CloudTrail (S3 layout,
 * gzip), VPC Flow Logs (custom v5 format with flow-direction and tcp-flags), a threat-intel feed,
 * AWS ranges and a trusted-networks file. Deterministic: the same script writes the same bytes.
 * The story it tells, and the answers a correct investigation gives, are in sample/GROUND_TRUTH.md.
 *
 * Addresses are from the documentation ranges (RFC 5737): no real party is named.
 *   203.0.113.0/24   corporate egress (trusted)
 *   198.51.100.23    attacker (on the threat feed)
 *   198.51.100.77    command-and-control host (on the threat feed)
 *   192.0.2.10       a benign internet scanner (listed as such in the trusted file)
 *
 * Run: node --import tsx scripts/make-sample.ts [outDir]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const OUT = process.argv[2] ?? 'sample';
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const DAY = '2024-05-14';
const VPC = 'vpc-0a1b2c3d4e5f67890';
const WEB = { instance: 'i-0a12b34c56d78e901', eni: 'eni-0f1e2d3c4b5a69788', ip: '10.0.1.25' };
const API = { instance: 'i-0b23c45d67e89f012', eni: 'eni-0e2d3c4b5a6978899', ip: '10.0.3.40' };
const ATTACKER = '198.51.100.23';
const C2 = '198.51.100.77';
const SCANNER = '192.0.2.10';
const CORP = '203.0.113.10';
const CI_HOST = '203.0.113.15';

// A small deterministic generator (mulberry32) for the background noise.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(8443);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

let sequence = 0;
function eventId(): string {
  sequence++;
  const hex = sequence.toString(16).padStart(12, '0');
  return `5a3e0c1d-8f2b-4c6a-9d7e-${hex}`;
}
const at = (hhmmss: string) => `${DAY}T${hhmmss}Z`;

type Identity = Record<string, unknown>;
const identities = {
  legacyDeploy: {
    type: 'IAMUser',
    principalId: 'AIDAQEXAMPLELEGACY01',
    arn: `arn:aws:iam::${ACCOUNT}:user/svc-legacy-deploy`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAQEXAMPLELEGACY01',
    userName: 'svc-legacy-deploy',
  },
  responder: {
    type: 'AssumedRole',
    principalId: 'AROAQEXAMPLERESPOND:maria',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/IncidentResponder/maria`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAQEXAMPLERESPOND1',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAQEXAMPLERESPOND',
        arn: `arn:aws:iam::${ACCOUNT}:role/IncidentResponder`,
        accountId: ACCOUNT,
        userName: 'IncidentResponder',
      },
      attributes: { creationDate: at('09:58:12'), mfaAuthenticated: 'true' },
    },
  },
  instanceRole: {
    type: 'AssumedRole',
    principalId: `AROAQEXAMPLEWEBAPP01:${WEB.instance}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/web-app-instance-role/${WEB.instance}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAQEXAMPLEWEBAPP01',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAQEXAMPLEWEBAPP01',
        arn: `arn:aws:iam::${ACCOUNT}:role/web-app-instance-role`,
        accountId: ACCOUNT,
        userName: 'web-app-instance-role',
      },
      attributes: { creationDate: at('06:00:00'), mfaAuthenticated: 'false' },
      ec2RoleDelivery: '2.0',
    },
  },
  ciDeployer: {
    type: 'AssumedRole',
    principalId: 'AROAQEXAMPLECIDEPLOY:pipeline-4711',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/pipeline-4711`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAQEXAMPLECIDEPLOY',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAQEXAMPLECIDEPLOY',
        arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`,
        accountId: ACCOUNT,
        userName: 'ci-deployer',
      },
      attributes: { creationDate: at('13:15:00'), mfaAuthenticated: 'false' },
    },
  },
  cloudFormation: {
    type: 'AssumedRole',
    principalId: 'AROAQEXAMPLECFNEXEC1:AWSCloudFormation',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cfn-exec-role/AWSCloudFormation`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAQEXAMPLECFNEXEC1',
    invokedBy: 'cloudformation.amazonaws.com',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAQEXAMPLECFNEXEC1',
        arn: `arn:aws:iam::${ACCOUNT}:role/cfn-exec-role`,
        accountId: ACCOUNT,
        userName: 'cfn-exec-role',
      },
      attributes: { creationDate: at('13:59:00'), mfaAuthenticated: 'false' },
    },
  },
  analyst: {
    type: 'AssumedRole',
    principalId: 'AROAQEXAMPLEANALYST1:sam',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnlyAnalyst/sam`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAQEXAMPLEANALYST1',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAQEXAMPLEANALYST1',
        arn: `arn:aws:iam::${ACCOUNT}:role/ReadOnlyAnalyst`,
        accountId: ACCOUNT,
        userName: 'ReadOnlyAnalyst',
      },
      attributes: { creationDate: at('07:00:00'), mfaAuthenticated: 'true' },
    },
  },
} satisfies Record<string, Identity>;

interface EventSpec {
  time: string;
  identity: Identity;
  source: string;
  name: string;
  ip: string;
  agent?: string;
  request?: unknown;
  response?: unknown;
  error?: [code: string, message: string];
  readOnly?: boolean;
}

function event(spec: EventSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: spec.identity,
    eventTime: at(spec.time),
    eventSource: spec.source,
    eventName: spec.name,
    awsRegion: REGION,
    sourceIPAddress: spec.ip,
    userAgent: spec.agent ?? 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 cmd/ec2.authorize-security-group-ingress',
    requestParameters: spec.request ?? null,
    responseElements: spec.response ?? null,
    requestID: `${eventId().slice(24)}-req`,
    eventID: eventId(),
    readOnly: spec.readOnly ?? false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${spec.source.split('.')[0]}.${REGION}.amazonaws.com`,
    },
  };
  if (spec.error) {
    out['errorCode'] = spec.error[0];
    out['errorMessage'] = spec.error[1];
  }
  return out;
}

const ingress = (groupId: string, permission: Record<string, unknown>) => ({
  groupId,
  ipPermissions: { items: [permission] },
});
const tcp = (from: number, to: number, cidrs: string[], description?: string) => ({
  ipProtocol: 'tcp',
  fromPort: from,
  toPort: to,
  ipRanges: { items: cidrs.map((cidrIp) => (description ? { cidrIp, description } : { cidrIp })) },
});

const WEB_SG = 'sg-0a1b2c3d4e5f60718';
const storyline: Record<string, unknown>[] = [
  // Story A: a leaked long-term key opens 8443 (and all traffic for the attacker's /24), the attacker connects, the host calls out.
  event({
    time: '09:12:07',
    identity: identities.legacyDeploy,
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    ip: ATTACKER,
    agent: 'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.10.12 Botocore/1.34.69',
    request: ingress(WEB_SG, tcp(8443, 8443, ['0.0.0.0/0'])),
    response: {
      requestId: 'a1',
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: ACCOUNT,
            groupId: WEB_SG,
            securityGroupRuleId: 'sgr-0aa11bb22cc33dd44',
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 8443,
            toPort: 8443,
            cidrIpv4: '0.0.0.0/0',
          },
        ],
      },
    },
  }),
  event({
    time: '09:13:41',
    identity: identities.legacyDeploy,
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    ip: ATTACKER,
    agent: 'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.10.12 Botocore/1.34.69',
    request: ingress(WEB_SG, { ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '198.51.100.0/24' }] } }),
    response: {
      requestId: 'a2',
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: ACCOUNT,
            groupId: WEB_SG,
            securityGroupRuleId: 'sgr-0ee55ff66aa77bb88',
            isEgress: false,
            ipProtocol: '-1',
            fromPort: -1,
            toPort: -1,
            cidrIpv4: '198.51.100.0/24',
          },
        ],
      },
    },
  }),
  event({
    time: '10:05:33',
    identity: identities.responder,
    source: 'ec2.amazonaws.com',
    name: 'RevokeSecurityGroupIngress',
    ip: CORP,
    agent: 'AWS Internal',
    request: ingress(WEB_SG, tcp(8443, 8443, ['0.0.0.0/0'])),
    response: { requestId: 'a3', _return: true },
  }),
  event({
    time: '10:05:51',
    identity: identities.responder,
    source: 'ec2.amazonaws.com',
    name: 'RevokeSecurityGroupIngress',
    ip: CORP,
    agent: 'AWS Internal',
    request: ingress(WEB_SG, { ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '198.51.100.0/24' }] } }),
    response: { requestId: 'a4', _return: true },
  }),
  // Story B: the web host's instance credentials, used from the attacker's address, try to open 8443 on another group and are denied.
  ...[0, 1, 2, 3, 4].map((i) =>
    event({
      time: `11:0${2 + Math.floor(i / 2)}:${String(10 + i * 7).padStart(2, '0')}`,
      identity: identities.instanceRole,
      source: 'ec2.amazonaws.com',
      name: 'AuthorizeSecurityGroupIngress',
      ip: ATTACKER,
      agent: 'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.10.12 Botocore/1.34.69',
      request: ingress('sg-0d4c3b2a1f0e98765', tcp(8443, 8443, ['0.0.0.0/0'])),
      error: [
        'Client.UnauthorizedOperation',
        `You are not authorized to perform this operation. User: ${identities.instanceRole.arn} is not authorized to perform: ec2:AuthorizeSecurityGroupIngress`,
      ],
    }),
  ),
  // Story C: the CI pipeline's approved role opens 8443 to the VPC only (ModifySecurityGroupRules, PascalCase, nested twice).
  event({
    time: '13:20:05',
    identity: identities.ciDeployer,
    source: 'ec2.amazonaws.com',
    name: 'ModifySecurityGroupRules',
    ip: CI_HOST,
    agent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 cmd/ec2.modify-security-group-rules',
    request: {
      ModifySecurityGroupRulesRequest: {
        GroupId: 'sg-0e5f6a7b8c9d01234',
        SecurityGroupRule: {
          SecurityGroupRuleId: 'sgr-0123456789abcdef0',
          SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, CidrIpv4: '10.0.0.0/16', Description: 'internal API' },
        },
      },
    },
    response: { ModifySecurityGroupRulesResponse: { return: true } },
  }),
  // Story D: CloudFormation deploys an internal HTTPS listener on 8443 for the API service.
  event({
    time: '14:00:12',
    identity: identities.cloudFormation,
    source: 'elasticloadbalancing.amazonaws.com',
    name: 'CreateListener',
    ip: 'cloudformation.amazonaws.com',
    agent: 'cloudformation.amazonaws.com',
    request: {
      loadBalancerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/internal-api/50dc6c495c0c9188`,
      protocol: 'HTTPS',
      port: 8443,
      certificates: [{ certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/3c3b0f9e-0000-4000-8000-000000000001` }],
      defaultActions: [{ type: 'forward', targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/internal-api/73e2d6bc24d8a067` }],
    },
    response: {
      listeners: [
        {
          listenerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/internal-api/50dc6c495c0c9188/f2f7dc8efc522ab2`,
          port: 8443,
          protocol: 'HTTPS',
        },
      ],
    },
  }),
  // Decoys: 8443 as a substring of other things, and ports that are not 8443.
  event({
    time: '08:30:00',
    identity: identities.analyst,
    source: 's3.amazonaws.com',
    name: 'GetObject',
    ip: CORP,
    agent: '[aws-cli/2.15.30]',
    readOnly: true,
    request: { bucketName: 'backup-8443-archive', key: 'reports/2024-05-13.csv.gz', Host: 'backup-8443-archive.s3.us-east-1.amazonaws.com' },
  }),
  event({
    time: '08:31:10',
    identity: identities.analyst,
    source: 'ec2.amazonaws.com',
    name: 'DescribeInstances',
    ip: CORP,
    readOnly: true,
    request: { instancesSet: { items: [{ instanceId: 'i-08443c0ffee123456' }] }, filterSet: {} },
  }),
  event({
    time: '12:10:00',
    identity: identities.ciDeployer,
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    ip: CI_HOST,
    request: ingress('sg-0c1d2e3f4a5b6c7d8', tcp(18443, 18443, ['0.0.0.0/0'])),
  }),
  event({
    time: '12:11:00',
    identity: identities.ciDeployer,
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    ip: CI_HOST,
    request: ingress('sg-0c1d2e3f4a5b6c7d8', tcp(8444, 9000, ['0.0.0.0/0'])),
  }),
  event({
    time: '12:12:00',
    identity: identities.ciDeployer,
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    ip: CI_HOST,
    request: ingress('sg-0c1d2e3f4a5b6c7d8', tcp(443, 443, ['0.0.0.0/0'], 'replaces the old 8443 rule')),
  }),
];

// Background noise: the read-only calls and service activity every account has.
const noiseCalls: [source: string, name: string][] = [
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['ec2.amazonaws.com', 'DescribeVpcs'],
  ['s3.amazonaws.com', 'ListBuckets'],
  ['iam.amazonaws.com', 'ListRoles'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['cloudtrail.amazonaws.com', 'LookupEvents'],
  ['kms.amazonaws.com', 'Decrypt'],
  ['logs.amazonaws.com', 'DescribeLogGroups'],
];
const noise: Record<string, unknown>[] = [];
for (let i = 0; i < 240; i++) {
  const seconds = Math.floor(random() * 86_000);
  const time = new Date(Date.parse(`${DAY}T00:00:00Z`) + seconds * 1000).toISOString().slice(11, 19);
  const [source, name] = pick(noiseCalls);
  const byService = random() < 0.3;
  noise.push(
    event({
      time,
      source,
      name,
      readOnly: true,
      identity: byService ? { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } : pick([identities.analyst, identities.ciDeployer]),
      ip: byService ? 'ec2.amazonaws.com' : pick([CORP, CI_HOST]),
      agent: byService ? 'ec2.amazonaws.com' : 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1',
    }),
  );
}

const all = [...storyline, ...noise].sort((a, b) => String(a['eventTime']).localeCompare(String(b['eventTime'])));

function write(path: string, content: string | Buffer): void {
  const full = join(OUT, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

// Only the generated parts: GROUND_TRUTH.md and the example query beside them are written by hand.
for (const part of ['cloudtrail', 'vpcflow', 'intel']) rmSync(join(OUT, part), { recursive: true, force: true });

// CloudTrail delivers about every five minutes; group events into files by their 15-minute slot.
const byFile = new Map<string, Record<string, unknown>[]>();
for (const e of all) {
  const t = new Date(String(e['eventTime']));
  const slot = new Date(Math.floor(t.getTime() / 900_000) * 900_000 + 900_000);
  const stamp = slot.toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
  const day = slot.toISOString().slice(0, 10).split('-');
  const name = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${day[0]}/${day[1]}/${day[2]}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${stamp.slice(9, 13)}sample.json.gz`;
  byFile.set(name, [...(byFile.get(name) ?? []), e]);
}
for (const [name, events] of byFile) write(join('cloudtrail', name), gzipSync(JSON.stringify({ Records: events })));

// VPC Flow Logs, custom format (version 5 fields) as delivered to S3 with a header line.
const FLOW_FIELDS =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id instance-id tcp-flags flow-direction';
interface Flow {
  t: string;
  eni: typeof WEB;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  packets: number;
  bytes: number;
  action: 'ACCEPT' | 'REJECT';
  flags: number;
  direction: 'ingress' | 'egress';
}
const flows: Flow[] = [];
// Rejected SYN probes before the group was opened: the first requests that hit 8443.
for (let i = 0; i < 6; i++)
  flows.push({
    t: `08:4${i}:05`,
    eni: WEB,
    src: ATTACKER,
    dst: WEB.ip,
    sport: 51000 + i,
    dport: 8443,
    packets: 1,
    bytes: 60,
    action: 'REJECT',
    flags: 2,
    direction: 'ingress',
  });
// Accepted connections while the group was open (and the replies leaving the host).
for (let i = 0; i < 4; i++) {
  const sport = 52010 + i;
  const t = `09:${15 + i * 5}:00`;
  flows.push({
    t,
    eni: WEB,
    src: ATTACKER,
    dst: WEB.ip,
    sport,
    dport: 8443,
    packets: 40 + i,
    bytes: 4_800 + i * 100,
    action: 'ACCEPT',
    flags: 3,
    direction: 'ingress',
  });
  flows.push({
    t,
    eni: WEB,
    src: WEB.ip,
    dst: ATTACKER,
    sport: 8443,
    dport: sport,
    packets: 900 + i,
    bytes: 1_250_000 + i * 10_000,
    action: 'ACCEPT',
    flags: 19,
    direction: 'egress',
  });
}
// The web host calls out to a command-and-control server on its 8443.
flows.push({
  t: '09:41:00',
  eni: WEB,
  src: WEB.ip,
  dst: C2,
  sport: 41234,
  dport: 8443,
  packets: 22,
  bytes: 3_100,
  action: 'ACCEPT',
  flags: 3,
  direction: 'egress',
});
flows.push({
  t: '09:41:00',
  eni: WEB,
  src: C2,
  dst: WEB.ip,
  sport: 8443,
  dport: 41234,
  packets: 18,
  bytes: 2_200,
  action: 'ACCEPT',
  flags: 19,
  direction: 'ingress',
});
// After the revoke: more probes, rejected.
for (let i = 0; i < 3; i++)
  flows.push({
    t: `10:1${i}:30`,
    eni: WEB,
    src: ATTACKER,
    dst: WEB.ip,
    sport: 53000 + i,
    dport: 8443,
    packets: 2,
    bytes: 120,
    action: 'REJECT',
    flags: 2,
    direction: 'ingress',
  });
// Internal API on 8443: load balancer health checks and internal clients, plus a known scanner bounced.
for (let i = 0; i < 6; i++)
  flows.push({
    t: `14:${String(5 + i * 5).padStart(2, '0')}:00`,
    eni: API,
    src: '10.0.2.17',
    dst: API.ip,
    sport: 40000 + i,
    dport: 8443,
    packets: 6,
    bytes: 720,
    action: 'ACCEPT',
    flags: 19,
    direction: 'ingress',
  });
flows.push({
  t: '15:02:00',
  eni: API,
  src: SCANNER,
  dst: API.ip,
  sport: 61000,
  dport: 8443,
  packets: 1,
  bytes: 44,
  action: 'REJECT',
  flags: 2,
  direction: 'ingress',
});
// Unrelated traffic (decoys for a port filter): 443 and 18443.
flows.push({
  t: '12:30:00',
  eni: WEB,
  src: '203.0.113.44',
  dst: WEB.ip,
  sport: 49152,
  dport: 443,
  packets: 10,
  bytes: 2_000,
  action: 'ACCEPT',
  flags: 19,
  direction: 'ingress',
});
flows.push({
  t: '12:31:00',
  eni: WEB,
  src: '203.0.113.44',
  dst: WEB.ip,
  sport: 49153,
  dport: 18443,
  packets: 1,
  bytes: 60,
  action: 'REJECT',
  flags: 2,
  direction: 'ingress',
});

const byHour = new Map<string, string[]>();
for (const f of flows.sort((a, b) => a.t.localeCompare(b.t))) {
  const start = Date.parse(at(f.t)) / 1000;
  const line = [
    '5',
    ACCOUNT,
    f.eni.eni,
    f.src,
    f.dst,
    f.sport,
    f.dport,
    6,
    f.packets,
    f.bytes,
    start,
    start + 55,
    f.action,
    'OK',
    VPC,
    f.eni.instance,
    f.flags,
    f.direction,
  ].join(' ');
  const hour = f.t.slice(0, 2);
  byHour.set(hour, [...(byHour.get(hour) ?? []), line]);
}
for (const [hour, lines] of byHour) {
  const stamp = `${DAY.replace(/-/g, '')}T${hour}00Z`;
  const name = `AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/${DAY.replace(/-/g, '/')}/${ACCOUNT}_vpcflowlogs_${REGION}_fl-0123456789abcdef0_${stamp}_sample.log.gz`;
  write(join('vpcflow', name), gzipSync([FLOW_FIELDS, ...lines].join('\n') + '\n'));
}

write(
  'intel/threat-feed.txt',
  [
    "# Sample threat feed (plain list: one address or CIDR per line). Written for trailbook's sample.",
    `${ATTACKER}  # scanner and credential abuse seen across customers`,
    `${C2}  # command and control`,
    '',
  ].join('\n'),
);

write(
  'trusted-networks.yaml',
  [
    '# Trusted networks for the sample investigation (examples/trusted-networks.yaml documents every field).',
    'version: 1',
    'corporate:',
    '  - name: head-office-egress',
    '    cidrs: [203.0.113.0/24]',
    'vpcs:',
    '  - name: production-vpc',
    '    cidrs: [10.0.0.0/16]',
    'scanners:',
    '  - name: internet-census-project',
    '    cidrs: [192.0.2.10/32]',
    'principals:',
    '  - name: ci-pipeline',
    `    arns: ["arn:aws:iam::${ACCOUNT}:role/ci-deployer"]`,
    '  - name: cloudformation-deployments',
    `    arns: ["arn:aws:iam::${ACCOUNT}:role/cfn-exec-role"]`,
    '',
  ].join('\n'),
);

console.log(`sample written to ${OUT}: ${all.length} CloudTrail events in ${byFile.size} files, ${flows.length} flow records in ${byHour.size} files`);

/**
 * The multi-account scenario of STORY.md beside this file: two accounts, two VPCs, a scanner
 * sweeping both, an intrusion on one host that then calls home, a stolen key trying five groups.
 * Deterministic (no clock, no randomness): `writeScenario(dir)` writes the same bytes every time,
 * in the layout AWS delivers (S3 keys under AWSLogs/), plus the threat feed and trusted file.
 * The test (test/investigate/multi-account.test.ts) writes it to a temporary folder; nothing
 * generated is committed.
 *
 * Run by hand: node --import tsx test/scenarios/multi-account/generate.ts <outDir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const DAY = '2024-07-09';
const REGION = 'us-east-1';

export const A = { account: '111111111111', vpc: 'vpc-0a00000000000000a' } as const;
export const B = { account: '222222222222', vpc: 'vpc-0b00000000000000b' } as const;

interface Host {
  account: string;
  vpc: string;
  instance: string;
  eni: string;
  ip: string;
  subnet: string;
  group: string | null;
}
export const WEB_A: Host = {
  ...A,
  instance: 'i-0a0000000000000a1',
  eni: 'eni-0a0000000000000a1',
  ip: '10.0.1.10',
  subnet: 'subnet-0a0000000000000a1',
  group: 'sg-0a00000000000web0',
};
export const APP_A: Host = {
  ...A,
  instance: 'i-0a0000000000000a2',
  eni: 'eni-0a0000000000000a2',
  ip: '10.0.2.20',
  subnet: 'subnet-0a0000000000000a2',
  group: 'sg-0a00000000000app0',
};
/** Launched before the logs begin: CloudTrail never says which groups it carries. */
export const DB_A: Host = {
  ...A,
  instance: 'i-0a0000000000000a3',
  eni: 'eni-0a0000000000000a3',
  ip: '10.0.3.30',
  subnet: 'subnet-0a0000000000000a3',
  group: null,
};
export const API_B: Host = {
  ...B,
  instance: 'i-0b0000000000000b1',
  eni: 'eni-0b0000000000000b1',
  ip: '10.1.1.30',
  subnet: 'subnet-0b0000000000000b1',
  group: 'sg-0b00000000000api0',
};
export const TRIED_GROUPS = ['sg-0b0000000000000c1', 'sg-0b0000000000000c2', 'sg-0b0000000000000c3', 'sg-0b0000000000000c4', 'sg-0b0000000000000c5'] as const;

export const SCANNER = '192.0.2.10';
export const ATTACKER = '198.51.100.23';
export const C2 = '198.51.100.77';
export const PARTNER = '203.0.113.140';
export const OFFICE = '203.0.113.10';
export const UNLISTED = '198.51.100.140';

const at = (hhmmss: string) => `${DAY}T${hhmmss}Z`;
const epoch = (hhmmss: string) => Date.parse(at(hhmmss)) / 1000;

type Identity = Record<string, unknown>;
const ciRole = (account: string): Identity => ({
  type: 'AssumedRole',
  principalId: `AROAQEXAMPLECI${account.slice(0, 6)}:pipeline-77`,
  arn: `arn:aws:sts::${account}:assumed-role/ci-deployer/pipeline-77`,
  accountId: account,
  accessKeyId: `ASIAQEXAMPLECI${account.slice(0, 6)}`,
  sessionContext: {
    sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/ci-deployer`, accountId: account, userName: 'ci-deployer' },
    attributes: { mfaAuthenticated: 'false', creationDate: at('07:55:00') },
  },
});
const user = (account: string, name: string, key: string): Identity => ({
  type: 'IAMUser',
  principalId: `AIDAQEXAMPLE${key.slice(-8)}`,
  arn: `arn:aws:iam::${account}:user/${name}`,
  accountId: account,
  accessKeyId: key,
  userName: name,
});
export const CONTRACTOR = user(A.account, 'contractor-ops', 'AKIAQEXAMPLECONTRACT');
export const STOLEN = user(B.account, 'ops-automation', 'AKIAQEXAMPLEOPSAUTO1');

let sequence = 0;
function event(
  account: string,
  time: string,
  identity: Identity,
  ip: string,
  name: string,
  request: unknown,
  response: unknown,
  error?: string,
): Record<string, unknown> {
  sequence++;
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: at(time),
    eventSource: 'ec2.amazonaws.com',
    eventName: name,
    awsRegion: REGION,
    sourceIPAddress: ip,
    userAgent: 'aws-cli/2.15.30',
    requestParameters: request,
    responseElements: response,
    ...(error ? { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' } : {}),
    requestID: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    eventID: scenarioEventId(sequence),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}
export const scenarioEventId = (n: number) => `5ce0a210-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** RunInstances as CloudTrail logs it: the instance, its interface and groups in responseElements. */
function runInstances(time: string, host: Host): Record<string, unknown> {
  const groupSet = { items: [{ groupId: host.group, groupName: host.group }] };
  return event(
    host.account,
    time,
    ciRole(host.account),
    OFFICE,
    'RunInstances',
    { instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] }, instanceType: 't3.small' },
    {
      instancesSet: {
        items: [
          {
            instanceId: host.instance,
            vpcId: host.vpc,
            subnetId: host.subnet,
            privateIpAddress: host.ip,
            groupSet,
            networkInterfaceSet: {
              items: [
                { networkInterfaceId: host.eni, subnetId: host.subnet, vpcId: host.vpc, privateIpAddress: host.ip, groupSet, attachment: { deviceIndex: 0 } },
              ],
            },
          },
        ],
      },
    },
  );
}

const ingress = (groupId: string, cidr: string) => ({
  groupId,
  ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: cidr }] } }] },
});

function cloudTrail(): { a: Record<string, unknown>[]; b: Record<string, unknown>[] } {
  sequence = 0;
  const a = [
    runInstances('08:00:00', WEB_A),
    runInstances('08:01:00', APP_A),
    event(A.account, '09:00:00', CONTRACTOR, UNLISTED, 'AuthorizeSecurityGroupIngress', ingress(WEB_A.group!, '0.0.0.0/0'), { _return: true }),
  ];
  const b = [
    event(B.account, '09:30:00', ciRole(B.account), OFFICE, 'AuthorizeSecurityGroupIngress', ingress(API_B.group!, '10.1.0.0/16'), { _return: true }),
    ...['11:00:05', '11:01:30', '11:03:10', '11:04:40', '11:06:00'].map((time, i) =>
      event(B.account, time, STOLEN, ATTACKER, 'AuthorizeSecurityGroupIngress', ingress(TRIED_GROUPS[i]!, '0.0.0.0/0'), null, 'denied'),
    ),
    event(B.account, '15:30:00', STOLEN, ATTACKER, 'AuthorizeSecurityGroupIngress', ingress(TRIED_GROUPS[0], '0.0.0.0/0'), null, 'denied'),
  ];
  return { a, b };
}

const FIELDS =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id instance-id tcp-flags flow-direction';
type Line = [
  host: Host,
  time: string,
  src: string,
  dst: string,
  sport: number,
  dport: number,
  packets: number,
  bytes: number,
  action: 'ACCEPT' | 'REJECT',
  flags: number,
  direction: 'ingress' | 'egress',
];
const line = ([host, time, src, dst, sport, dport, packets, bytes, action, flags, direction]: Line) =>
  [
    '5',
    host.account,
    host.eni,
    src,
    dst,
    sport,
    dport,
    6,
    packets,
    bytes,
    epoch(time),
    epoch(time) + 55,
    action,
    'OK',
    host.vpc,
    host.instance,
    flags,
    direction,
  ].join(' ');
const probe = (host: Host, time: string, client: string, sport: number): Line[] => [[host, time, client, host.ip, sport, 8443, 1, 60, 'REJECT', 2, 'ingress']];
const served = (host: Host, time: string, client: string, sport: number, bytes: number): Line[] => [
  [host, time, client, host.ip, sport, 8443, 12, bytes, 'ACCEPT', 3, 'ingress'],
  [host, time, host.ip, client, 8443, sport, 10, bytes * 4, 'ACCEPT', 19, 'egress'],
];
const calls = (host: Host, time: string, server: string, sport: number, bytes: number): Line[] => [
  [host, time, host.ip, server, sport, 8443, 22, bytes, 'ACCEPT', 3, 'egress'],
  [host, time, server, host.ip, 8443, sport, 18, Math.round(bytes * 0.7), 'ACCEPT', 19, 'ingress'],
];

function flows(): { a: Line[]; b: Line[] } {
  const a = [
    ...probe(WEB_A, '08:30:00', SCANNER, 61001),
    ...served(WEB_A, '09:04:00', ATTACKER, 52010, 4800),
    ...calls(WEB_A, '09:20:00', C2, 41234, 3100),
    ...served(WEB_A, '10:15:00', SCANNER, 61002, 300),
    ...probe(DB_A, '10:30:00', SCANNER, 61003),
    ...calls(APP_A, '12:00:00', PARTNER, 43000, 2100),
  ];
  const b = [...probe(API_B, '08:45:00', SCANNER, 61004), ...probe(API_B, '10:45:00', SCANNER, 61005)];
  return { a, b };
}

const FEED = `# Threat feed of the multi-account scenario\n${ATTACKER}  # scanner and credential abuse\n${C2}  # command and control\n`;
const TRUSTED = `# Trusted networks of the multi-account scenario
version: 1
corporate:
  - name: head-office-egress
    cidrs: [203.0.113.0/25]
vpcs:
  - name: prod-vpc
    cidrs: [10.0.0.0/16]
  - name: staging-vpc
    cidrs: [10.1.0.0/16]
partners:
  - name: payments-partner
    cidrs: [203.0.113.128/25]
scanners:
  - name: internet-census-project
    cidrs: [192.0.2.10/32]
principals:
  - name: ci-pipeline
    arns: ["arn:aws:iam::${A.account}:role/ci-deployer", "arn:aws:iam::${B.account}:role/ci-deployer"]
`;

/** Writes the scenario under `dir`; returns the log folder, the feed and the trusted file. */
export function writeScenario(dir: string): { logs: string; feed: string; trusted: string } {
  const trail = cloudTrail();
  const flow = flows();
  const ymd = DAY.replace(/-/g, '/');
  const stamp = `${DAY.replace(/-/g, '')}T2355Z`;
  const files: Record<string, string> = {
    [`AWSLogs/${A.account}/CloudTrail/${REGION}/${ymd}/${A.account}_CloudTrail_${REGION}_${stamp}_prodtrail000001.json`]: JSON.stringify(
      { Records: trail.a },
      null,
      1,
    ),
    [`AWSLogs/${B.account}/CloudTrail/${REGION}/${ymd}/${B.account}_CloudTrail_${REGION}_${stamp}_stagingtrail0001.json`]: JSON.stringify(
      { Records: trail.b },
      null,
      1,
    ),
    [`AWSLogs/${A.account}/vpcflowlogs/${REGION}/${ymd}/${A.account}_vpcflowlogs_${REGION}_fl-0a000000000000001_${stamp}_prod0001.log`]:
      [FIELDS, ...flow.a.map(line)].join('\n') + '\n',
    [`AWSLogs/${B.account}/vpcflowlogs/${REGION}/${ymd}/${B.account}_vpcflowlogs_${REGION}_fl-0b000000000000001_${stamp}_stag0001.log`]:
      [FIELDS, ...flow.b.map(line)].join('\n') + '\n',
    'intel/threat-feed.txt': FEED,
    'trusted-networks.yaml': TRUSTED,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { logs: join(dir, 'AWSLogs'), feed: join(dir, 'intel', 'threat-feed.txt'), trusted: join(dir, 'trusted-networks.yaml') };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node --import tsx test/scenarios/multi-account/generate.ts <outDir>');
  writeScenario(out);
  console.log(`multi-account scenario written to ${out}`);
}

import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { caseFolderWriter } from './case-folder.js';

const DEFAULT_OUT = 'runbooks/port-exposure/tests';
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const DAY = '2024-06-03';
const NOW = '2024-06-04T00:00:00Z';
const VPC = 'vpc-0a1b2c3d4e5f67890';

// Who is who. The threat feed and the trusted file below say so; expected.yaml relies on it.
const ATTACKER = '198.51.100.23'; // on the threat feed
const C2 = '198.51.100.77'; // on the threat feed
const STRANGER = '198.51.100.140'; // public, on no list: suspicious (untrusted-public)
const OFFICE = '203.0.113.10'; // head office egress (trusted corporate)
const PARTNER = '203.0.113.140'; // payments partner (trusted partner network)
const RUNNER = '192.0.2.200'; // a hosted CI runner: public, on no list
const SCANNER = '192.0.2.10'; // internet census scanner (trusted scanner: known)
const PENTEST = '192.0.2.40'; // pentest vendor, window 2024-06-03 only (known inside it)
const UPTIME = '192.0.2.100'; // uptime monitor (trusted health check: known)
const LB_NODE = '10.0.2.17'; // load balancer node in the VPC (allowed)

/** A host with one interface; `account` and `vpc` default to ACCOUNT and VPC. */
interface Host {
  instance: string;
  eni: string;
  ip: string;
  account?: string;
  vpc?: string;
}
const WEB: Host = { instance: 'i-0a12b34c56d78e901', eni: 'eni-0f1e2d3c4b5a69788', ip: '10.0.1.25' };
const API: Host = { instance: 'i-0b23c45d67e89f012', eni: 'eni-0e2d3c4b5a6978899', ip: '10.0.3.40' };
/** A host of another account (cross-account cases): same region, its own VPC. */
const OTHER_ACCOUNT_HOST: Host = {
  instance: 'i-0c45d67e89f012a34',
  eni: 'eni-0d3c4b5a69788a7b6',
  ip: '10.1.2.50',
  account: '444455556666',
  vpc: 'vpc-0b1c2d3e4f5a67890',
};
const WEB_SG = 'sg-0a1b2c3d4e5f60718';
const FIVE_GROUPS = ['sg-0c1d2e3f4a5b60001', 'sg-0c1d2e3f4a5b60002', 'sg-0c1d2e3f4a5b60003', 'sg-0c1d2e3f4a5b60004', 'sg-0c1d2e3f4a5b60005'] as const;
const API_SG = 'sg-0e5f6a7b8c9d01234';
const LB_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/internal-api/50dc6c495c0c9188`;

const at = (hhmmss: string, day = DAY) => `${day}T${hhmmss}Z`;
// Report times: CloudTrail's eventTime as written, flow-record times with milliseconds.
const ctTime = (hhmmss: string) => `${DAY}T${hhmmss}Z`;
const flowTime = (hhmmss: string) => `${DAY}T${hhmmss}Z`;

const FEED = [
  '# Threat feed of the runbook test cases (plain list: one address or CIDR per line).',
  `${ATTACKER}  # scanner and credential abuse seen across customers`,
  `${C2}  # command and control`,
  '',
].join('\n');

const TRUSTED = [
  '# Trusted networks of the runbook test cases (examples/trusted-networks.yaml documents every field).',
  'version: 1',
  'corporate:',
  '  - name: head-office-egress',
  '    cidrs: [203.0.113.0/25]',
  'vpcs:',
  '  - name: production-vpc',
  '    cidrs: [10.0.0.0/16]',
  'partners:',
  '  - name: payments-partner',
  '    cidrs: [203.0.113.128/25]',
  '    note: webhook callbacks on 8443, contract 2024-31',
  'scanners:',
  '  - name: internet-census-project',
  '    cidrs: [192.0.2.10/32]',
  'pentests:',
  '  - name: redteam-june',
  '    cidrs: [192.0.2.32/28]',
  '    from: 2024-06-03T00:00:00Z',
  '    to: 2024-06-04T00:00:00Z',
  'healthChecks:',
  '  - name: uptime-monitor',
  '    cidrs: [192.0.2.96/28]',
  'principals:',
  '  - name: ci-pipeline',
  `    arns: ["arn:aws:iam::${ACCOUNT}:role/ci-deployer"]`,
  '  - name: cloudformation-deployments',
  `    arns: ["arn:aws:iam::${ACCOUNT}:role/cfn-exec-role"]`,
  '',
].join('\n');

type Identity = Record<string, unknown>;
const role = (name: string, session: string, key: string, created: string, extra: Record<string, unknown> = {}, mfa = false): Identity => ({
  type: 'AssumedRole',
  principalId: `AROAQEXAMPLE${key.slice(12)}:${session}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
  accountId: ACCOUNT,
  accessKeyId: key,
  ...extra,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: `AROAQEXAMPLE${key.slice(12)}`,
      arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      accountId: ACCOUNT,
      userName: name,
    },
    attributes: { creationDate: at(created), mfaAuthenticated: String(mfa) },
    ...(name === 'web-app-instance-role' ? { ec2RoleDelivery: '2.0' } : {}),
  },
});
const consoleUser = (mfa: boolean): Identity => ({
  type: 'IAMUser',
  principalId: 'AIDAQEXAMPLEDANA0001',
  arn: `arn:aws:iam::${ACCOUNT}:user/dana`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAQEXAMPLEDANACON1',
  userName: 'dana',
  sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: at('08:55:00'), mfaAuthenticated: String(mfa) } },
});
const id = {
  legacyDeploy: {
    type: 'IAMUser',
    principalId: 'AIDAQEXAMPLELEGACY01',
    arn: `arn:aws:iam::${ACCOUNT}:user/svc-legacy-deploy`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAQEXAMPLELEGACY01',
    userName: 'svc-legacy-deploy',
  },
  contractor: {
    type: 'IAMUser',
    principalId: 'AIDAQEXAMPLECONTRA1',
    arn: `arn:aws:iam::${ACCOUNT}:user/contractor-ops`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAQEXAMPLECONTRA1',
    userName: 'contractor-ops',
  },
  ciDeployer: role('ci-deployer', 'pipeline-4711', 'ASIAQEXAMPLECIDEPLOY', '08:00:00'),
  instanceRole: role('web-app-instance-role', WEB.instance, 'ASIAQEXAMPLEWEBAPP01', '06:00:00'),
  cloudFormation: role('cfn-exec-role', 'AWSCloudFormation', 'ASIAQEXAMPLECFNEXEC1', '13:59:00', { invokedBy: 'cloudformation.amazonaws.com' }),
  sandboxStack: role('team-sandbox-cfn', 'AWSCloudFormation', 'ASIAQEXAMPLESANDBOX1', '13:59:00', { invokedBy: 'cloudformation.amazonaws.com' }),
  danaNoMfa: consoleUser(false),
  danaMfa: consoleUser(true),
  responder: role('incident-responder', 'ir-on-call', 'ASIAQEXAMPLERESPOND1', '08:30:00', {}, true),
};
const ACL = 'acl-0c1d2e3f4a5b6c7d8';

const CLI = 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 cmd/ec2.authorize-security-group-ingress';
const BOTO = 'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.10.12 Botocore/1.34.69';
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36';

interface EventSpec {
  time: string;
  identity: Identity;
  name: string;
  ip: string;
  source?: string;
  agent?: string;
  request?: unknown;
  response?: unknown;
  error?: [code: string, message: string];
  console?: boolean;
  /** `eventTime` as an export writes it, when not CloudTrail's `…T…Z` (`time` stays the instant). */
  timeText?: string;
}

/** Event ids are `c4se…-<case number>-<sequence>`: readable in a diff, unique across cases. */
function eventIdFor(caseNo: number, seq: number): string {
  return `ca5e0000-0000-4000-8000-${String(caseNo).padStart(4, '0')}${String(seq).padStart(8, '0')}`;
}

function event(caseNo: number, seq: number, spec: EventSpec): Record<string, unknown> {
  const source = spec.source ?? 'ec2.amazonaws.com';
  const out: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: spec.identity,
    eventTime: spec.timeText ?? at(spec.time),
    eventSource: source,
    eventName: spec.name,
    awsRegion: REGION,
    sourceIPAddress: spec.ip,
    userAgent: spec.agent ?? CLI,
    requestParameters: spec.request ?? null,
    responseElements: spec.response ?? null,
    requestID: `${String(caseNo).padStart(4, '0')}${String(seq).padStart(4, '0')}-6a1e-4c2b-9f00-000000000000`,
    eventID: eventIdFor(caseNo, seq),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
  if (spec.console) out['sessionCredentialFromConsole'] = 'true';
  else
    out['tlsDetails'] = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${source.split('.')[0]}.${REGION}.amazonaws.com`,
    };
  if (spec.error) {
    out['errorCode'] = spec.error[0];
    out['errorMessage'] = spec.error[1];
  }
  return out;
}

const tcp = (from: number, to: number, cidr: string, description?: string) => ({
  ipProtocol: 'tcp',
  fromPort: from,
  toPort: to,
  ipRanges: { items: [description ? { cidrIp: cidr, description } : { cidrIp: cidr }] },
});
const authorize = (groupId: string, permission: Record<string, unknown>) => ({ groupId, ipPermissions: { items: [permission] } });
const ruleSet = (groupId: string, ruleId: string, p: { ipProtocol: string; fromPort: number; toPort: number }, cidr: string) => ({
  requestId: `${ruleId.slice(4, 12)}-0000-4000-8000-000000000000`,
  _return: true,
  securityGroupRuleSet: {
    items: [
      {
        groupOwnerId: ACCOUNT,
        groupId,
        securityGroupRuleId: ruleId,
        isEgress: false,
        ipProtocol: p.ipProtocol,
        fromPort: p.fromPort,
        toPort: p.toPort,
        cidrIpv4: cidr,
      },
    ],
  },
});
const denied = (identity: Identity): [string, string] => [
  'Client.UnauthorizedOperation',
  `You are not authorized to perform this operation. User: ${String(identity['arn'])} is not authorized to perform: ec2:AuthorizeSecurityGroupIngress`,
];

const SHORT_DENIAL: [string, string] = ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'];

/** An AuthorizeSecurityGroupIngress that succeeded, with the rule CloudTrail echoes back. */
function opens(
  time: string,
  identity: Identity,
  ip: string,
  groupId: string,
  from: number,
  to: number,
  cidr: string,
  more: Partial<EventSpec> = {},
): EventSpec {
  const ruleId = `sgr-0${groupId.slice(4, 10)}${time.replace(/:/g, '')}${from % 100}`.slice(0, 21).padEnd(21, '0');
  return {
    time,
    identity,
    ip,
    name: 'AuthorizeSecurityGroupIngress',
    request: authorize(groupId, tcp(from, to, cidr)),
    response: ruleSet(groupId, ruleId, { ipProtocol: 'tcp', fromPort: from, toPort: to }, cidr),
    ...more,
  };
}

/** `opens` for a UDP rule (the request only: CloudTrail echoes no rule set for it here). */
function udpOpens(time: string, identity: Identity, ip: string, groupId: string, port: number, cidr: string): EventSpec {
  const request = authorize(groupId, { ...tcp(port, port, cidr), ipProtocol: 'udp' });
  return { time, identity, ip, name: 'AuthorizeSecurityGroupIngress', request, response: { requestId: '0d1e2f30-0000-4000-8000-000000000001', _return: true } };
}

/** The RevokeSecurityGroupIngress that removes what `opens` added (same request shape). */
function revokes(
  time: string,
  identity: Identity,
  ip: string,
  groupId: string,
  from: number,
  to: number,
  cidr: string,
  more: Partial<EventSpec> = {},
): EventSpec {
  return {
    time,
    identity,
    ip,
    name: 'RevokeSecurityGroupIngress',
    request: authorize(groupId, tcp(from, to, cidr)),
    response: { requestId: '0d1e2f30-0000-4000-8000-000000000000', _return: true },
    ...more,
  };
}

/** CloudTrail Lake and Athena exports (and Panther's fixtures) write `2024-06-03 09:12:07.000`: UTC, no `T`, no zone. */
const lakeTime = (hhmmss: string) => ({ timeText: `${DAY} ${hhmmss}.000` });

/** CloudFormation creates the internal API's HTTPS listener on 8443. */
function listener(time: string, identity: Identity): EventSpec {
  return {
    time,
    identity,
    ip: 'cloudformation.amazonaws.com',
    agent: 'cloudformation.amazonaws.com',
    source: 'elasticloadbalancing.amazonaws.com',
    name: 'CreateListener',
    request: {
      loadBalancerArn: LB_ARN,
      protocol: 'HTTPS',
      port: 8443,
      certificates: [{ certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/3c3b0f9e-0000-4000-8000-000000000001` }],
      defaultActions: [{ type: 'forward', targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/internal-api/73e2d6bc24d8a067` }],
    },
    response: { listeners: [{ listenerArn: `${LB_ARN.replace(':loadbalancer/', ':listener/')}/f2f7dc8efc522ab2`, port: 8443, protocol: 'HTTPS' }] },
  };
}

/** An egress rule on the web group (no rule set echoed back: direction comes from the event name). */
function egress(time: string, identity: Identity, ip: string, permission: Record<string, unknown>): EventSpec {
  return { time, identity, ip, name: 'AuthorizeSecurityGroupEgress', request: authorize(WEB_SG, permission), response: { _return: true } };
}
const DEFAULT_EGRESS = { ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] }, ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] } };

/** An inbound entry of the web subnet's network ACL; `ports` null = all traffic (protocol -1). */
function aclEntry(time: string, identity: Identity, ip: string, ruleNumber: number, ruleAction: 'allow' | 'deny', ports: [number, number] | null): EventSpec {
  return {
    time,
    identity,
    ip,
    name: 'CreateNetworkAclEntry',
    request: {
      networkAclId: ACL,
      ruleNumber,
      egress: false,
      ruleAction,
      icmpTypeCode: {},
      aclProtocol: ports ? '6' : '-1',
      ...(ports ? { portRange: { from: ports[0], to: ports[1] } } : {}),
      cidrBlock: '0.0.0.0/0',
    },
    response: { requestId: `acl${ruleNumber}-0000-4000-8000-000000000000`, _return: true },
  };
}

// VPC Flow Logs, custom format (version 5 fields, with flow-direction and tcp-flags), or the default format.
const V5_FIELDS =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id instance-id tcp-flags flow-direction';
const V2_FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
interface Flow {
  t: string;
  day?: string;
  host: Host;
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

/** A client connection to a local port: the request record and the reply leaving the host. */
function inbound(t: string, host: Host, client: string, sport: number, port: number, bytes: number, day?: string): Flow[] {
  return [
    { t, day, host, src: client, dst: host.ip, sport, dport: port, packets: 12, bytes, action: 'ACCEPT', flags: 3, direction: 'ingress' },
    { t, day, host, src: host.ip, dst: client, sport: port, dport: sport, packets: 10, bytes: bytes * 4, action: 'ACCEPT', flags: 19, direction: 'egress' },
  ];
}
/** A connection the host initiates to a remote port, and the reply coming back. */
function outbound(t: string, host: Host, server: string, sport: number, port: number, bytes: number): Flow[] {
  return [
    { t, host, src: host.ip, dst: server, sport, dport: port, packets: 22, bytes, action: 'ACCEPT', flags: 3, direction: 'egress' },
    {
      t,
      host,
      src: server,
      dst: host.ip,
      sport: port,
      dport: sport,
      packets: 18,
      bytes: Math.round(bytes * 0.7),
      action: 'ACCEPT',
      flags: 19,
      direction: 'ingress',
    },
  ];
}
const probe = (t: string, host: Host, client: string, sport: number, port = 8443): Flow => ({
  t,
  host,
  src: client,
  dst: host.ip,
  sport,
  dport: port,
  packets: 1,
  bytes: 60,
  action: 'REJECT',
  flags: 2,
  direction: 'ingress',
});

function flowLog(flows: readonly Flow[], format: 'v5' | 'v2'): string {
  const lines = flows.map((f) => {
    const start = Date.parse(at(f.t, f.day)) / 1000;
    const base = ['2', f.host.account ?? ACCOUNT, f.host.eni, f.src, f.dst, f.sport, f.dport, 6, f.packets, f.bytes, start, start + 55, f.action, 'OK'];
    return (format === 'v5' ? ['5', ...base.slice(1), f.host.vpc ?? VPC, f.host.instance, f.flags, f.direction] : base).join(' ');
  });
  return [format === 'v5' ? V5_FIELDS : V2_FIELDS, ...lines].join('\n') + '\n';
}

interface CaseSpec {
  name: string;
  /** One sentence: the incident and why the outcome is right (expected.yaml `description`). */
  description: string;
  events?: (caseNo: number) => EventSpec[];
  flows?: Flow[];
  flowFormat?: 'v5' | 'v2';
  parameters?: Record<string, unknown>;
  /** expected.yaml without description and now; `{{id N}}` is not needed: event ids come from eventIdFor. */
  expected: (ids: (seq: number) => string) => Record<string, unknown>;
}

const leaf = (action: string, name: string) => ({ action, leaf: name });
const src = (ip: string, verdict: string, role: string) => ({ ip, verdict, role });

// The cases. Each comment names the leaf and the near miss it is paired with.
const CASES: CaseSpec[] = [
  // isolate ← suspicious caller. Near miss: ticket-approved-ci-internet (same rule, approved CI from the office).
  {
    name: 'isolate-internet-rule-by-suspicious-caller',
    description:
      'A long-term key used from a threat-feed address opens tcp/8000-9000 (which includes 8443) to 0.0.0.0/0: isolate, even before anyone connects.',
    events: () => [opens('09:12:07', id.legacyDeploy, ATTACKER, WEB_SG, 8000, 9000, '0.0.0.0/0', { agent: BOTO })],
    expected: (ids) => ({
      action: 'isolate',
      answers: { firstSeen: ctTime('09:12:07'), direction: 'inbound', eventSources: ['ec2.amazonaws.com'] },
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          direction: 'inbound',
          credentials: { identityType: 'IAMUser', accessKeyId: 'AKIAQEXAMPLELEGACY01', keyKind: 'long-term', via: 'api' },
          sources: [src(ATTACKER, 'suspicious', 'api-caller')],
          flows: { connections: 0 },
          decision: leaf('isolate', 'isolate'),
        },
      ],
    }),
  },
  {
    name: 'ticket-approved-ci-internet',
    description:
      'The same 0.0.0.0/0 rule on 8443, made by the approved CI role from head office, and nobody connects: an approved change to review, not an incident (ticket).',
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    expected: () => ({
      action: 'ticket',
      findings: [
        {
          kind: 'exposure',
          credentials: { keyKind: 'session', via: 'api' },
          sources: [src(OFFICE, 'allowed', 'api-caller')],
          decision: leaf('ticket', 'ticket'),
        },
      ],
    }),
  },
  // isolate ← an approved change, then an attacker comes through. Near miss: ticket-internet-rule-health-checks-only.
  {
    name: 'isolate-attacker-came-through',
    description:
      'The approved CI role opens 8443 to 0.0.0.0/0 from head office; minutes later a threat-feed address connects three times and is accepted: isolate, whoever made the change.',
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [
      ...inbound('09:20:00', WEB, ATTACKER, 52010, 8443, 4800),
      ...inbound('09:25:00', WEB, ATTACKER, 52011, 8443, 5100),
      ...inbound('09:30:00', WEB, ATTACKER, 52012, 8443, 4900),
    ],
    expected: (ids) => ({
      action: 'isolate',
      answers: { firstSeen: ctTime('09:12:07'), direction: 'inbound' },
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          direction: 'inbound',
          sources: [src(OFFICE, 'allowed', 'api-caller'), src(ATTACKER, 'suspicious', 'connection-peer')],
          flows: { connections: 3, acceptedConnections: 3, externalPeers: 1 },
          decision: leaf('isolate', 'isolate'),
        },
      ],
    }),
  },
  {
    name: 'ticket-internet-rule-health-checks-only',
    description:
      'The same approved 0.0.0.0/0 rule, but the only accepted connections come from the uptime monitor the trusted file names: a reviewed change, not an intrusion (ticket, not isolate).',
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [...inbound('09:20:00', WEB, UPTIME, 40100, 8443, 700), ...inbound('09:25:00', WEB, UPTIME, 40101, 8443, 700)],
    expected: () => ({
      action: 'ticket',
      findings: [
        {
          kind: 'exposure',
          sources: [src(OFFICE, 'allowed', 'api-caller'), src(UPTIME, 'known', 'connection-peer')],
          flows: { connections: 2, acceptedConnections: 2 },
          decision: leaf('ticket', 'ticket'),
        },
      ],
    }),
  },
  // escalate-outbound. Near miss: false-positive-traffic-outbound-partner.
  {
    name: 'escalate-outbound-to-c2',
    description:
      'The web host opens a connection to a threat-feed address on its port 8443 (command and control), with no rule change in CloudTrail: escalate.',
    flows: outbound('09:41:00', WEB, C2, 41234, 8443, 3100),
    expected: () => ({
      action: 'escalate',
      answers: { firstSeen: flowTime('09:41:00'), direction: 'outbound', eventSources: [], credentials: [] },
      findings: [
        {
          kind: 'traffic',
          direction: 'outbound',
          eventIds: [],
          credentials: null,
          sources: [src(C2, 'suspicious', 'connection-peer')],
          flows: { connections: 1, acceptedConnections: 1 },
          decision: leaf('escalate', 'escalate-outbound'),
        },
      ],
    }),
  },
  {
    name: 'false-positive-traffic-outbound-partner',
    description:
      "The web host calls the payments partner's webhook endpoint on 8443, a network the trusted file lists: outbound traffic with a known party only (false positive).",
    flows: outbound('09:41:00', WEB, PARTNER, 41234, 8443, 3100),
    expected: () => ({
      action: 'false-positive',
      findings: [
        {
          kind: 'traffic',
          direction: 'outbound',
          sources: [src(PARTNER, 'allowed', 'connection-peer')],
          decision: leaf('false-positive', 'false-positive-traffic'),
        },
      ],
    }),
  },
  // escalate-identity ← instance credentials used outside. Near miss: ticket-instance-role-from-its-host.
  {
    name: 'escalate-identity-instance-credentials-outside',
    description:
      "The web host's instance-role session, used from an address on no list, opens 8443 to that same address: the instance's credentials were taken off the host (escalate the identity).",
    events: () => [opens('11:02:10', id.instanceRole, STRANGER, WEB_SG, 8443, 8443, `${STRANGER}/32`, { agent: BOTO })],
    expected: () => ({
      action: 'escalate',
      findings: [
        {
          kind: 'exposure',
          credentials: { identityType: 'AssumedRole', keyKind: 'session', issuer: `arn:aws:iam::${ACCOUNT}:role/web-app-instance-role` },
          sources: [src(STRANGER, 'suspicious', 'api-caller')],
          decision: leaf('escalate', 'escalate-identity'),
        },
      ],
    }),
  },
  {
    name: 'ticket-instance-role-from-its-host',
    description:
      "The same instance-role call made from the instance's own address in the VPC (an agent managing its group): the credentials are where they belong and the rule admits the VPC only (ticket).",
    events: () => [opens('11:02:10', id.instanceRole, WEB.ip, WEB_SG, 8443, 8443, '10.0.0.0/16', { agent: BOTO })],
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'exposure', sources: [src(WEB.ip, 'allowed', 'api-caller')], decision: leaf('ticket', 'ticket') }],
    }),
  },
  // escalate-identity ← failed attempts from a suspicious address. Near miss: ticket-ci-attempts-denied.
  {
    name: 'escalate-identity-failed-attempts',
    description:
      'A long-term key, used from a threat-feed address, tries three times to open 8443 to 0.0.0.0/0 and is denied each time: one attempt finding, the key behaves like a stolen one (escalate).',
    events: () =>
      ['11:02:10', '11:02:41', '11:03:15'].map((time) => ({
        time,
        identity: id.legacyDeploy,
        ip: ATTACKER,
        agent: BOTO,
        name: 'AuthorizeSecurityGroupIngress',
        request: authorize(API_SG, tcp(8443, 8443, '0.0.0.0/0')),
        error: denied(id.legacyDeploy),
      })),
    expected: (ids) => ({
      action: 'escalate',
      answers: { firstSeen: ctTime('11:02:10'), direction: 'inbound' },
      findings: [
        {
          kind: 'attempt',
          eventIds: [ids(1), ids(2), ids(3)],
          firstSeen: ctTime('11:02:10'),
          lastSeen: ctTime('11:03:15'),
          credentials: { accessKeyId: 'AKIAQEXAMPLELEGACY01', keyKind: 'long-term' },
          sources: [src(ATTACKER, 'suspicious', 'api-caller')],
          decision: leaf('escalate', 'escalate-identity'),
        },
      ],
    }),
  },
  {
    name: 'ticket-ci-attempts-denied',
    description:
      'The same three denied attempts made by the approved CI role from head office (a pipeline missing a permission): nothing opened, a known principal from a known place (ticket).',
    events: () =>
      ['11:02:10', '11:02:41', '11:03:15'].map((time) => ({
        time,
        identity: id.ciDeployer,
        ip: OFFICE,
        name: 'AuthorizeSecurityGroupIngress',
        request: authorize(API_SG, tcp(8443, 8443, '0.0.0.0/0')),
        error: denied(id.ciDeployer),
      })),
    expected: (ids) => ({
      action: 'ticket',
      findings: [{ kind: 'attempt', eventIds: [ids(1), ids(2), ids(3)], sources: [src(OFFICE, 'allowed', 'api-caller')], decision: leaf('ticket', 'ticket') }],
    }),
  },
  // escalate-identity ← console without MFA from a suspicious address. Near miss: escalate-unexplained-console-with-mfa.
  {
    name: 'escalate-identity-console-without-mfa',
    description:
      'A console session without MFA, from an address on no list, opens 8443 to that address only: a phished password looks like this (escalate the identity).',
    events: () => [opens('09:05:30', id.danaNoMfa, STRANGER, WEB_SG, 8443, 8443, `${STRANGER}/32`, { agent: BROWSER, console: true })],
    expected: () => ({
      action: 'escalate',
      findings: [
        {
          kind: 'exposure',
          credentials: { arn: `arn:aws:iam::${ACCOUNT}:user/dana`, mfa: false, via: 'console' },
          sources: [src(STRANGER, 'suspicious', 'api-caller')],
          decision: leaf('escalate', 'escalate-identity'),
        },
      ],
    }),
  },
  {
    name: 'escalate-unexplained-console-with-mfa',
    description:
      'The same console change with MFA: the identity is probably its owner, but nothing on file explains opening 8443 to an outside address (escalate as unexplained, not as a compromised identity).',
    events: () => [opens('09:05:30', id.danaMfa, STRANGER, WEB_SG, 8443, 8443, `${STRANGER}/32`, { agent: BROWSER, console: true })],
    expected: () => ({
      action: 'escalate',
      findings: [{ kind: 'exposure', credentials: { mfa: true, via: 'console' }, decision: leaf('escalate', 'escalate-unexplained') }],
    }),
  },
  // false-positive-service. Near miss: ticket-listener-unapproved-stack-role.
  {
    name: 'false-positive-service-cloudformation-listener',
    description:
      'CloudFormation, through the approved cfn-exec-role, creates the internal HTTPS listener on 8443; only the load balancer node connects and the census scanner is bounced (false positive).',
    events: () => [listener('14:00:12', id.cloudFormation)],
    flows: [
      ...inbound('14:05:00', API, LB_NODE, 40000, 8443, 720),
      ...inbound('14:10:00', API, LB_NODE, 40001, 8443, 720),
      probe('15:02:00', API, SCANNER, 61000),
    ],
    expected: () => ({
      action: 'false-positive',
      answers: { eventSources: ['elasticloadbalancing.amazonaws.com'] },
      findings: [
        {
          kind: 'exposure',
          eventSources: ['elasticloadbalancing.amazonaws.com'],
          credentials: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cfn-exec-role/AWSCloudFormation`, via: 'service' },
          sources: [
            src('cloudformation.amazonaws.com', 'known', 'api-caller'),
            src(LB_NODE, 'allowed', 'connection-peer'),
            src(SCANNER, 'known', 'connection-peer'),
          ],
          flows: { connections: 3, acceptedConnections: 2 },
          decision: leaf('false-positive', 'false-positive-service'),
        },
      ],
    }),
  },
  {
    name: 'ticket-listener-unapproved-stack-role',
    description:
      'The same listener and traffic, but the stack ran with a role the trusted file does not approve: internal only and known parties, so a ticket to check the stack rather than a false positive.',
    events: () => [listener('14:00:12', id.sandboxStack)],
    flows: [
      ...inbound('14:05:00', API, LB_NODE, 40000, 8443, 720),
      ...inbound('14:10:00', API, LB_NODE, 40001, 8443, 720),
      probe('15:02:00', API, SCANNER, 61000),
    ],
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'exposure', credentials: { via: 'service' }, decision: leaf('ticket', 'ticket') }],
    }),
  },
  // false-positive-traffic. Near miss: escalate-unexplained-pentest-after-window.
  {
    name: 'false-positive-traffic-pentest-in-window',
    description:
      'The pentest vendor connects to 8443 on the web host inside its announced window, with no rule change in CloudTrail (default flow-log format: direction from the VPC CIDR): false positive.',
    flows: inbound('10:15:00', WEB, PENTEST, 50500, 8443, 900),
    flowFormat: 'v2',
    expected: () => ({
      action: 'false-positive',
      findings: [
        {
          kind: 'traffic',
          direction: 'inbound',
          sources: [src(PENTEST, 'known', 'connection-peer')],
          flows: { acceptedConnections: 1 },
          decision: leaf('false-positive', 'false-positive-traffic'),
        },
      ],
    }),
  },
  {
    name: 'escalate-unexplained-pentest-after-window',
    description:
      'The same vendor address connects the day after its window closed: outside the window it is just an outside address, and CloudTrail shows no change that let it in (escalate as unexplained).',
    flows: inbound('10:15:00', WEB, PENTEST, 50500, 8443, 900, '2024-06-04'),
    flowFormat: 'v2',
    parameters: { to: '2024-06-05T00:00:00Z' },
    expected: () => ({
      action: 'escalate',
      findings: [
        {
          kind: 'traffic',
          direction: 'inbound',
          sources: [src(PENTEST, 'suspicious', 'connection-peer')],
          decision: leaf('escalate', 'escalate-unexplained-traffic'),
        },
      ],
    }),
  },
  // ticket ← approved principal from anywhere. Near miss: escalate-unexplained-vpc-rule-by-unlisted-user.
  {
    name: 'ticket-ci-from-hosted-runner',
    description:
      'The approved CI role, from a hosted runner address on no list (runners change addresses), opens 8443 to the VPC CIDR only: the trusted file approves this principal from anywhere (ticket).',
    events: () => [opens('13:20:05', id.ciDeployer, RUNNER, API_SG, 8443, 8443, '10.0.0.0/16')],
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'exposure', sources: [src(RUNNER, 'allowed', 'api-caller')], decision: leaf('ticket', 'ticket') }],
    }),
  },
  {
    name: 'escalate-unexplained-vpc-rule-by-unlisted-user',
    description:
      'The same VPC-only rule made by a contractor key nobody approved, from an address on no list: nothing explains the change (escalate as unexplained).',
    events: () => [opens('13:20:05', id.contractor, RUNNER, API_SG, 8443, 8443, '10.0.0.0/16')],
    expected: () => ({
      action: 'escalate',
      findings: [
        {
          kind: 'exposure',
          credentials: { keyKind: 'long-term' },
          sources: [src(RUNNER, 'suspicious', 'api-caller')],
          decision: leaf('escalate', 'escalate-unexplained'),
        },
      ],
    }),
  },
  // No finding: every near miss of the port itself.
  {
    name: 'no-finding-other-ports',
    description:
      'A threat-feed caller opens 18443, 8444-9000 and 443 (described as "replaces the old 8443 rule") to 0.0.0.0/0, and traffic hits 443 and 18443: none of it touches 8443, so there is no finding.',
    events: () => [
      opens('12:10:00', id.legacyDeploy, ATTACKER, WEB_SG, 18443, 18443, '0.0.0.0/0'),
      opens('12:11:00', id.legacyDeploy, ATTACKER, WEB_SG, 8444, 9000, '0.0.0.0/0'),
      {
        ...opens('12:12:00', id.legacyDeploy, ATTACKER, WEB_SG, 443, 443, '0.0.0.0/0'),
        request: authorize(WEB_SG, tcp(443, 443, '0.0.0.0/0', 'replaces the old 8443 rule')),
      },
    ],
    flows: [...inbound('12:30:00', WEB, ATTACKER, 49152, 443, 2000), probe('12:31:00', WEB, ATTACKER, 49153, 18443)],
    parameters: { port: 8443 },
    expected: () => ({
      answers: { firstSeen: null, direction: 'none', eventSources: [], credentials: [], sources: [] },
      findings: [],
    }),
  },
  // Direction is part of exposure (issue: egress rules were reported "opened to the internet").
  // ticket-outbound ← an egress rule on 8443. Near miss: the same rule from a threat-feed address.
  {
    name: 'ticket-outbound-egress-rule',
    description:
      'A contractor key on no list adds an egress rule tcp/8443 to 0.0.0.0/0: the web host may now call out on 8443, nothing inbound is exposed (ticket to justify or narrow, never isolate).',
    events: () => [egress('09:10:00', id.contractor, STRANGER, tcp(8443, 8443, '0.0.0.0/0'))],
    expected: () => ({
      action: 'ticket',
      answers: { direction: 'outbound' },
      findings: [
        { kind: 'exposure', direction: 'outbound', sources: [src(STRANGER, 'suspicious', 'api-caller')], decision: leaf('ticket', 'ticket-outbound') },
      ],
    }),
  },
  {
    name: 'escalate-identity-egress-rule-from-feed',
    description:
      'The same egress rule, made with the legacy key from a threat-feed address: the key is in hostile hands (escalate the identity), but an outbound path alone is still no reason to isolate.',
    events: () => [egress('09:10:00', id.legacyDeploy, ATTACKER, tcp(8443, 8443, '0.0.0.0/0'))],
    expected: () => ({
      action: 'escalate',
      findings: [
        { kind: 'exposure', direction: 'outbound', sources: [src(ATTACKER, 'suspicious', 'api-caller')], decision: leaf('escalate', 'escalate-identity') },
      ],
    }),
  },
  // false-positive-default-egress ← the default egress rule added back. Near miss: all TCP ports out.
  {
    name: 'false-positive-default-egress',
    description:
      'A contractor key on no list adds back the default egress rule (all traffic to 0.0.0.0/0 and ::/0), as Terraform does after creating a group: every group has it, nothing inbound changed (false positive).',
    events: () => [egress('09:10:00', id.contractor, STRANGER, DEFAULT_EGRESS)],
    expected: () => ({
      action: 'false-positive',
      findings: [{ kind: 'exposure', direction: 'outbound', decision: leaf('false-positive', 'false-positive-default-egress') }],
    }),
  },
  {
    name: 'ticket-outbound-all-tcp-egress',
    description:
      'The same key adds an egress rule for every TCP port to 0.0.0.0/0: not the default rule (one protocol, written on purpose), an outbound path to justify (ticket).',
    events: () => [egress('09:10:00', id.contractor, STRANGER, tcp(0, 65535, '0.0.0.0/0'))],
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'exposure', direction: 'outbound', decision: leaf('ticket', 'ticket-outbound') }],
    }),
  },
  // Network ACLs are evaluated in rule-number order, first match wins.
  // isolate ← allow as 100, the responder's deny as 200 never applies. Near miss: the deny as 50.
  {
    name: 'isolate-acl-allow-before-deny',
    description:
      'The CI role allows tcp/8443 from 0.0.0.0/0 as rule 100 of the web subnet ACL; the responder adds a deny for the same as rule 200, which never applies (100 matches first); a threat-feed address then connects and is accepted: isolate.',
    events: () => [
      aclEntry('09:00:00', id.ciDeployer, OFFICE, 100, 'allow', [8443, 8443]),
      aclEntry('09:30:00', id.responder, OFFICE, 200, 'deny', [8443, 8443]),
    ],
    flows: inbound('09:45:00', WEB, ATTACKER, 51000, 8443, 3000),
    expected: (ids) => ({
      action: 'isolate',
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1), ids(2)],
          flows: { acceptedConnections: 1 },
          sources: [src(OFFICE, 'allowed', 'api-caller'), src(ATTACKER, 'suspicious', 'connection-peer')],
          decision: leaf('isolate', 'isolate'),
        },
      ],
    }),
  },
  {
    name: 'false-positive-acl-deny-before-allow',
    description:
      "The same, but the responder's deny is rule 50: it is evaluated first and closes 8443; the threat-feed address is rejected afterwards. The opening is a ticket for the CI change; the bounced probe is a false positive.",
    events: () => [
      aclEntry('09:00:00', id.ciDeployer, OFFICE, 100, 'allow', [8443, 8443]),
      aclEntry('09:30:00', id.responder, OFFICE, 50, 'deny', [8443, 8443]),
    ],
    flows: [probe('09:45:00', WEB, ATTACKER, 51000)],
    expected: () => ({
      action: 'ticket',
      findings: [
        { kind: 'exposure', flows: { connections: 0 }, decision: leaf('ticket', 'ticket') },
        { kind: 'traffic', direction: 'inbound', flows: { acceptedConnections: 0 }, decision: leaf('false-positive', 'false-positive-rejected') },
      ],
    }),
  },
  // escalate-identity ← an allow-all entry shadowed for 8443 by an older deny 50. Near miss: the deny is for 22 only.
  {
    name: 'escalate-identity-acl-allow-shadowed',
    description:
      'The responder denied tcp/8443 from 0.0.0.0/0 as rule 50 in the morning; later the legacy key, from a threat-feed address, allows all traffic from 0.0.0.0/0 as rule 100. Rule 50 still decides 8443, so nothing is exposed on it: escalate the key, do not isolate.',
    events: () => [aclEntry('08:00:00', id.responder, OFFICE, 50, 'deny', [8443, 8443]), aclEntry('09:00:00', id.legacyDeploy, ATTACKER, 100, 'allow', null)],
    expected: () => ({
      action: 'escalate',
      findings: [{ kind: 'exposure', decision: leaf('escalate', 'escalate-identity') }],
    }),
  },
  {
    name: 'isolate-acl-allow-not-shadowed',
    description:
      'The same allow-all entry by the same key, but the morning deny was for port 22 only: rule 100 decides 8443 and admits the internet, opened by a threat-feed caller (isolate).',
    events: () => [aclEntry('08:00:00', id.responder, OFFICE, 50, 'deny', [22, 22]), aclEntry('09:00:00', id.legacyDeploy, ATTACKER, 100, 'allow', null)],
    expected: () => ({
      action: 'isolate',
      findings: [{ kind: 'exposure', decision: leaf('isolate', 'isolate') }],
    }),
  },
  // Isolation needs evidence: a known person with MFA from a trusted network is hygiene.
  // ticket ← console with MFA from head office. Near miss: the same without MFA.
  {
    name: 'ticket-console-mfa-from-office',
    description:
      'Dana, in the console with MFA, from head office, opens 8443 to 0.0.0.0/0 and nobody connects: a known person from a trusted place, a change to close or justify (ticket, not escalate).',
    events: () => [opens('09:05:30', id.danaMfa, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0', { agent: BROWSER, console: true })],
    expected: () => ({
      action: 'ticket',
      findings: [
        { kind: 'exposure', credentials: { mfa: true, via: 'console' }, sources: [src(OFFICE, 'allowed', 'api-caller')], decision: leaf('ticket', 'ticket') },
      ],
    }),
  },
  {
    name: 'escalate-unexplained-console-no-mfa-from-office',
    description:
      'The same change from head office by a console session without MFA: the address is trusted but the person is not proven (escalate as unexplained; not an identity compromise, the address is ours).',
    events: () => [opens('09:05:30', id.danaNoMfa, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0', { agent: BROWSER, console: true })],
    expected: () => ({
      action: 'escalate',
      findings: [{ kind: 'exposure', credentials: { mfa: false, via: 'console' }, decision: leaf('escalate', 'escalate-unexplained') }],
    }),
  },
  // false-positive-rejected ← a threat-feed address bounced, no exposure. Near miss: escalate-unexplained-pentest-after-window (accepted).
  {
    name: 'false-positive-rejected-probes',
    description:
      'A threat-feed address sends three SYNs to 8443 on the web host and every one is rejected, with no rule change: the port is closed to it (false positive; the probes stay as evidence).',
    flows: [probe('10:00:00', WEB, ATTACKER, 40001), probe('10:00:05', WEB, ATTACKER, 40002), probe('10:00:10', WEB, ATTACKER, 40003)],
    expected: () => ({
      action: 'false-positive',
      findings: [{ kind: 'traffic', direction: 'inbound', flows: { acceptedConnections: 0 }, decision: leaf('false-positive', 'false-positive-rejected') }],
    }),
  },

  // ---- Topology before attribution, one incident one finding (issue 11, items 4-5) ----
  // Cross-account. Near miss: isolate-same-account-attacker-credited (the same flows in the rule's account).
  {
    name: 'ticket-rule-not-credited-with-other-account',
    description:
      "The approved CI role opens 8443 to 0.0.0.0/0 in account 111122223333; the attacker's accepted connections and the census scanner's probe land on a host of account 444455556666: another account's traffic is not this rule's (ticket for the rule, the other account's traffic its own finding).",
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [probe('09:15:00', OTHER_ACCOUNT_HOST, SCANNER, 61000), ...inbound('09:20:00', OTHER_ACCOUNT_HOST, ATTACKER, 52010, 8443, 4800)],
    expected: (ids) => ({
      action: 'escalate',
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          flows: { connections: 0 },
          sources: [src(OFFICE, 'allowed', 'api-caller')],
          decision: leaf('ticket', 'ticket'),
        },
        {
          kind: 'traffic',
          direction: 'inbound',
          eventIds: [],
          flows: { connections: 2, acceptedConnections: 1 },
          sources: [src(SCANNER, 'known', 'connection-peer'), src(ATTACKER, 'suspicious', 'connection-peer')],
          decision: leaf('escalate', 'escalate-unexplained-traffic'),
        },
      ],
    }),
  },
  {
    name: 'isolate-same-account-attacker-credited',
    description:
      "The same rule and the same connections on a host of the rule's own account, whose groups CloudTrail does not show: the accepted attacker connection credits the rule by inference, with its reason (isolate).",
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [probe('09:11:00', API, SCANNER, 61000), ...inbound('09:20:00', API, ATTACKER, 52010, 8443, 4800)],
    expected: (ids) => ({
      action: 'isolate',
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          firstSeen: flowTime('09:11:00'),
          flows: { connections: 2, acceptedConnections: 1 },
          sources: [src(OFFICE, 'allowed', 'api-caller'), src(SCANNER, 'known', 'connection-peer'), src(ATTACKER, 'suspicious', 'connection-peer')],
          evidence: [
            {
              source_ref: `flow:${API.eni}|6|${SCANNER}|61000|${API.ip}|8443`,
              detail: `${SCANNER}:61000 → ${API.ip}:8443 syn-only, 1 packets, 60 bytes; inference: same interface and direction as connections credited to ${WEB_SG} (first accepted inbound 8443 on ${API.eni} 8 min after the rule opened; membership of ${WEB_SG} unknown)`,
            },
            { source_ref: ids(1) },
            {
              source_ref: `flow:${API.eni}|6|${ATTACKER}|52010|${API.ip}|8443`,
              detail: `${ATTACKER}:52010 → ${API.ip}:8443 handshake, 22 packets, 24000 bytes; inference: first accepted inbound 8443 on ${API.eni} 8 min after the rule opened; membership of ${WEB_SG} unknown`,
            },
          ],
          decision: leaf('isolate', 'isolate'),
        },
      ],
    }),
  },
  // A REJECT that contradicts a rule. Near miss: ticket-reject-outside-rule (the REJECT is of a peer the rule never admitted).
  {
    name: 'ticket-reject-contradicts-rule',
    description:
      "The approved CI role opens 8443 to 0.0.0.0/0 on the web group; afterwards the attacker is rejected on 8443 at the API host. A rule admitting everyone cannot front a host that rejects: the rule's finding says so and the probe stays its own finding (ticket for the rule).",
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [probe('09:20:00', API, ATTACKER, 52010), ...inbound('09:25:00', API, OFFICE, 50100, 8443, 900)],
    expected: (ids) => ({
      action: 'escalate',
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          flows: { connections: 0 },
          evidence: [
            {
              source_ref: ids(1),
              detail: `tcp port 8443 from 0.0.0.0/0; not credited with ${API.eni}: a REJECT of ${ATTACKER} on 8443 at 2024-06-03T09:20:00Z although ${WEB_SG} admits 0.0.0.0/0 (event ${ids(1)}): the rule does not front ${API.eni}, or a network ACL blocks it`,
            },
          ],
          decision: leaf('ticket', 'ticket'),
        },
        {
          kind: 'traffic',
          direction: 'inbound',
          flows: { connections: 2, acceptedConnections: 1 },
          sources: [src(ATTACKER, 'suspicious', 'connection-peer'), src(OFFICE, 'allowed', 'connection-peer')],
          decision: leaf('escalate', 'escalate-unexplained-traffic'),
        },
      ],
    }),
  },
  {
    name: 'ticket-reject-outside-rule',
    description:
      "The CI role opens 8443 to head office's network only; the attacker, outside it, is rejected at the API host and head office is accepted: the REJECT is the rule doing its job, so the host's connections are credited to the rule by inference; the approved pipeline from head office limited the path and the suspicious peer was bounced (ticket, no evidence of hostility got in).",
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '203.0.113.0/25')],
    flows: [probe('09:20:00', API, ATTACKER, 52010), ...inbound('09:25:00', API, OFFICE, 50100, 8443, 900)],
    expected: (ids) => ({
      action: 'ticket',
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          flows: { connections: 2, acceptedConnections: 1 },
          sources: [src(OFFICE, 'allowed', 'api-caller'), src(ATTACKER, 'suspicious', 'connection-peer'), src(OFFICE, 'allowed', 'connection-peer')],
          decision: leaf('ticket', 'ticket'),
        },
      ],
    }),
  },
  // One principal's failed attempts in one burst are one finding. Near miss: escalate-identity-attempts-two-bursts.
  {
    name: 'escalate-identity-attempts-five-groups-one-finding',
    description:
      'A long-term key, used from a threat-feed address, tries to open 8443 on five different groups within four minutes and is denied each time: one incident, one attempt finding listing the five groups (escalate the identity).',
    // The short form of EC2's denial and of the SDK's user agent keep five events a readable fixture.
    events: () =>
      FIVE_GROUPS.map((group, i) => ({
        time: `11:0${i}:10`,
        identity: id.legacyDeploy,
        ip: ATTACKER,
        agent: 'Boto3/1.34.69',
        name: 'AuthorizeSecurityGroupIngress',
        request: authorize(group, tcp(8443, 8443, '0.0.0.0/0')),
        error: SHORT_DENIAL,
      })),
    expected: (ids) => ({
      action: 'escalate',
      findings: [
        {
          kind: 'attempt',
          eventIds: [1, 2, 3, 4, 5].map(ids),
          firstSeen: ctTime('11:00:10'),
          lastSeen: ctTime('11:04:10'),
          title: `5 failed attempts to open port 8443 on ${[...FIVE_GROUPS].sort().join(', ')} by arn:aws:iam::${ACCOUNT}:user/svc-legacy-deploy`,
          decision: leaf('escalate', 'escalate-identity'),
        },
      ],
    }),
  },
  {
    name: 'escalate-identity-attempts-two-bursts',
    description: 'The same key tries two groups at 11:00 and 11:02, then one more at 15:30: two bursts hours apart are two incidents, two attempt findings.',
    events: () =>
      [
        ['11:00:10', FIVE_GROUPS[0]!],
        ['11:02:10', FIVE_GROUPS[1]!],
        ['15:30:10', FIVE_GROUPS[2]!],
      ].map(([time, group]) => ({
        time: time!,
        identity: id.legacyDeploy,
        ip: ATTACKER,
        agent: BOTO,
        name: 'AuthorizeSecurityGroupIngress',
        request: authorize(group!, tcp(8443, 8443, '0.0.0.0/0')),
        error: denied(id.legacyDeploy),
      })),
    expected: (ids) => ({
      action: 'escalate',
      findings: [
        {
          kind: 'attempt',
          eventIds: [ids(1), ids(2)],
          firstSeen: ctTime('11:00:10'),
          lastSeen: ctTime('11:02:10'),
          decision: leaf('escalate', 'escalate-identity'),
        },
        { kind: 'attempt', eventIds: [ids(3)], firstSeen: ctTime('15:30:10'), decision: leaf('escalate', 'escalate-identity') },
      ],
    }),
  },
  // Exploit then call home: one finding, direction both. Near miss: escalate-outbound-unrelated-host.
  {
    name: 'isolate-exploit-then-call-home',
    description:
      'The approved CI role opens 8443 to 0.0.0.0/0; the attacker is accepted on the web host, which then connects to a command-and-control server on 8443: the call-home is part of the intrusion, one exposure finding with direction both (isolate).',
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [...inbound('09:20:00', WEB, ATTACKER, 52010, 8443, 4800), ...outbound('09:40:00', WEB, C2, 41234, 8443, 3100)],
    expected: (ids) => ({
      action: 'isolate',
      answers: { direction: 'both' },
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1)],
          direction: 'both',
          flows: { connections: 2, acceptedConnections: 2, externalPeers: 2 },
          sources: [src(OFFICE, 'allowed', 'api-caller'), src(ATTACKER, 'suspicious', 'connection-peer'), src(C2, 'suspicious', 'connection-peer')],
          evidence: [
            { source_ref: ids(1) },
            { source_ref: `flow:${WEB.eni}|6|${ATTACKER}|52010|${WEB.ip}|8443` },
            {
              source_ref: `flow:${WEB.eni}|6|${WEB.ip}|41234|${C2}|8443`,
              detail: `${C2}:8443 → ${WEB.ip}:41234 handshake, 40 packets, 5270 bytes; reached-then-outbound: ${WEB.eni} started it after ${ATTACKER} was accepted on 8443 at 2024-06-03T09:20:00Z through ${WEB_SG}: the host called out once reached`,
            },
          ],
          decision: leaf('isolate', 'isolate'),
        },
      ],
    }),
  },
  {
    name: 'escalate-outbound-unrelated-host',
    description:
      'The same intrusion on the web host, but the connection to the command-and-control server comes from the API host, which nobody reached: it stays its own outbound traffic finding (escalate), the exposure stays inbound (isolate).',
    events: () => [opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0')],
    flows: [...inbound('09:20:00', WEB, ATTACKER, 52010, 8443, 4800), ...outbound('09:40:00', API, C2, 41234, 8443, 3100)],
    expected: (ids) => ({
      action: 'isolate',
      findings: [
        { kind: 'exposure', eventIds: [ids(1)], direction: 'inbound', flows: { connections: 1 }, decision: leaf('isolate', 'isolate') },
        { kind: 'traffic', direction: 'outbound', sources: [src(C2, 'suspicious', 'connection-peer')], decision: leaf('escalate', 'escalate-outbound') },
      ],
    }),
  },
  // The protocol of the question (docs/port-semantics.md): tcp unless asked. Each the other's near miss.
  {
    name: 'no-finding-udp-rule-tcp-question',
    description:
      'A threat-feed caller opens udp/8443 (QUIC) to 0.0.0.0/0: the question is TCP 8443 by default, and a UDP rule does not answer it, so there is no finding.',
    events: () => [udpOpens('11:00:00', id.legacyDeploy, ATTACKER, WEB_SG, 8443, '0.0.0.0/0')],
    expected: () => ({
      answers: { firstSeen: null, direction: 'none' },
      findings: [],
    }),
  },
  {
    name: 'isolate-udp-rule-udp-question',
    description: 'Near miss: the same udp/8443 rule when the question is about UDP (protocol: udp): opened to the internet by a threat-feed caller (isolate).',
    events: () => [udpOpens('11:00:00', id.legacyDeploy, ATTACKER, WEB_SG, 8443, '0.0.0.0/0')],
    parameters: { protocol: 'udp' },
    expected: (ids) => ({
      action: 'isolate',
      findings: [{ kind: 'exposure', eventIds: [ids(1)], sources: [src(ATTACKER, 'suspicious', 'api-caller')], decision: leaf('isolate', 'isolate') }],
    }),
  },
  // Non-ISO times (a Lake export merged with S3 delivery): the instant orders, not the text. Each
  // case is wrong under text order (' ' < 'T'), each the other's near miss.
  {
    name: 'ticket-non-iso-times-window-closed',
    description:
      'The approved CI role opens 8443 to 0.0.0.0/0 at 09:12:07 (S3 delivery, ISO time) and revokes it at 10:05:00 (a Lake export: "2024-06-03 10:05:00.000"): the window closes after it opens, and --from 09:00 keeps the revoke (ticket).',
    events: () => [
      opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0'),
      revokes('10:05:00', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0', lakeTime('10:05:00')),
    ],
    parameters: { from: '2024-06-03T09:00:00Z' },
    expected: (ids) => ({
      action: 'ticket',
      answers: { firstSeen: ctTime('09:12:07') },
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1), ids(2)],
          firstSeen: ctTime('09:12:07'),
          lastSeen: ctTime('10:05:00'),
          windows: [{ resource: WEB_SG, openedAt: ctTime('09:12:07'), closedAt: ctTime('10:05:00') }],
          decision: leaf('ticket', 'ticket'),
        },
      ],
    }),
  },
  {
    name: 'ticket-non-iso-times-revoke-before-open',
    description:
      'Near miss: the revoke (ISO, 09:05:00) comes before the opening (Lake export, "2024-06-03 09:12:07.000"): it removes nothing, and 8443 stays open from 09:12:07 (ticket, window still open).',
    events: () => [
      revokes('09:05:00', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0'),
      opens('09:12:07', id.ciDeployer, OFFICE, WEB_SG, 8443, 8443, '0.0.0.0/0', lakeTime('09:12:07')),
    ],
    parameters: { from: '2024-06-03T09:00:00Z' },
    expected: (ids) => ({
      action: 'ticket',
      findings: [
        {
          kind: 'exposure',
          eventIds: [ids(1), ids(2)],
          lastSeen: ctTime('09:12:07'),
          windows: [{ resource: WEB_SG, openedAt: ctTime('09:12:07'), closedAt: null }],
          decision: leaf('ticket', 'ticket'),
        },
      ],
    }),
  },

  // ---- A refused change by a known party (found on ../shared/corpus: a developer's denied
  // AuthorizeDBSecurityGroupIngress from a VPC address escalated as "a path changed") ----
  // ticket-refused-known ← refused, caller inside the VPC. Near miss: the same from a public address on no list.
  {
    name: 'ticket-refused-known-caller-inside',
    description:
      'A contractor key, used from an address inside the VPC, tries to open 8443 to 0.0.0.0/0 and is refused: nothing changed and the caller is one of ours (ticket to confirm it was them, not a page).',
    events: () => [
      {
        time: '11:02:10',
        identity: id.contractor,
        ip: '10.0.3.77',
        agent: CLI,
        name: 'AuthorizeSecurityGroupIngress',
        request: authorize(API_SG, tcp(8443, 8443, '0.0.0.0/0')),
        error: denied(id.contractor),
      },
    ],
    expected: (ids) => ({
      action: 'ticket',
      findings: [
        {
          kind: 'attempt',
          eventIds: [ids(1)],
          title: `1 failed attempt to open port 8443 on ${API_SG} by ${id.contractor.arn}`,
          sources: [src('10.0.3.77', 'allowed', 'api-caller')],
          decision: leaf('ticket', 'ticket-refused-known'),
        },
      ],
    }),
  },
  {
    name: 'escalate-identity-refused-caller-outside',
    description:
      'Near miss: the same refused change from a public address on no list: a key failing from an unknown place behaves like a stolen one (escalate).',
    events: () => [
      {
        time: '11:02:10',
        identity: id.contractor,
        ip: STRANGER,
        agent: CLI,
        name: 'AuthorizeSecurityGroupIngress',
        request: authorize(API_SG, tcp(8443, 8443, '0.0.0.0/0')),
        error: denied(id.contractor),
      },
    ],
    expected: () => ({
      action: 'escalate',
      findings: [{ kind: 'attempt', sources: [src(STRANGER, 'suspicious', 'api-caller')], decision: leaf('escalate', 'escalate-identity') }],
    }),
  },
];

const HEADER = '# Generated by scripts/make-runbook-cases.ts: edit the script and re-run it, not this file.\n';

/** Writes every case into `out` (emptied first) and returns how many there are. */
export function writeCases(out: string): number {
  const write = caseFolderWriter(out);
  CASES.forEach((spec, index) => {
    const caseNo = index + 1;
    const events = (spec.events?.(caseNo) ?? []).map((e, i) => event(caseNo, i + 1, e));
    if (events.length) write(join(spec.name, 'cloudtrail.json'), JSON.stringify({ Records: events }, null, 2) + '\n');
    if (spec.flows?.length) write(join(spec.name, 'flows.log'), flowLog(spec.flows, spec.flowFormat ?? 'v5'));
    write(join(spec.name, 'intel', 'threat-feed.txt'), FEED);
    write(join(spec.name, 'trusted-networks.yaml'), TRUSTED);
    const expected = {
      description: spec.description,
      now: NOW,
      ...(spec.parameters ? { parameters: spec.parameters } : {}),
      ...spec.expected((seq) => eventIdFor(caseNo, seq)),
    };
    write(join(spec.name, 'expected.yaml'), HEADER + stringify(expected, { lineWidth: 0 }));
  });
  return CASES.length;
}

// As a script: `node --import tsx scripts/make-runbook-cases.ts [out]`; tests import writeCases instead.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] ?? DEFAULT_OUT;
  console.log(`${writeCases(out)} cases written to ${out}`);
}

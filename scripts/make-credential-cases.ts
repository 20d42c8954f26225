import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { caseFolderWriter } from './case-folder.js';

const DEFAULT_OUT = 'runbooks/credential-compromise/tests';
const ACCOUNT = '111122223333';
const OUTSIDE_ACCOUNT = '999988887777';
const REGION = 'us-east-1';
const DAY = '2024-06-03';
const NOW = '2024-06-04T00:00:00Z';

// Who is who. The threat feed and the trusted file below say so; expected.yaml relies on it.
const ATTACKER = '198.51.100.23'; // on the threat feed
const STRANGER = '198.51.100.140'; // public, on no list: suspicious (untrusted-public)
const OFFICE = '203.0.113.10'; // head office egress (trusted corporate): allowed
const RUNNER = '192.0.2.200'; // a hosted CI runner: public, on no list (allowed only for the approved CI role)
const UNLISTED_PRIVATE = '172.16.4.9'; // a private address in no trusted VPC: known, not allowed

const FEED = [
  '# Threat feed of the runbook test cases (plain list: one address or CIDR per line).',
  `${ATTACKER}  # credential abuse seen across customers`,
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
  'principals:',
  '  - name: ci-pipeline',
  `    arns: ["arn:aws:iam::${ACCOUNT}:role/ci-deployer"]`,
  '',
].join('\n');

type Identity = Record<string, unknown>;

const user = (name: string, key: string): Identity => ({
  type: 'IAMUser',
  principalId: `AIDA${key.slice(4)}`,
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accountId: ACCOUNT,
  accessKeyId: key,
  userName: name,
});

const roleSession = (role: string, session: string, key: string): Identity => ({
  type: 'AssumedRole',
  principalId: `AROAQEXAMPLE${role
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .slice(0, 8)}:${session}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
  accountId: ACCOUNT,
  accessKeyId: key,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: `AROAQEXAMPLE${role
        .toUpperCase()
        .replace(/[^A-Z]/g, '')
        .slice(0, 8)}`,
      arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      accountId: ACCOUNT,
      userName: role,
    },
    attributes: { creationDate: `${DAY}T00:00:00Z`, mfaAuthenticated: 'false' },
  },
});

/** An EC2 instance profile's session: the role session named after the instance, delivered by the instance metadata service. */
const instanceSession = (role: string, instance: string, key: string): Identity => {
  const session = roleSession(role, instance, key);
  const context = session['sessionContext'] as Record<string, unknown>;
  return { ...session, sessionContext: { ...context, ec2RoleDelivery: '2.0' } };
};

const service = (name: string): Identity => ({ type: 'AWSService', invokedBy: name });

const id = {
  alice: user('alice', 'AKIAQEXAMPLEALICE001'),
  admin: user('sec-admin', 'AKIAQEXAMPLESECADM01'),
  ci: roleSession('ci-deployer', 'pipeline-run-4711', 'ASIAQEXAMPLECIRUN001'),
  app: roleSession('app-reporting', 'reporting-job', 'ASIAQEXAMPLEAPPREP01'),
  config: service('config.amazonaws.com'),
  web: instanceSession('web-instance-role', 'i-0a12b34c56d78e901', 'ASIAQEXAMPLEWEBINST1'),
};

const CLI =
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe';

interface EventSpec {
  time: string;
  identity: Identity;
  ip: string;
  source: string;
  name: string;
  request?: Record<string, unknown> | null;
  response?: Record<string, unknown> | null;
  error?: { code: string; message: string };
  readOnly?: boolean;
}

const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** A trust policy: an account id becomes its root ARN; any other principal (`*`, a bare account id) is written as given. */
const trustPolicy = (principal: string) =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal }, Action: 'sts:AssumeRole' }],
    },
    null,
    2,
  );
const ANYONE = '*';
const BARE_OWN_ACCOUNT = `"${ACCOUNT}"`;

/** A recon sweep: GetCallerIdentity, then List/Describe calls on iam, s3 and ec2, seconds apart. */
function sweep(identity: Identity, ip: string, times: [string, string, string, string]): EventSpec[] {
  return [
    { time: times[0], identity, ip, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
    { time: times[1], identity, ip, source: 'iam.amazonaws.com', name: 'ListUsers', readOnly: true },
    { time: times[2], identity, ip, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true },
    { time: times[3], identity, ip, source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true, request: { instancesSet: {}, filterSet: {} } },
  ];
}

/** A backdoor user: CreateUser, AttachUserPolicy (administrator), CreateAccessKey. */
function backdoorUser(identity: Identity, ip: string, start: [string, string, string], name = 'svc-backup'): EventSpec[] {
  return [
    {
      time: start[0],
      identity,
      ip,
      source: 'iam.amazonaws.com',
      name: 'CreateUser',
      request: { userName: name },
      response: { user: { userName: name, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, userId: 'AIDAQEXAMPLEBACKDOOR', path: '/' } },
    },
    { time: start[1], identity, ip, source: 'iam.amazonaws.com', name: 'AttachUserPolicy', request: { userName: name, policyArn: ADMIN_POLICY } },
    {
      time: start[2],
      identity,
      ip,
      source: 'iam.amazonaws.com',
      name: 'CreateAccessKey',
      request: { userName: name },
      response: { accessKey: { accessKeyId: 'AKIAQEXAMPLEBACKDR01', status: 'Active', userName: name, createDate: `${DAY}T00:00:00Z` } },
    },
  ];
}

const denied = (identity: Identity, action: string) => ({
  code: 'Client.UnauthorizedOperation',
  message: `You are not authorized to perform this operation. User: ${String(identity['arn'])} is not authorized to perform: ${action}`,
});

/** `count` refused GetPasswordData calls, `everySeconds` apart from `start` (hh:mm:ss). */
function deniedCalls(identity: Identity, ip: string, start: string, count: number, everySeconds: number): EventSpec[] {
  const [h, m, s] = start.split(':').map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) => {
    const total = h * 3600 + m * 60 + s + i * everySeconds;
    const time = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60].map((n) => String(n).padStart(2, '0')).join(':');
    return {
      time,
      identity,
      ip,
      source: 'ec2.amazonaws.com',
      name: 'GetPasswordData',
      request: { instanceId: `i-0a12b34c56d78e9${String(i).padStart(2, '0')}` },
      error: denied(identity, 'ec2:GetPasswordData'),
      readOnly: true,
    };
  });
}

/** `creator` makes bob a new access key, and the new key calls GetCallerIdentity two minutes later, both from `ip`. */
const mintAndUse = (creator: Identity, ip: string): EventSpec[] => [
  {
    time: '01:31:00',
    identity: creator,
    ip,
    source: 'iam.amazonaws.com',
    name: 'CreateAccessKey',
    request: { userName: 'bob' },
    response: { accessKey: { accessKeyId: 'AKIAQEXAMPLEBOBNEW01', status: 'Active', userName: 'bob' } },
  },
  { time: '01:33:00', identity: user('bob', 'AKIAQEXAMPLEBOBNEW01'), ip, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
];

const stopLogging = (identity: Identity, ip: string, time: string, error?: EventSpec['error']): EventSpec => ({
  time,
  identity,
  ip,
  source: 'cloudtrail.amazonaws.com',
  name: 'StopLogging',
  request: { name: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-trail` },
  ...(error ? { error } : {}),
});

const createRole = (identity: Identity, ip: string, time: string, trusted: string): EventSpec => ({
  time,
  identity,
  ip,
  source: 'iam.amazonaws.com',
  name: 'CreateRole',
  request: {
    roleName: 'support-access',
    assumeRolePolicyDocument: trusted === BARE_OWN_ACCOUNT ? trustPolicy('x').replace('"x"', BARE_OWN_ACCOUNT) : trustPolicy(trusted),
  },
  response: { role: { roleName: 'support-access', arn: `arn:aws:iam::${ACCOUNT}:role/support-access`, path: '/' } },
});

function event(caseNo: number, seq: number, spec: EventSpec): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: spec.identity,
    eventTime: `${DAY}T${spec.time}Z`,
    eventSource: spec.source,
    eventName: spec.name,
    awsRegion: REGION,
    sourceIPAddress: spec.ip,
    userAgent: spec.identity['type'] === 'AWSService' ? spec.ip : CLI,
    ...(spec.error ? { errorCode: spec.error.code, errorMessage: spec.error.message } : {}),
    requestParameters: spec.request ?? null,
    responseElements: spec.error ? null : (spec.response ?? null),
    requestID: `${String(caseNo).padStart(4, '0')}${String(seq).padStart(4, '0')}-0000-4000-8000-000000000000`,
    eventID: eventIdFor(caseNo, seq),
    readOnly: spec.readOnly ?? false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

function eventIdFor(caseNo: number, seq: number): string {
  return `cc000000-0000-4000-8000-${String(caseNo).padStart(4, '0')}${String(seq).padStart(8, '0')}`;
}

const leaf = (action: string, name: string) => ({ action, leaf: name });
const key = (identity: Identity) => ({ accessKeyId: identity['accessKeyId'] });

interface CaseSpec {
  name: string;
  description: string;
  parameters?: Record<string, string | number>;
  events: EventSpec[];
  expected: Record<string, unknown>;
}

const CASES: CaseSpec[] = [
  // --- isolate-threat-feed ------------------------------------------------------------------
  {
    name: 'isolate-threat-feed-caller-check',
    description:
      "Alice's key, used from the office in the morning, calls GetCallerIdentity from a threat-feed address in the afternoon: someone else holds it (isolate), even with nothing else done yet.",
    events: [
      { time: '09:02:11', identity: id.alice, ip: OFFICE, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true },
      { time: '14:40:05', identity: id.alice, ip: ATTACKER, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
    ],
    expected: {
      action: 'isolate',
      answers: { firstUse: `${DAY}T09:02:11Z`, firstUseFrom: [OFFICE], lastUse: `${DAY}T14:40:05Z`, revoked: false },
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { callerHostile: true, firstUseSuspicious: false },
          decision: leaf('isolate', 'isolate-threat-feed'),
        },
      ],
    },
  },
  {
    name: 'ticket-used-outside-caller-check',
    description:
      'Near miss: the same GetCallerIdentity from a public address on no list, not on a feed: absence from a list is not evidence (ticket: ask where alice works from).',
    events: [
      { time: '09:02:11', identity: id.alice, ip: OFFICE, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true },
      { time: '14:40:05', identity: id.alice, ip: STRANGER, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
    ],
    expected: {
      action: 'ticket',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { callerHostile: false, callerSuspicious: true },
          decision: leaf('ticket', 'ticket-used-outside'),
        },
      ],
    },
  },
  // --- isolate-stolen-key ---------------------------------------------------------------------
  {
    name: 'isolate-stolen-key-recon-then-backdoor-user',
    description:
      "From an unlisted address, alice's key sweeps sts, iam, s3 and ec2 within a minute, then creates an administrator user with an access key; an admin deactivates the key from the office later (isolate; the key is no longer active).",
    events: [
      ...sweep(id.alice, STRANGER, ['02:14:01', '02:14:09', '02:14:15', '02:14:40']),
      ...backdoorUser(id.alice, STRANGER, ['02:16:02', '02:16:03', '02:16:05']),
      {
        time: '03:05:00',
        identity: id.admin,
        ip: OFFICE,
        source: 'iam.amazonaws.com',
        name: 'UpdateAccessKey',
        request: { userName: 'alice', accessKeyId: 'AKIAQEXAMPLEALICE001', status: 'Inactive' },
      },
    ],
    expected: {
      action: 'isolate',
      answers: {
        firstUse: `${DAY}T02:14:01Z`,
        services: ['ec2.amazonaws.com', 'iam.amazonaws.com', 's3.amazonaws.com', 'sts.amazonaws.com'],
        created: [`AttachUserPolicy svc-backup → ${ADMIN_POLICY}`, 'CreateAccessKey svc-backup → AKIAQEXAMPLEBACKDR01', 'CreateUser svc-backup'],
        revoked: true,
        revokedAt: `${DAY}T03:05:00Z`,
      },
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: {
            reconBurst: true,
            persistence: true,
            evasion: false,
            changeFromSuspicious: true,
            compromiseEvidence: true,
            keyRevoked: true,
            firstUseSuspicious: true,
          },
          decision: leaf('isolate', 'isolate-stolen-key'),
        },
        { kind: 'credential', credentials: key(id.admin), decision: leaf('false-positive', 'false-positive-trusted') },
      ],
    },
  },
  {
    name: 'escalate-change-backdoor-user-slow-recon',
    description:
      'Near miss: the same backdoor user from the same address, but the four read calls are spread over hours (no burst within 10 minutes): a foothold from an unlisted address with nothing more (escalate).',
    events: [
      ...sweep(id.alice, STRANGER, ['02:14:01', '03:30:00', '05:00:00', '06:45:00']),
      ...backdoorUser(id.alice, STRANGER, ['07:16:02', '07:16:03', '07:16:05']),
    ],
    expected: {
      action: 'escalate',
      answers: { revoked: false },
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { reconBurst: false, persistence: true, compromiseEvidence: false },
          decision: leaf('escalate', 'escalate-change'),
        },
      ],
    },
  },
  {
    name: 'isolate-stolen-key-denied-storm-then-login-profile',
    description:
      'A role session hits twelve UnauthorizedOperation errors in half a minute from an unlisted address, then gives an existing user a console password (isolate).',
    events: [
      ...deniedCalls(id.app, STRANGER, '04:00:00', 12, 2),
      {
        time: '04:02:30',
        identity: id.app,
        ip: STRANGER,
        source: 'iam.amazonaws.com',
        name: 'CreateLoginProfile',
        request: { userName: 'bob', passwordResetRequired: false },
      },
    ],
    expected: {
      action: 'isolate',
      answers: { denied: 12, errors: 12, created: ['CreateLoginProfile bob'] },
      findings: [
        { kind: 'credential', credentials: key(id.app), signals: { deniedStorm: true, persistence: true }, decision: leaf('isolate', 'isolate-stolen-key') },
      ],
    },
  },
  {
    name: 'escalate-change-login-profile-few-denied',
    description:
      'Near miss: the same console password after nine refused calls (below the storm threshold of ten): a foothold from an unlisted address without a storm (escalate).',
    events: [
      ...deniedCalls(id.app, STRANGER, '04:00:00', 9, 2),
      {
        time: '04:02:30',
        identity: id.app,
        ip: STRANGER,
        source: 'iam.amazonaws.com',
        name: 'CreateLoginProfile',
        request: { userName: 'bob', passwordResetRequired: false },
      },
    ],
    expected: {
      action: 'escalate',
      answers: { denied: 9 },
      findings: [
        { kind: 'credential', credentials: key(id.app), signals: { deniedStorm: false, persistence: true }, decision: leaf('escalate', 'escalate-change') },
      ],
    },
  },
  {
    name: 'isolate-stolen-key-outside-trust-after-recon',
    description: "After a recon sweep, alice's key creates a role that another account may assume, from an unlisted address (isolate).",
    events: [...sweep(id.alice, STRANGER, ['05:10:00', '05:10:20', '05:10:40', '05:11:00']), createRole(id.alice, STRANGER, '05:12:00', OUTSIDE_ACCOUNT)],
    expected: {
      action: 'isolate',
      answers: { created: ['CreateRole support-access (trusts a principal outside the account)'] },
      findings: [
        { kind: 'credential', credentials: key(id.alice), signals: { reconBurst: true, persistence: true }, decision: leaf('isolate', 'isolate-stolen-key') },
      ],
    },
  },
  {
    name: 'escalate-probing-recon-then-same-account-role',
    description:
      'Near miss: the same sweep, then a role trusted only by the account itself: not a foothold, so a recon burst from an unlisted address (escalate).',
    events: [...sweep(id.alice, STRANGER, ['05:10:00', '05:10:20', '05:10:40', '05:11:00']), createRole(id.alice, STRANGER, '05:12:00', ACCOUNT)],
    expected: {
      action: 'escalate',
      answers: { created: [] },
      findings: [
        { kind: 'credential', credentials: key(id.alice), signals: { reconBurst: true, persistence: false }, decision: leaf('escalate', 'escalate-probing') },
      ],
    },
  },
  {
    name: 'escalate-change-role-trusts-anyone',
    description:
      'A role whose trust policy lets any AWS principal assume it, created from an unlisted address, nothing else: a foothold without further evidence (escalate).',
    events: [createRole(id.alice, STRANGER, '05:12:00', ANYONE)],
    expected: {
      action: 'escalate',
      answers: { created: ['CreateRole support-access (trusts a principal outside the account)'] },
      findings: [{ kind: 'credential', credentials: key(id.alice), signals: { persistence: true }, decision: leaf('escalate', 'escalate-change') }],
    },
  },
  {
    name: 'ticket-used-outside-role-trusts-own-account-id',
    description: 'Near miss: the same role trusted by the account itself, written as its bare account id: not a foothold (ticket).',
    events: [createRole(id.alice, STRANGER, '05:12:00', BARE_OWN_ACCOUNT)],
    expected: {
      action: 'ticket',
      answers: { created: [] },
      findings: [{ kind: 'credential', credentials: key(id.alice), signals: { persistence: false }, decision: leaf('ticket', 'ticket-used-outside') }],
    },
  },
  // --- false-positive-service -----------------------------------------------------------------
  {
    name: 'false-positive-service-config-recorder',
    description: 'AWS Config, an AWS service principal, describes resources across services: no stolen key signs these calls (false positive).',
    events: [
      { time: '06:00:00', identity: id.config, ip: 'config.amazonaws.com', source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true },
      {
        time: '06:00:05',
        identity: id.config,
        ip: 'config.amazonaws.com',
        source: 'iam.amazonaws.com',
        name: 'GetAccountAuthorizationDetails',
        readOnly: true,
      },
      { time: '06:00:09', identity: id.config, ip: 'config.amazonaws.com', source: 's3.amazonaws.com', name: 'GetBucketAcl', readOnly: true },
    ],
    expected: {
      action: 'false-positive',
      findings: [
        {
          kind: 'credential',
          title: 'config.amazonaws.com (config.amazonaws.com)',
          signals: { serviceOnly: true, reconBurst: true },
          decision: leaf('false-positive', 'false-positive-service'),
        },
      ],
    },
  },
  {
    name: 'escalate-probing-service-role-session-outside',
    description:
      'Near miss: the same three reads signed by a role session from an unlisted public address: not an AWS service, and a burst across services (escalate).',
    events: [
      { time: '06:00:00', identity: id.app, ip: STRANGER, source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true },
      { time: '06:00:05', identity: id.app, ip: STRANGER, source: 'iam.amazonaws.com', name: 'GetAccountAuthorizationDetails', readOnly: true },
      { time: '06:00:09', identity: id.app, ip: STRANGER, source: 's3.amazonaws.com', name: 'GetBucketAcl', readOnly: true },
    ],
    expected: {
      action: 'escalate',
      findings: [
        { kind: 'credential', credentials: key(id.app), signals: { serviceOnly: false, reconBurst: true }, decision: leaf('escalate', 'escalate-probing') },
      ],
    },
  },
  // --- ticket-allowed-change ------------------------------------------------------------------
  {
    name: 'ticket-allowed-change-pipeline-creates-user',
    description:
      'The approved CI role, from a hosted runner on no list, plans (reads across services) and creates a user with a policy: every call allowed by the approved principal (ticket: find the pipeline run).',
    events: [
      ...sweep(id.ci, RUNNER, ['10:00:00', '10:00:02', '10:00:04', '10:00:06']),
      { time: '10:01:00', identity: id.ci, ip: RUNNER, source: 'iam.amazonaws.com', name: 'CreateUser', request: { userName: 'report-reader' } },
      {
        time: '10:01:01',
        identity: id.ci,
        ip: RUNNER,
        source: 'iam.amazonaws.com',
        name: 'PutUserPolicy',
        request: { userName: 'report-reader', policyName: 'read-reports' },
      },
    ],
    expected: {
      action: 'ticket',
      answers: { created: ['CreateUser report-reader', 'PutUserPolicy report-reader → read-reports'] },
      findings: [
        {
          kind: 'credential',
          credentials: key(id.ci),
          signals: { callersAllowed: true, persistence: true, reconBurst: true },
          decision: leaf('ticket', 'ticket-allowed-change'),
        },
      ],
    },
  },
  {
    name: 'ticket-allowed-change-pipeline-through-cloudformation',
    description:
      'The approved CI role starts a stack from a hosted runner, and CloudFormation, acting for the same session, creates the user: an AWS service acting for an allowed caller is no unlisted place (ticket).',
    events: [
      { time: '10:00:00', identity: id.ci, ip: RUNNER, source: 'cloudformation.amazonaws.com', name: 'CreateStack', request: { stackName: 'reporting-users' } },
      {
        time: '10:00:30',
        identity: { ...id.ci, invokedBy: 'cloudformation.amazonaws.com' },
        ip: 'cloudformation.amazonaws.com',
        source: 'iam.amazonaws.com',
        name: 'CreateUser',
        request: { userName: 'report-reader' },
      },
    ],
    expected: {
      action: 'ticket',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.ci),
          signals: { callersAllowed: true, serviceOnly: false, persistence: true },
          decision: leaf('ticket', 'ticket-allowed-change'),
        },
      ],
    },
  },
  {
    name: 'escalate-change-unlisted-private-address',
    description:
      "Near miss: alice's key creates the same user from a private address in no trusted VPC: known, but not allowed — a foothold needs an allowed place to be a ticket (escalate).",
    events: [
      { time: '10:01:00', identity: id.alice, ip: UNLISTED_PRIVATE, source: 'iam.amazonaws.com', name: 'CreateUser', request: { userName: 'report-reader' } },
      {
        time: '10:01:01',
        identity: id.alice,
        ip: UNLISTED_PRIVATE,
        source: 'iam.amazonaws.com',
        name: 'PutUserPolicy',
        request: { userName: 'report-reader', policyName: 'read-reports' },
      },
    ],
    expected: {
      action: 'escalate',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          sources: [{ ip: UNLISTED_PRIVATE, verdict: 'known', role: 'api-caller' }],
          signals: { callersAllowed: false, callerSuspicious: false },
          decision: leaf('escalate', 'escalate-change'),
        },
      ],
    },
  },
  // --- escalate-change ----------------------------------------------------------------------
  {
    name: 'escalate-change-stop-logging-outside',
    description: 'One StopLogging by alice from an unlisted address, nothing else: defence evasion without other evidence (escalate: a human asks alice now).',
    events: [stopLogging(id.alice, STRANGER, '01:30:00')],
    expected: {
      action: 'escalate',
      answers: { disabled: [`StopLogging arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-trail`] },
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { evasion: true, compromiseEvidence: false },
          decision: leaf('escalate', 'escalate-change'),
        },
      ],
    },
  },
  {
    name: 'ticket-allowed-change-stop-logging-office',
    description: 'Near miss: the same StopLogging from the office network: an allowed place, no threat-feed address (ticket: find the change request).',
    events: [stopLogging(id.alice, OFFICE, '01:30:00')],
    expected: {
      action: 'ticket',
      findings: [
        { kind: 'credential', credentials: key(id.alice), signals: { evasion: true, callersAllowed: true }, decision: leaf('ticket', 'ticket-allowed-change') },
      ],
    },
  },
  {
    name: 'isolate-stolen-key-stop-logging-and-access-key',
    description:
      'StopLogging and a new access key for another user, both from an unlisted address: persistence and evasion together are the pattern of a stolen key (isolate).',
    events: [
      stopLogging(id.alice, STRANGER, '01:30:00'),
      {
        time: '01:31:00',
        identity: id.alice,
        ip: STRANGER,
        source: 'iam.amazonaws.com',
        name: 'CreateAccessKey',
        request: { userName: 'bob' },
        response: { accessKey: { accessKeyId: 'AKIAQEXAMPLEBOBNEW01', status: 'Active', userName: 'bob' } },
      },
    ],
    expected: {
      action: 'isolate',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { evasion: true, persistence: true, compromiseEvidence: true },
          decision: leaf('isolate', 'isolate-stolen-key'),
        },
      ],
    },
  },
  // --- escalate-instance-credentials ----------------------------------------------------------
  {
    name: 'escalate-instance-credentials-outside',
    description:
      "The web instance's role credentials call GetCallerIdentity and DescribeInstances from a public address on no list: they left the instance, or the instance's address is unlisted (escalate).",
    events: [
      { time: '08:20:52', identity: id.web, ip: STRANGER, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
      { time: '08:21:03', identity: id.web, ip: STRANGER, source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true },
    ],
    expected: {
      action: 'escalate',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.web),
          signals: { instanceCredentialsOutside: true, reconBurst: false },
          decision: leaf('escalate', 'escalate-instance-credentials'),
        },
      ],
    },
  },
  {
    name: 'false-positive-trusted-instance-credentials-inside',
    description: "Near miss: the same calls from the instance's own address in the production VPC (false positive).",
    events: [
      { time: '08:20:52', identity: id.web, ip: '10.0.1.25', source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
      { time: '08:21:03', identity: id.web, ip: '10.0.1.25', source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true },
    ],
    expected: {
      action: 'false-positive',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.web),
          signals: { instanceCredentialsOutside: false },
          decision: leaf('false-positive', 'false-positive-trusted'),
        },
      ],
    },
  },
  {
    name: 'isolate-stolen-key-instance-credentials-create-user',
    description:
      "The web instance's role credentials, from a public address on no list, create a user with an access key: a foothold by credentials that left their instance (isolate).",
    events: [
      { time: '08:20:52', identity: id.web, ip: STRANGER, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true },
      ...backdoorUser(id.web, STRANGER, ['08:22:00', '08:22:01', '08:22:02']),
    ],
    expected: {
      action: 'isolate',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.web),
          signals: { instanceCredentialsOutside: true, reconBurst: false, persistence: true },
          decision: leaf('isolate', 'isolate-stolen-key'),
        },
      ],
    },
  },
  // --- escalate-minted-key --------------------------------------------------------------------
  {
    name: 'escalate-minted-key-backdoor-key-used',
    description:
      "Alice's key creates a new access key for bob from an unlisted address, and the new key calls GetCallerIdentity from there minutes later: the foothold is in use (escalate both).",
    events: mintAndUse(id.alice, STRANGER),
    expected: {
      action: 'escalate',
      findings: [
        { kind: 'credential', credentials: key(id.alice), decision: leaf('escalate', 'escalate-change') },
        {
          kind: 'credential',
          credentials: { accessKeyId: 'AKIAQEXAMPLEBOBNEW01' },
          signals: { mintedByFoothold: true },
          decision: leaf('escalate', 'escalate-minted-key'),
        },
      ],
    },
  },
  {
    name: 'false-positive-trusted-minted-key-used-from-office',
    description:
      'Near miss: an admin creates the key for bob from the office and bob uses it from the office: a rotation (ticket for the change, nothing for the key).',
    events: mintAndUse(id.admin, OFFICE),
    expected: {
      action: 'ticket',
      findings: [
        { kind: 'credential', credentials: key(id.admin), decision: leaf('ticket', 'ticket-allowed-change') },
        {
          kind: 'credential',
          credentials: { accessKeyId: 'AKIAQEXAMPLEBOBNEW01' },
          signals: { mintedByFoothold: true, callersAllowed: true },
          decision: leaf('false-positive', 'false-positive-trusted'),
        },
      ],
    },
  },
  // --- escalate-probing ---------------------------------------------------------------------
  {
    name: 'escalate-probing-denied-storm',
    description:
      'A role session gets twelve UnauthorizedOperation errors in 24 seconds from an unlisted address, and nothing else (escalate: the first minutes of a stolen key).',
    events: deniedCalls(id.app, STRANGER, '04:00:00', 12, 2),
    expected: {
      action: 'escalate',
      answers: { denied: 12 },
      findings: [{ kind: 'credential', credentials: key(id.app), signals: { deniedStorm: true }, decision: leaf('escalate', 'escalate-probing') }],
    },
  },
  {
    name: 'ticket-used-outside-denied-spread',
    description: 'Near miss: the same twelve errors, one every 15 minutes over three hours: a misconfigured job, not a storm (ticket).',
    events: deniedCalls(id.app, STRANGER, '04:00:00', 12, 900),
    expected: {
      action: 'ticket',
      answers: { denied: 12 },
      findings: [{ kind: 'credential', credentials: key(id.app), signals: { deniedStorm: false }, decision: leaf('ticket', 'ticket-used-outside') }],
    },
  },
  {
    name: 'escalate-probing-refused-stop-logging',
    description: 'A StopLogging from an unlisted address that AWS refused: nothing changed, but the key tried to blind the account (escalate).',
    events: [
      stopLogging(id.alice, STRANGER, '01:30:00', {
        code: 'AccessDenied',
        message: 'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: cloudtrail:StopLogging',
      }),
    ],
    expected: {
      action: 'escalate',
      answers: { disabled: ['StopLogging arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail (refused: AccessDenied)'], denied: 1 },
      findings: [
        { kind: 'credential', credentials: key(id.alice), signals: { evasion: false, changeRefused: true }, decision: leaf('escalate', 'escalate-probing') },
      ],
    },
  },
  {
    name: 'escalate-probing-recon-burst',
    description: "Alice's key sweeps sts, iam, s3 and ec2 within a minute from an unlisted address (escalate).",
    events: sweep(id.alice, STRANGER, ['02:14:01', '02:14:09', '02:14:15', '02:14:40']),
    expected: {
      action: 'escalate',
      answers: { actions: ['DescribeInstances', 'GetCallerIdentity', 'ListBuckets', 'ListUsers'] },
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { reconBurst: true, callerSuspicious: true },
          decision: leaf('escalate', 'escalate-probing'),
        },
      ],
    },
  },
  // --- false-positive-trusted ---------------------------------------------------------------
  {
    name: 'false-positive-trusted-recon-from-office',
    description: 'Near miss: the same sweep from the office network: reads from an allowed place (false positive).',
    events: sweep(id.alice, OFFICE, ['02:14:01', '02:14:09', '02:14:15', '02:14:40']),
    expected: {
      action: 'false-positive',
      findings: [
        {
          kind: 'credential',
          credentials: key(id.alice),
          signals: { reconBurst: true, callersAllowed: true },
          decision: leaf('false-positive', 'false-positive-trusted'),
        },
      ],
    },
  },
  {
    name: 'false-positive-trusted-one-key-of-two',
    description:
      "With the key parameter, only alice's key is investigated: her reads from the office (false positive); the other key's StopLogging from an unlisted address is outside the question.",
    parameters: { key: 'AKIAQEXAMPLEALICE001' },
    events: [
      { time: '08:00:00', identity: id.alice, ip: OFFICE, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true },
      stopLogging(id.admin, STRANGER, '08:05:00'),
    ],
    expected: {
      action: 'false-positive',
      answers: { firstUseFrom: [OFFICE], services: ['s3.amazonaws.com'] },
      findings: [{ kind: 'credential', credentials: key(id.alice), decision: leaf('false-positive', 'false-positive-trusted') }],
    },
  },
];

const HEADER = '# Generated by scripts/make-credential-cases.ts: edit the script and re-run it, not this file.\n';

/** Writes every case into `out` (emptied first) and returns how many there are. */
export function writeCases(out: string): number {
  const write = caseFolderWriter(out);
  CASES.forEach((spec, index) => {
    const caseNo = index + 1;
    const events = spec.events.map((e, i) => event(caseNo, i + 1, e));
    write(join(spec.name, 'cloudtrail.json'), JSON.stringify({ Records: events }, null, 2) + '\n');
    write(join(spec.name, 'intel', 'threat-feed.txt'), FEED);
    write(join(spec.name, 'trusted-networks.yaml'), TRUSTED);
    const expected = { description: spec.description, now: NOW, ...(spec.parameters ? { parameters: spec.parameters } : {}), ...spec.expected };
    write(join(spec.name, 'expected.yaml'), HEADER + stringify(expected, { lineWidth: 0 }));
  });
  return CASES.length;
}

// As a script: `node --import tsx scripts/make-credential-cases.ts [out]`; tests import writeCases instead.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] ?? DEFAULT_OUT;
  console.log(`${writeCases(out)} cases written to ${out}`);
}

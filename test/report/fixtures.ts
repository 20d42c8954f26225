import type { Credentials, EvidenceRow, Finding, Report, SourceAssessment } from '../../src/report/contract.js';

/**
 * A `trailbook.report/v2` report of the port runbook for the bundled sample incident (scripts/make-sample.ts), built
 * by hand so that the renderers can be tested before the investigation exists. Event ids follow
 * the sample script's sequence (each event draws a request id, then its event id).
 *
 * Flow evidence rows use `action: "<inbound|outbound> <ACCEPT|REJECT>"`, the convention the
 * renderers read to draw connection marks (docs/report.md).
 */

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ATTACKER = '198.51.100.23';
const C2 = '198.51.100.77';
const CORP = '203.0.113.10';
const CI_HOST = '203.0.113.15';
const SCANNER = '192.0.2.10';
const WEB = { instance: 'i-0a12b34c56d78e901', eni: 'eni-0f1e2d3c4b5a69788' };
const API = { instance: 'i-0b23c45d67e89f012', eni: 'eni-0e2d3c4b5a6978899' };
const WEB_SG = 'sg-0a1b2c3d4e5f60718';
const LISTENER = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/internal-api/50dc6c495c0c9188/f2f7dc8efc522ab2`;

const at = (hhmmss: string) => `2024-05-14T${hhmmss}Z`;
/** The sample's n-th story event id (2n in hex). */
const ev = (n: number) => `5a3e0c1d-8f2b-4c6a-9d7e-${(2 * n).toString(16).padStart(12, '0')}`;

const ARN = {
  legacy: `arn:aws:iam::${ACCOUNT}:user/svc-legacy-deploy`,
  responder: `arn:aws:sts::${ACCOUNT}:assumed-role/IncidentResponder/maria`,
  webRole: `arn:aws:sts::${ACCOUNT}:assumed-role/web-app-instance-role/${WEB.instance}`,
  ci: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/pipeline-4711`,
  cfn: `arn:aws:sts::${ACCOUNT}:assumed-role/cfn-exec-role/AWSCloudFormation`,
};

function call(time: string, n: number, actor: string, ip: string, action: string, resource: string, detail: string): EvidenceRow {
  return { ts: at(time), actor, source_ip: ip, action, resource, account_id: ACCOUNT, region: REGION, source_ref: ev(n), detail };
}
function flow(time: string, host: { instance: string; eni: string }, peer: string, action: string, detail: string): EvidenceRow {
  return {
    ts: at(time),
    actor: null,
    source_ip: peer,
    action,
    resource: host.instance,
    account_id: ACCOUNT,
    region: REGION,
    source_ref: `flow:${host.eni}:${peer}:8443`,
    detail,
  };
}
const probe = (time: string) => flow(time, WEB, ATTACKER, 'inbound REJECT', '1 packet, 60 bytes, SYN only');

const isolate: Omit<Finding, 'signals'> = {
  id: 'exposure-sg-0a1b2c3d4e5f60718-20240514T091207Z',
  kind: 'exposure',
  title: `Port 8443 opened to the internet on ${WEB_SG} with a leaked long-term key; the attacker connected`,
  eventIds: [ev(1), ev(2), ev(3), ev(4)],
  firstSeen: at('08:40:05'),
  lastSeen: at('10:12:30'),
  direction: 'both',
  eventSources: ['ec2.amazonaws.com'],
  credentials: { identityType: 'IAMUser', arn: ARN.legacy, accessKeyId: 'AKIAQEXAMPLELEGACY01', keyKind: 'long-term', mfa: false, via: 'api' },
  sources: [
    { ip: ATTACKER, verdict: 'suspicious', reasons: ['threat-feed.txt: scanner and credential abuse seen across customers'], role: 'api-caller' },
    { ip: C2, verdict: 'suspicious', reasons: ['threat-feed.txt: command and control'], role: 'connection-peer' },
    { ip: CORP, verdict: 'allowed', reasons: ['trusted network: head office egress'], role: 'api-caller' },
  ],
  flows: { connections: 14, acceptedConnections: 5, bytes: 5_085_820, externalPeers: 2 },
  decision: {
    action: 'isolate',
    path: ['start', 'exposure_internet_wide', 'caller_suspicious', 'isolate_host'],
    reasons: [
      'tcp/8443 opened to 0.0.0.0/0 with long-term key AKIAQEXAMPLELEGACY01, no MFA',
      `the call came from ${ATTACKER}, which is on the threat feed`,
      `4 accepted inbound connections from ${ATTACKER} while the rule was open (5.1 MB sent to it)`,
      `the host then connected out to ${C2}:8443 (command and control)`,
    ],
    verify: `Ask the owner of svc-legacy-deploy whether the key was used from ${ATTACKER} at 09:12Z; if not, deactivate the key and snapshot ${WEB.instance} before stopping it.`,
  },
  evidence: [
    probe('08:40:05'),
    probe('08:41:05'),
    probe('08:42:05'),
    probe('08:43:05'),
    probe('08:44:05'),
    probe('08:45:05'),
    call('09:12:07', 1, ARN.legacy, ATTACKER, 'AuthorizeSecurityGroupIngress', WEB_SG, 'tcp 8443 from 0.0.0.0/0 (sgr-0aa11bb22cc33dd44)'),
    call('09:13:41', 2, ARN.legacy, ATTACKER, 'AuthorizeSecurityGroupIngress', WEB_SG, 'all traffic from 198.51.100.0/24 (sgr-0ee55ff66aa77bb88)'),
    flow('09:15:00', WEB, ATTACKER, 'inbound ACCEPT', 'handshake; 4800 bytes in, 1250000 bytes out'),
    flow('09:20:00', WEB, ATTACKER, 'inbound ACCEPT', 'handshake; 4900 bytes in, 1260000 bytes out'),
    flow('09:25:00', WEB, ATTACKER, 'inbound ACCEPT', 'handshake; 5000 bytes in, 1270000 bytes out'),
    flow('09:30:00', WEB, ATTACKER, 'inbound ACCEPT', 'handshake; 5100 bytes in, 1280000 bytes out'),
    flow('09:41:00', WEB, C2, 'outbound ACCEPT', 'handshake; 3100 bytes out, 2200 bytes in'),
    call('10:05:33', 3, ARN.responder, CORP, 'RevokeSecurityGroupIngress', WEB_SG, 'tcp 8443 from 0.0.0.0/0'),
    call('10:05:51', 4, ARN.responder, CORP, 'RevokeSecurityGroupIngress', WEB_SG, 'all traffic from 198.51.100.0/24'),
    flow('10:10:30', WEB, ATTACKER, 'inbound REJECT', '2 packets, 120 bytes, SYN only'),
    flow('10:11:30', WEB, ATTACKER, 'inbound REJECT', '2 packets, 120 bytes, SYN only'),
    flow('10:12:30', WEB, ATTACKER, 'inbound REJECT', '2 packets, 120 bytes, SYN only'),
  ],
  windows: [
    { resource: WEB_SG, openedAt: at('09:12:07'), closedAt: at('10:05:33'), rule: 'tcp 8443 from 0.0.0.0/0' },
    { resource: WEB_SG, openedAt: at('09:13:41'), closedAt: at('10:05:51'), rule: 'all traffic from 198.51.100.0/24' },
  ],
};

const denied = (time: string, n: number) =>
  call(time, n, ARN.webRole, ATTACKER, 'AuthorizeSecurityGroupIngress', 'sg-0d4c3b2a1f0e98765', 'denied: Client.UnauthorizedOperation');

const escalate: Omit<Finding, 'signals'> = {
  id: 'attempt-web-app-instance-role-sg-0d4c3b2a1f0e98765',
  kind: 'attempt',
  title: "Five denied attempts to open 8443 with the web host's instance-role session, from a threat-feed address",
  eventIds: [ev(5), ev(6), ev(7), ev(8), ev(9)],
  firstSeen: at('11:02:10'),
  lastSeen: at('11:04:38'),
  direction: 'inbound',
  eventSources: ['ec2.amazonaws.com'],
  credentials: {
    identityType: 'AssumedRole',
    arn: ARN.webRole,
    accessKeyId: 'ASIAQEXAMPLEWEBAPP01',
    keyKind: 'session',
    mfa: false,
    via: 'api',
    issuer: `arn:aws:iam::${ACCOUNT}:role/web-app-instance-role`,
  },
  sources: [
    {
      ip: ATTACKER,
      verdict: 'suspicious',
      role: 'api-caller',
      reasons: ['threat-feed.txt: scanner and credential abuse seen across customers', 'instance-role credentials used from outside the VPC'],
    },
  ],
  flows: { connections: 0, acceptedConnections: 0, bytes: 0, externalPeers: 0 },
  decision: {
    action: 'escalate',
    path: ['start', 'attempt', 'identity_looks_compromised', 'escalate_credential_theft'],
    reasons: [
      '5 AuthorizeSecurityGroupIngress calls denied (Client.UnauthorizedOperation) in 2.5 minutes',
      `an EC2 instance-role session used from ${ATTACKER}, not from ${WEB.instance}: the role credentials were likely stolen`,
    ],
    verify: `Check that ${WEB.instance} has no route out through ${ATTACKER}; if it has none, revoke the role's active sessions and rotate.`,
  },
  evidence: [denied('11:02:10', 5), denied('11:02:17', 6), denied('11:03:24', 7), denied('11:03:31', 8), denied('11:04:38', 9)],
};

const ticket: Omit<Finding, 'signals'> = {
  id: 'exposure-sg-0e5f6a7b8c9d01234-20240514T132005Z',
  kind: 'exposure',
  title: 'Port 8443 opened to the VPC (10.0.0.0/16) on sg-0e5f6a7b8c9d01234 by the CI pipeline',
  eventIds: [ev(10)],
  firstSeen: at('13:20:05'),
  lastSeen: at('13:20:05'),
  direction: 'inbound',
  eventSources: ['ec2.amazonaws.com'],
  credentials: {
    identityType: 'AssumedRole',
    arn: ARN.ci,
    accessKeyId: 'ASIAQEXAMPLECIDEPLOY',
    keyKind: 'session',
    mfa: false,
    via: 'api',
    issuer: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`,
  },
  sources: [{ ip: CI_HOST, verdict: 'allowed', reasons: ['trusted network: head office egress'], role: 'api-caller' }],
  flows: { connections: 0, acceptedConnections: 0, bytes: 0, externalPeers: 0 },
  decision: {
    action: 'ticket',
    path: ['start', 'exposure_trusted_only', 'ticket_review_change'],
    reasons: ['tcp/8443 opened to 10.0.0.0/16 only (trusted: production VPC)', 'by an approved principal (CI pipeline)'],
    verify: 'Match the change to CI pipeline run 4711 and its change request.',
  },
  evidence: [
    call(
      '13:20:05',
      10,
      ARN.ci,
      CI_HOST,
      'ModifySecurityGroupRules',
      'sg-0e5f6a7b8c9d01234',
      'tcp 8443 from 10.0.0.0/16 (sgr-0123456789abcdef0), "internal API"',
    ),
  ],
  windows: [{ resource: 'sg-0e5f6a7b8c9d01234', openedAt: at('13:20:05'), closedAt: null, rule: 'tcp 8443 from 10.0.0.0/16' }],
};

const healthCheck = (time: string) => flow(time, API, '10.0.2.17', 'inbound ACCEPT', 'handshake; health check, 720 bytes');

const falsePositive: Omit<Finding, 'signals'> = {
  id: 'exposure-listener-internal-api-20240514T140012Z',
  kind: 'exposure',
  title: 'HTTPS listener on 8443 deployed by CloudFormation on the internal API load balancer',
  eventIds: [ev(11)],
  firstSeen: at('14:00:12'),
  lastSeen: at('15:02:00'),
  direction: 'inbound',
  eventSources: ['elasticloadbalancing.amazonaws.com'],
  credentials: {
    identityType: 'AssumedRole',
    arn: ARN.cfn,
    accessKeyId: 'ASIAQEXAMPLECFNEXEC1',
    keyKind: 'session',
    mfa: false,
    via: 'service',
    issuer: `arn:aws:iam::${ACCOUNT}:role/cfn-exec-role`,
  },
  sources: [
    { ip: 'cloudformation.amazonaws.com', verdict: 'known', reasons: ['AWS service acting for cfn-exec-role'], role: 'api-caller' },
    { ip: SCANNER, verdict: 'known', reasons: ['benign scanner: internet census project'], role: 'connection-peer' },
  ],
  flows: { connections: 7, acceptedConnections: 6, bytes: 4_364, externalPeers: 1 },
  decision: {
    action: 'false-positive',
    path: ['start', 'exposure_by_approved_service', 'only_known_traffic', 'false_positive_deployment'],
    reasons: [
      'listener created by CloudFormation with an approved role (cfn-exec-role)',
      'only health checks from inside the VPC were accepted; the one external peer is a known scanner and was rejected',
    ],
    verify: 'Confirm that the internal-api stack created this listener around 14:00Z and that 10.0.2.17 is its load balancer.',
  },
  evidence: [
    call('14:00:12', 11, ARN.cfn, 'cloudformation.amazonaws.com', 'CreateListener', LISTENER, 'HTTPS on 8443, internal-api'),
    healthCheck('14:05:00'),
    healthCheck('14:10:00'),
    healthCheck('14:15:00'),
    healthCheck('14:20:00'),
    healthCheck('14:25:00'),
    healthCheck('14:30:00'),
    flow('15:02:00', API, SCANNER, 'inbound REJECT', '1 packet, 44 bytes, SYN only'),
  ],
  windows: [{ resource: LISTENER, openedAt: at('14:00:12'), closedAt: null, rule: 'HTTPS listener on 8443 (internal load balancer)' }],
};

/** The port runbook's questions as its report lists them (runbooks/port-exposure/runbook.yaml). */
export const PORT_QUESTIONS: Report['questions'] = [
  {
    id: 'q1',
    label: 'When did the first request hit port 8443?',
    answer: 'firstSeen',
    type: 'time',
    answerLabel: 'first seen',
    details: [
      { label: 'first request', answer: 'firstRequest', type: 'time' },
      { label: 'first exposure change', answer: 'firstChange', type: 'time' },
    ],
  },
  { id: 'q2', label: 'Inbound, outbound, or both?', answer: 'direction', type: 'direction', details: [] },
  { id: 'q3', label: 'Which AWS service logged it?', answer: 'eventSources', type: 'list', details: [] },
  { id: 'q4', label: 'Did it carry credentials, tokens or API requests?', answer: 'credentials', type: 'credentials', details: [] },
  { id: 'q5', label: 'Was the source known, allowed, or suspicious?', answer: 'sources', type: 'parties', details: [] },
];

/** The sample report. Findings are deliberately NOT in severity order: the renderers sort. */
export function sampleReport(): Report {
  const findings: Finding[] = [ticket, falsePositive, isolate, escalate].map((f) => ({ ...f, signals: {} }));
  const rowAt = (ts: string | null, flow: boolean) => {
    for (const f of findings)
      for (const row of f.evidence) if (row.ts === ts && row.source_ref.startsWith('flow:') === flow) return { finding: f.id, source_ref: row.source_ref };
    return undefined;
  };
  return structuredClone({
    schema: 'trailbook.report/v2',
    generatedAt: '2024-05-15T03:12:00Z',
    runbook: { id: 'port-exposure', version: 'git:4d5d372', title: 'Port exposure — who opened it, who came through, what to do' },
    subject: 'port 8443',
    steps: [
      { id: 'exposures', kind: 'exposures', title: 'Changes that opened, closed or tried to open a path to the port', rows: 11 },
      { id: 'connections', kind: 'flows', title: 'Connections to and from the port', rows: 21 },
    ],
    questions: PORT_QUESTIONS,
    answerRows: Object.fromEntries(
      [
        ['firstRequest', rowAt(at('08:40:05'), true)],
        ['firstChange', rowAt(at('09:12:07'), false)],
      ].filter((e): e is [string, { finding: string; source_ref: string }] => e[1] !== undefined),
    ),
    parameters: { port: 8443, from: '2024-05-14T00:00:00Z', to: '2024-05-15T00:00:00Z' },
    inputs: {
      cloudtrail: { files: 62, events: 253, skipped: [] },
      vpcflow: { files: 6, records: 28, skipped: [] },
      intel: [{ name: 'threat-feed.txt', entries: 2, sha256: '9b2c4d7e0f1a3b5c6d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e' }],
    },
    answers: {
      firstSeen: at('08:40:05'),
      firstRequest: at('08:40:05'),
      firstChange: at('09:12:07'),
      direction: 'both',
      eventSources: ['ec2.amazonaws.com', 'elasticloadbalancing.amazonaws.com'],
      credentials: [isolate.credentials!, escalate.credentials!, ticket.credentials!, falsePositive.credentials!],
      sources: [isolate.sources[0]!, isolate.sources[1]!, isolate.sources[2]!, ticket.sources[0]!, ...falsePositive.sources],
    },
    findings,
  } satisfies Report);
}

/** Payloads an attacker can put in log fields (userAgent, errorMessage, names, descriptions). */
export const HOSTILE = {
  script: '<script>alert("x")</script>',
  img: '"><img src=x onerror=alert(1)>',
  style: '</style><script>alert(2)</script>',
  ansi: '\u001b[31mRED\u001b[0m\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007',
  carriage: 'ok\rFAKE LINE',
  markdown: 'a|b `c` **d**\n# heading [x](javascript:alert(1)) <b>e</b>',
  bidi: 'user\u202egpj.exe',
  csi: 'c1\u009b31m',
} as const;

/** The sample report with hostile text in every field a log can influence. */
export function hostileReport(): Report {
  const r = sampleReport();
  const all = Object.values(HOSTILE).join(' ');
  r.runbook.id = HOSTILE.style;
  r.parameters['note'] = HOSTILE.script;
  // Parameters reach the subject and question labels through templates (`{{$name}}`).
  r.subject = `${r.subject} ${HOSTILE.script}`;
  r.questions[1]!.label = `${r.questions[1]!.label} ${HOSTILE.img} ${HOSTILE.ansi}`;
  r.inputs.cloudtrail.skipped.push({ path: `AWSLogs/${HOSTILE.img}.json.gz`, reason: HOSTILE.ansi });
  (r.answers['eventSources'] as string[]).push(HOSTILE.markdown);
  (r.answers['sources'] as SourceAssessment[]).push({ ip: HOSTILE.img, verdict: 'suspicious', reasons: [all] });
  (r.answers['credentials'] as Credentials[])[0]!.arn = `arn:aws:iam::1:user/${HOSTILE.script}`;
  for (const f of r.findings) {
    f.title = `${f.title} ${HOSTILE.script} ${HOSTILE.carriage}`;
    f.decision.reasons.push(all);
    f.decision.path.push(HOSTILE.img);
    f.decision.verify = HOSTILE.markdown;
    f.eventSources.push(HOSTILE.bidi);
    if (f.credentials) f.credentials.arn = `arn:aws:iam::1:user/${HOSTILE.img}`;
    f.sources.push({ ip: HOSTILE.style, verdict: 'suspicious', reasons: [HOSTILE.ansi, HOSTILE.csi] });
    for (const row of f.evidence) {
      row.actor = HOSTILE.img;
      row.resource = HOSTILE.style;
      row.detail = all;
      for (const from of Object.values(r.answerRows)) if (from.source_ref === row.source_ref) from.source_ref = `${row.source_ref}${HOSTILE.markdown}`;
      row.source_ref = `${row.source_ref}${HOSTILE.markdown}`;
    }
    if (f.evidence[0]) f.evidence[0].action = `${f.evidence[0].action} ${HOSTILE.ansi}`;
    for (const w of f.windows ?? []) {
      w.resource = HOSTILE.script;
      w.rule = HOSTILE.img;
    }
  }
  return r;
}

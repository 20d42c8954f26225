import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { caseFolderWriter } from './case-folder.js';

const DEFAULT_OUT = 'runbooks/logging-tampering/tests';
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const NOW = '2024-06-04T00:00:00Z';
const TRAIL = 'org-audit-trail';
const TRAIL_BUCKET = 'audit-trail-logs-111122223333';

// Who is who: the feed and the trusted file below say so, and expected.yaml relies on it.
const ATTACKER = '198.51.100.23'; // on the threat feed
const STRANGER = '198.51.100.140'; // public, on no list: suspicious
const OFFICE = '203.0.113.10'; // head-office egress: allowed
const RUNNER = '192.0.2.200'; // a hosted CI runner: public, on no list (the pipeline's role is approved)
const BUILD_HOST = '10.9.0.5'; // private, outside the trusted VPC: known, not allowed

const FEED = `# Threat feed of the logging-tampering test cases.\n${ATTACKER}  # credential abuse seen across customers\n`;
const TRUSTED = `# Trusted networks of the logging-tampering test cases (examples/trusted-networks.yaml documents every field).
version: 1
corporate:
  - name: head-office-egress
    cidrs: [203.0.113.0/25]
vpcs:
  - name: production-vpc
    cidrs: [10.0.0.0/16]
principals:
  - name: platform-pipeline
    arns: ["arn:aws:iam::${ACCOUNT}:role/platform-deployer"]
`;

type Identity = Record<string, unknown>;
const user = (name: string, key: string): Identity => ({
  type: 'IAMUser',
  principalId: `AIDAQEXAMPLE${name.toUpperCase().padEnd(8, '0').slice(0, 8)}`,
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accountId: ACCOUNT,
  accessKeyId: key,
  userName: name,
});
const role = (name: string, session: string, key: string): Identity => ({
  type: 'AssumedRole',
  principalId: `AROAQEXAMPLE${key.slice(12)}:${session}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
  accountId: ACCOUNT,
  accessKeyId: key,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: `AROAQEXAMPLE${key.slice(12)}`,
      arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      accountId: ACCOUNT,
      userName: name,
    },
    attributes: { creationDate: '2024-06-03T08:00:00Z', mfaAuthenticated: 'false' },
  },
});
const who = {
  alice: user('alice', 'AKIAQEXAMPLEALICE001'), // an engineer
  bob: user('bob', 'AKIAQEXAMPLEBOB00001'),
  legacy: user('svc-legacy', 'AKIAQEXAMPLELEGACY01'), // an old service user on no list
  pipeline: role('platform-deployer', 'run-4711', 'ASIAQEXAMPLEPIPELINE'), // approved
  builder: role('build-box', 'i-0a12b34c56d78e901', 'ASIAQEXAMPLEBUILDBOX'), // not approved
};

/** One CloudTrail call: [time hh:mm:ss, caller, address, event source, event name, request, error code]. */
type Call = [time: string, identity: Identity, ip: string, source: string, name: string, request: unknown, error?: string];
const CT = 'cloudtrail.amazonaws.com';
const EC2 = 'ec2.amazonaws.com';
const GD = 'guardduty.amazonaws.com';
const LOGS = 'logs.amazonaws.com';

function record(caseNo: number, seq: number, [time, identity, ip, source, name, request, error]: Call): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: `2024-06-03T${time}Z`,
    eventSource: source,
    eventName: name,
    awsRegion: REGION,
    sourceIPAddress: ip,
    userAgent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8',
    requestParameters: request,
    responseElements: null,
    requestID: `${String(caseNo).padStart(4, '0')}${String(seq).padStart(4, '0')}-7b2f-4d3c-8e00-000000000000`,
    eventID: idOf(caseNo, seq),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...(error ? { errorCode: error, errorMessage: `User: ${String(identity['arn'])} is not authorized to perform: ${name}` } : {}),
  };
}

/** Event ids are `106e…-<case number>-<sequence>`: readable in a diff, unique across cases. */
function idOf(caseNo: number, seq: number): string {
  return `106e0000-0000-4000-8000-${String(caseNo).padStart(4, '0')}${String(seq).padStart(8, '0')}`;
}

const trail = { name: TRAIL };
const flowLog = { DeleteFlowLogsRequest: { FlowLogId: { content: 'fl-0a1b2c3d4e5f60718', tag: 1 } } };
const createFlowLog = {
  CreateFlowLogsRequest: { ResourceId: { content: 'vpc-0a1b2c3d4e5f67890', tag: 1 }, ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 's3' },
};
const detector = { detectorId: '12abc34d567e8fa901bc2d34e56789f0' };
const leaf = (action: string, id: string) => ({ action, leaf: id });
/** The trail stopped at `stop` and started again at `start` (hh:mm:ss), each by its caller. */
const stopStart = (stop: [string, Identity, string], start: [string, Identity, string]): Call[] => [
  [stop[0], stop[1], stop[2], CT, 'StopLogging', trail],
  [start[0], start[1], start[2], CT, 'StartLogging', trail],
];
/** The pipeline deletes the VPC's flow log at 07:00 and creates its replacement at `recreated`. */
const pipelineReplacesFlowLog = (recreated: string): Call[] => [
  ['07:00:00', who.pipeline, RUNNER, EC2, 'DeleteFlowLogs', flowLog],
  [recreated, who.pipeline, RUNNER, EC2, 'CreateFlowLogs', createFlowLog],
];
/** Refused DeleteDetector at 05:00 and DeleteFlowLogs at 05:02, by one caller from one address. */
const refusedBurst = (identity: Identity, ip: string): Call[] => [
  ['05:00:00', identity, ip, GD, 'DeleteDetector', detector, 'AccessDeniedException'],
  ['05:02:00', identity, ip, EC2, 'DeleteFlowLogs', flowLog, 'Client.UnauthorizedOperation'],
];
/** The trail is created on its bucket at 01:00; at 12:00 the stranger expires `bucket`'s objects after `days`. */
const expireBucketAfterTrail = (bucket: string, days = 1): Call[] => [
  ['01:00:00', who.pipeline, RUNNER, CT, 'CreateTrail', { name: TRAIL, s3BucketName: TRAIL_BUCKET, isMultiRegionTrail: true }],
  [
    '12:00:00',
    who.legacy,
    STRANGER,
    's3.amazonaws.com',
    'PutBucketLifecycle',
    { bucketName: bucket, LifecycleConfiguration: { Rule: { ID: 'expire', Status: 'Enabled', Expiration: { Days: days } } } },
  ],
];

interface CaseSpec {
  name: string;
  /** The leaf whose case this one differs from in one fact, landing elsewhere (its description says so). */
  nearMissOf?: string;
  description: string;
  parameters?: Record<string, string | number>;
  calls: Call[];
  expected: (id: (seq: number) => string) => Record<string, unknown>;
}

const CASES: CaseSpec[] = [
  // isolate-hostile: a threat-feed caller touched logging, even though AWS refused it.
  {
    name: 'isolate-hostile-refused-stop',
    description: 'An address on the threat feed tries StopLogging and is refused: a hostile caller working on the logging at all is evidence (isolate).',
    calls: [['02:14:05', who.legacy, ATTACKER, CT, 'StopLogging', trail, 'AccessDenied']],
    expected: (id) => ({
      action: 'isolate',
      answers: { stillDark: false, wentDark: [], actions: ['StopLogging'] },
      findings: [{ kind: 'attempt', eventIds: [id(1)], signals: { callerHostile: true }, decision: leaf('isolate', 'isolate-hostile') }],
    }),
  },
  {
    name: 'escalate-refused-stop-from-stranger',
    nearMissOf: 'isolate-hostile',
    description: 'The same refused StopLogging from a public address on no list: nothing went dark and no feed names it (escalate, not isolate).',
    calls: [['02:14:05', who.legacy, STRANGER, CT, 'StopLogging', trail, 'AccessDenied']],
    expected: () => ({
      action: 'escalate',
      findings: [{ kind: 'attempt', signals: { callerHostile: false, callerSuspicious: true }, decision: leaf('escalate', 'escalate-refused-suspicious') }],
    }),
  },
  {
    name: 'isolate-hostile-deleted-flow-logs',
    description: 'A threat-feed address deletes a VPC flow log: isolate, whatever else the tree would say.',
    calls: [['02:20:00', who.legacy, ATTACKER, EC2, 'DeleteFlowLogs', flowLog]],
    expected: (id) => ({
      action: 'isolate',
      answers: { firstDark: '2024-06-03T02:20:00Z', wentDark: ['flow-logs fl-0a1b2c3d4e5f60718'], stillDark: true },
      findings: [
        {
          kind: 'tampering',
          eventIds: [id(1)],
          title: `flow-logs fl-0a1b2c3d4e5f60718: deleted by ${String(who.legacy['arn'])}`,
          decision: leaf('isolate', 'isolate-hostile'),
        },
      ],
    }),
  },

  // isolate-still-dark: a stranger reduced logging and nothing restored it.
  {
    name: 'isolate-stranger-stopped-trail',
    description:
      'A long-term key from a public address on no list stops the trail and nothing starts it again (isolate): every later answer from these logs may be blind.',
    calls: [['03:01:10', who.legacy, STRANGER, CT, 'StopLogging', { name: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}` }]],
    expected: (id) => ({
      action: 'isolate',
      answers: { firstDark: '2024-06-03T03:01:10Z', wentDark: [`trail ${TRAIL}`], stillDark: true, stillDarkList: [`trail ${TRAIL}`], restoredList: [] },
      findings: [
        {
          kind: 'tampering',
          eventIds: [id(1)],
          title: `trail ${TRAIL}: stopped by ${String(who.legacy['arn'])}`,
          credentials: { arn: String(who.legacy['arn']), keyKind: 'long-term' },
          signals: { reduced: true, stillDark: true, restored: false, callerSuspicious: true },
          decision: leaf('isolate', 'isolate-still-dark'),
        },
      ],
    }),
  },
  {
    name: 'escalate-stranger-stopped-and-restarted-trail',
    nearMissOf: 'isolate-still-dark',
    description: 'The stranger stops the trail and starts it again four minutes later: no longer dark, but nobody vouches for who did either (escalate).',
    calls: stopStart(['03:01:10', who.legacy, STRANGER], ['03:05:10', who.legacy, STRANGER]),
    expected: (id) => ({
      action: 'escalate',
      answers: { stillDark: false, stillDarkList: [], restoredList: [`trail ${TRAIL}: dark 4.0 min, restored by ${String(who.legacy['arn'])}`] },
      findings: [
        {
          kind: 'tampering',
          eventIds: [id(1), id(2)],
          signals: { restored: true, restoredQuickly: true, restoredBySameActor: true, restorerKnown: false },
          decision: leaf('escalate', 'escalate-unknown-restorer'),
        },
      ],
    }),
  },
  {
    name: 'isolate-stranger-stopped-twice',
    description: 'Stopped, started, stopped again by the stranger: the second stop is still in force (isolate), though the first was restored.',
    calls: [...stopStart(['03:01:10', who.legacy, STRANGER], ['03:05:10', who.legacy, STRANGER]), ['03:30:00', who.legacy, STRANGER, CT, 'StopLogging', trail]],
    expected: () => ({
      action: 'isolate',
      answers: { firstDark: '2024-06-03T03:01:10Z', stillDark: true },
      findings: [{ kind: 'tampering', signals: { stillDark: true, restored: false }, decision: leaf('isolate', 'isolate-still-dark') }],
    }),
  },
  {
    name: 'isolate-stranger-dropped-management-events',
    description:
      'The stranger keeps the trail running but its event selectors drop management events (Stratus cloudtrail-event-selectors): a weakening still in force (isolate).',
    calls: [
      [
        '04:00:00',
        who.legacy,
        STRANGER,
        CT,
        'PutEventSelectors',
        {
          trailName: TRAIL,
          eventSelectors: [
            {
              dataResources: [{ type: 'AWS::S3::Object', values: [] }],
              excludeManagementEventSources: [],
              includeManagementEvents: false,
              readWriteType: 'ReadOnly',
            },
          ],
        },
      ],
    ],
    expected: () => ({
      action: 'isolate',
      findings: [{ kind: 'tampering', title: `trail ${TRAIL}: weakened by ${String(who.legacy['arn'])}`, decision: leaf('isolate', 'isolate-still-dark') }],
    }),
  },
  {
    name: 'escalate-stranger-dropped-selectors-office-restored',
    nearMissOf: 'isolate-still-dark',
    description:
      'The stranger drops management events and an engineer at head office puts them back five minutes later: the restoring call is evidence of the one finding, not a finding of its own; a stranger did it (escalate).',
    calls: [
      [
        '04:00:00',
        who.legacy,
        STRANGER,
        CT,
        'PutEventSelectors',
        { trailName: TRAIL, eventSelectors: [{ includeManagementEvents: false, readWriteType: 'All' }] },
      ],
      ['04:05:00', who.alice, OFFICE, CT, 'PutEventSelectors', { trailName: TRAIL, eventSelectors: [{ includeManagementEvents: true, readWriteType: 'All' }] }],
    ],
    expected: (id) => ({
      action: 'escalate',
      answers: { stillDark: false, restoredList: [`trail ${TRAIL}: dark 5.0 min, restored by ${String(who.alice['arn'])}`] },
      findings: [
        {
          kind: 'tampering',
          eventIds: [id(1), id(2)],
          title: `trail ${TRAIL}: weakened by ${String(who.legacy['arn'])}`,
          signals: { restored: true, restorerKnown: true, callersAllowed: false },
          decision: leaf('escalate', 'escalate-unlisted'),
        },
      ],
    }),
  },
  {
    name: 'isolate-stranger-disabled-guardduty',
    description: 'The stranger disables the GuardDuty detector (UpdateDetector enable=false): detection stopped and not re-enabled (isolate).',
    calls: [['04:10:00', who.legacy, STRANGER, GD, 'UpdateDetector', { ...detector, enable: false }]],
    expected: () => ({
      action: 'isolate',
      answers: { wentDark: [`guardduty ${detector.detectorId}`] },
      findings: [{ kind: 'tampering', decision: leaf('isolate', 'isolate-still-dark') }],
    }),
  },

  // escalate-refused-suspicious and ticket-refused-known: refused attempts, one finding per burst.
  {
    name: 'escalate-refused-burst-from-stranger',
    description: 'Two refused calls (DeleteDetector, DeleteFlowLogs) within two minutes from a public address on no list: one attempt finding (escalate).',
    calls: refusedBurst(who.legacy, STRANGER),
    expected: (id) => ({
      action: 'escalate',
      answers: { firstAttempt: '2024-06-03T05:00:00Z', stillDark: false, actions: ['DeleteDetector', 'DeleteFlowLogs'] },
      findings: [
        {
          kind: 'attempt',
          eventIds: [id(1), id(2)],
          title: `2 refused attempts to reduce logging (DeleteDetector, DeleteFlowLogs) by ${String(who.legacy['arn'])}`,
          decision: leaf('escalate', 'escalate-refused-suspicious'),
        },
      ],
    }),
  },
  {
    name: 'ticket-refused-burst-from-office',
    nearMissOf: 'escalate-refused-suspicious',
    description: 'The same refused calls from head office: nothing went dark and the place is ours (ticket).',
    calls: refusedBurst(who.alice, OFFICE),
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'attempt', signals: { callerSuspicious: false }, decision: leaf('ticket', 'ticket-refused-known') }],
    }),
  },
  {
    name: 'no-finding-refused-widening',
    nearMissOf: 'ticket-refused-known',
    description: 'A refused UpdateTrail that would have widened logging is no attempt to reduce it: no finding.',
    calls: [['05:10:00', who.alice, OFFICE, CT, 'UpdateTrail', { ...trail, isMultiRegionTrail: true }, 'AccessDenied']],
    expected: () => ({ answers: { stillDark: false, actions: [] }, findings: [] }),
  },

  // false-positive-no-reduction: changes that keep or widen logging.
  {
    name: 'false-positive-trail-widened',
    description: 'UpdateTrail turning multi-region logging and log file validation on: nothing went dark (false positive).',
    calls: [['06:00:00', who.alice, OFFICE, CT, 'UpdateTrail', { ...trail, isMultiRegionTrail: true, enableLogFileValidation: true }]],
    expected: () => ({
      action: 'false-positive',
      answers: { wentDark: [], stillDark: false },
      findings: [
        {
          kind: 'tampering',
          title: `trail ${TRAIL}: no-reduction by ${String(who.alice['arn'])}`,
          signals: { reduced: false },
          decision: leaf('false-positive', 'false-positive-no-reduction'),
        },
      ],
    }),
  },
  {
    name: 'ticket-trail-narrowed-from-office',
    nearMissOf: 'false-positive-no-reduction',
    description: 'The same UpdateTrail turning multi-region logging off, from head office by an engineer: a reduction from a trusted network (ticket).',
    calls: [['06:00:00', who.alice, OFFICE, CT, 'UpdateTrail', { ...trail, isMultiRegionTrail: false }]],
    expected: () => ({
      action: 'ticket',
      findings: [
        {
          kind: 'tampering',
          title: `trail ${TRAIL}: weakened by ${String(who.alice['arn'])}`,
          signals: { reduced: true, callersAllowed: true },
          decision: leaf('ticket', 'ticket-trusted-change'),
        },
      ],
    }),
  },

  // false-positive-replaced: the approved pipeline replaces a flow log within minutes.
  {
    name: 'false-positive-pipeline-replaced-flow-log',
    description: 'The approved pipeline deletes a flow log and creates its replacement two minutes later (false positive).',
    calls: pipelineReplacesFlowLog('07:02:00'),
    expected: (id) => ({
      action: 'false-positive',
      answers: { stillDark: false, restoredList: [`flow-logs fl-0a1b2c3d4e5f60718: dark 2.0 min, restored by arn:aws:iam::${ACCOUNT}:role/platform-deployer`] },
      findings: [
        {
          kind: 'tampering',
          eventIds: [id(1), id(2)],
          signals: { restored: true, restoredQuickly: true, approvedPrincipal: true, restorerApproved: true },
          decision: leaf('false-positive', 'false-positive-replaced'),
        },
      ],
    }),
  },
  {
    name: 'ticket-pipeline-replaced-flow-log-slowly',
    nearMissOf: 'false-positive-replaced',
    description: 'The same replacement forty minutes later (past restore_within_minutes, 15): an approved change with a gap in the flow logs (ticket).',
    calls: pipelineReplacesFlowLog('07:40:00'),
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'tampering', signals: { restored: true, restoredQuickly: false }, decision: leaf('ticket', 'ticket-trusted-change') }],
    }),
  },
  {
    name: 'false-positive-pipeline-replaced-slowly-longer-limit',
    nearMissOf: 'ticket-trusted-change',
    description: 'The forty-minute replacement with restore_within_minutes=60 is quick again (false positive).',
    parameters: { restore_within_minutes: 60 },
    calls: pipelineReplacesFlowLog('07:40:00'),
    expected: () => ({ action: 'false-positive', findings: [{ kind: 'tampering', decision: leaf('false-positive', 'false-positive-replaced') }] }),
  },

  // ticket-restored-quickly: an engineer turns the trail off and on again from the office.
  {
    name: 'ticket-engineer-restarted-trail',
    description: 'An engineer at head office stops the trail and starts it again five minutes later (ticket: the gap is the question).',
    calls: stopStart(['08:00:00', who.alice, OFFICE], ['08:05:00', who.alice, OFFICE]),
    expected: () => ({
      action: 'ticket',
      findings: [
        {
          kind: 'tampering',
          signals: { restoredBySameActor: true, restoredQuickly: true, restorerKnown: true },
          decision: leaf('ticket', 'ticket-restored-quickly'),
        },
      ],
    }),
  },
  {
    name: 'ticket-engineer-trail-restarted-by-colleague',
    nearMissOf: 'ticket-restored-quickly',
    description: 'A colleague at head office starts it again, not the engineer who stopped it: still a trusted change (ticket), not the same-actor leaf.',
    calls: stopStart(['08:00:00', who.alice, OFFICE], ['08:05:00', who.bob, OFFICE]),
    expected: () => ({
      action: 'ticket',
      findings: [{ kind: 'tampering', signals: { restoredBySameActor: false, restorerKnown: true }, decision: leaf('ticket', 'ticket-trusted-change') }],
    }),
  },

  // ticket-trusted-change: the approved pipeline decommissions a trail.
  {
    name: 'ticket-pipeline-deleted-trail',
    description: 'The approved pipeline deletes a trail and nothing re-creates it (a decommissioning): ticket, to match it with a change request.',
    calls: [['09:00:00', who.pipeline, RUNNER, CT, 'DeleteTrail', { name: 'legacy-trail' }]],
    expected: () => ({
      action: 'ticket',
      answers: { stillDark: true, stillDarkList: ['trail legacy-trail'] },
      findings: [
        {
          kind: 'tampering',
          signals: { stillDark: true, approvedPrincipal: true, callerSuspicious: false },
          decision: leaf('ticket', 'ticket-trusted-change'),
        },
      ],
    }),
  },
  {
    name: 'isolate-unapproved-role-deleted-trail',
    nearMissOf: 'ticket-trusted-change',
    description: 'The same DeleteTrail from the same runner by a role the trusted file does not approve: a stranger blinded the account (isolate).',
    calls: [['09:00:00', who.builder, RUNNER, CT, 'DeleteTrail', { name: 'legacy-trail' }]],
    expected: () => ({
      action: 'isolate',
      findings: [{ kind: 'tampering', signals: { approvedPrincipal: false }, decision: leaf('isolate', 'isolate-still-dark') }],
    }),
  },

  // escalate-unlisted: a known (private) but unvouched caller shortens retention.
  {
    name: 'escalate-private-host-shortened-retention',
    description: 'An unapproved role from a private address outside the trusted VPC sets a log group to keep 1 day: known, not allowed (escalate).',
    calls: [['10:00:00', who.builder, BUILD_HOST, LOGS, 'PutRetentionPolicy', { logGroupName: '/aws/cloudtrail/org-audit', retentionInDays: 1 }]],
    expected: () => ({
      action: 'escalate',
      answers: { wentDark: ['log-group /aws/cloudtrail/org-audit'] },
      findings: [{ kind: 'tampering', signals: { callerSuspicious: false, callersAllowed: false }, decision: leaf('escalate', 'escalate-unlisted') }],
    }),
  },
  {
    name: 'no-finding-retention-thirty-days',
    nearMissOf: 'escalate-unlisted',
    description: 'The same call keeping 30 days is above short_retention_days (7): no finding.',
    calls: [['10:00:00', who.builder, BUILD_HOST, LOGS, 'PutRetentionPolicy', { logGroupName: '/aws/cloudtrail/org-audit', retentionInDays: 30 }]],
    expected: () => ({ action: undefined, findings: [] }),
  },
  {
    name: 'escalate-stranger-stopped-pipeline-restored',
    nearMissOf: 'escalate-unknown-restorer',
    description:
      'The same stop by the stranger, but the approved pipeline starts the trail again (drift remediation): the restorer is vouched for, the stopper is not (escalate as unlisted).',
    calls: stopStart(['11:00:00', who.legacy, STRANGER], ['11:03:00', who.pipeline, RUNNER]),
    expected: () => ({
      action: 'escalate',
      findings: [
        { kind: 'tampering', signals: { restored: true, restorerApproved: true, approvedPrincipal: false }, decision: leaf('escalate', 'escalate-unlisted') },
      ],
    }),
  },

  // The trail's bucket: a lifecycle rule on the bucket a trail delivers to is a weakening.
  {
    name: 'isolate-stranger-expires-trail-bucket',
    description: 'The stranger puts a 1-day expiration on the bucket the trail was created with: the evidence is deleted as it arrives (isolate).',
    calls: expireBucketAfterTrail(TRAIL_BUCKET),
    expected: (id) => ({
      action: 'isolate',
      answers: { wentDark: [`trail-bucket ${TRAIL_BUCKET}`] },
      findings: [{ kind: 'tampering', eventIds: [id(2)], decision: leaf('isolate', 'isolate-still-dark') }],
    }),
  },
  {
    name: 'no-finding-lifecycle-other-bucket',
    nearMissOf: 'isolate-still-dark',
    description: 'The same lifecycle rule on a bucket no trail delivers to is not about logging: no finding.',
    calls: expireBucketAfterTrail('build-artifacts-111122223333'),
    expected: () => ({ findings: [] }),
  },
  {
    name: 'no-finding-trail-bucket-long-lifecycle',
    nearMissOf: 'isolate-still-dark',
    description:
      'The same caller puts a 400-day expiration on the trail bucket: longer than short_retention_days (7), a retention policy, not a purge: no finding.',
    calls: expireBucketAfterTrail(TRAIL_BUCKET, 400),
    expected: () => ({ findings: [] }),
  },
];

const HEADER = '# Generated by scripts/make-logging-tampering-cases.ts: edit the script and re-run it, not this file.\n';

/** Writes every case into `out` (emptied first) and returns how many there are. */
export function writeCases(out: string): number {
  // Every file of every case, by path under out.
  const files = new Map<string, string>();
  for (const [index, spec] of CASES.entries()) {
    const caseNo = index + 1;
    const expected: Record<string, unknown> = {
      description: spec.nearMissOf ? `Near miss of ${spec.nearMissOf}: ${spec.description}` : spec.description,
      now: NOW,
    };
    if (spec.parameters) expected['parameters'] = spec.parameters;
    for (const [key, value] of Object.entries(spec.expected((seq) => idOf(caseNo, seq)))) if (value !== undefined) expected[key] = value;
    files.set(join(spec.name, 'cloudtrail.json'), JSON.stringify({ Records: spec.calls.map((call, i) => record(caseNo, i + 1, call)) }, null, 2) + '\n');
    files.set(join(spec.name, 'intel', 'threat-feed.txt'), FEED);
    files.set(join(spec.name, 'trusted-networks.yaml'), TRUSTED);
    files.set(join(spec.name, 'expected.yaml'), HEADER + stringify(expected, { lineWidth: 0 }));
  }
  const write = caseFolderWriter(out);
  for (const [path, text] of files) write(path, text);
  return CASES.length;
}

// As a script: `node --import tsx scripts/make-logging-tampering-cases.ts [out]`; tests import writeCases instead.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] ?? DEFAULT_OUT;
  console.log(`${writeCases(out)} cases written to ${out}`);
}

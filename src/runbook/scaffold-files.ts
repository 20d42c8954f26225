/**
 * The files `trailbook runbook new` writes: a small runbook that lints clean and whose two test
 * cases pass as written, so an author starts from something that works and changes one thing at
 * a time (docs/runbook-format.md, "Writing a runbook"). It looks for security-group ingress
 * opened to a CIDR (the whole internet by default) and escalates when the root user did it.
 */

export interface ScaffoldValues {
  id: string;
  /** YYYY-MM-DD: the day of scaffolding counts as the first review. */
  reviewed: string;
}

export function runbookYaml({ id, reviewed }: ScaffoldValues): string {
  return `# Written by \`trailbook runbook new\`. The format: docs/runbook-format.md and schemas/runbook.schema.json of trailbook.
id: ${id}
title: Security-group ingress opened to a CIDR (edit me)
version: 0.1.0
description: >
  Security-group ingress rules opened to a CIDR (the whole internet by default), one finding per
  security group, escalated when the root user made the change. A starting point: change the
  SQL, the finding rule and the decision tree to what your team needs to ask.
owner: security-engineering
reviewed: ${reviewed}
reviewInterval: 90d

parameters:
  cidr:
    type: string
    description: The CIDR an ingress rule must name to count.
    default: 0.0.0.0/0
  from:
    type: timestamp
    description: Start of the time window.
    default: now-30d

steps:
  - id: ingress_opened
    title: Ingress rules that name the CIDR
    kind: sql
    # Parameters are bound by the engine ($cidr, $from), never spliced into the text.
    sql: |
      SELECT eventtime AS ts, useridentity.arn AS actor, sourceipaddress AS source_ip,
        eventname AS action, json_extract_scalar(requestparameters, '$.groupId') AS resource,
        recipientaccountid AS account_id, awsregion AS region, eventid AS source_ref,
        eventsource AS event_source
      FROM cloudtrail_logs
      WHERE eventname = 'AuthorizeSecurityGroupIngress'
        AND errorcode IS NULL
        AND strpos(requestparameters, $cidr) > 0
        AND eventtime >= $from

findings:
  - id: opened
    kind: exposure
    step: ingress_opened
    groupBy: [resource]
    title: "{{resource}} opened to {{$cidr}} by {{actor[]}}"

# Facts the decision tree tests, computed per finding from its rows (\`any\`, \`every\`, \`count\`)
# or from the finding (\`when\`). docs/runbook-format.md lists the columns every row carries.
signals:
  byRoot:
    description: the root user made the change
    when: { field: credentials.identityType, op: eq, value: Root }
  groups:
    description: how many changes the finding holds
    count: { field: evidence, op: eq, value: cloudtrail }

# Values over all findings (the report's answers), and the questions the report asks with them.
answers:
  firstSeen: { reduce: earliest, field: firstSeen, description: The first opening of any finding. }
  eventSources: { reduce: distinct, field: "eventSources[]" }
  credentials: { reduce: credentials }
  sources: { reduce: parties }

questions:
  - { id: first, label: "When was a group first opened to {{$cidr}}?", answer: firstSeen }
  - { id: logged, label: Which AWS service logged it?, answer: eventSources }
  - { id: who, label: Which credentials made the change?, answer: credentials }
  - { id: from, label: "From where: known, allowed or suspicious?", answer: sources }

report:
  subject: "ingress open to {{$cidr}}"

decision:
  root: by-root
  nodes:
    - id: by-root
      label: Did the root user open it?
      when: { field: signals.byRoot, op: eq, value: true }
      then: escalate-root
      else: ticket-change
    - id: escalate-root
      action: escalate
      reasons: [The root user opened a security group to the CIDR; root should not be used for changes.]
      verify: Ask the account owner whether they used root, then check the root user's other calls.
    - id: ticket-change
      action: ticket
      reasons: [An IAM identity opened a security group to the CIDR.]
      verify: Find the change request; close the rule if there is none.
`;
}

export function readme({ id }: ScaffoldValues): string {
  return `# ${id}

Written by \`trailbook runbook new\`: a working runbook to change into yours. Each part of
\`runbook.yaml\`:

- **id, title, version, description**: what the runbook is. Raise \`version\` when you change what
  it asks or decides; reports record it with a hash of \`runbook.yaml\` and, in git, the commit.
- **owner, reviewed, reviewInterval**: who answers for it and when it was last checked against
  how the team works. \`trailbook runbook lint\` warns when a review is overdue; \`trailbook
  runbook list\` shows the review state of every runbook.
- **parameters**: typed values the SQL reads as \`$name\`, bound by the engine, never spliced.
- **steps**: the evidence tables. Every step starts with the shared columns \`ts, actor,
  source_ip, action, resource, account_id, region, source_ref\`.
- **findings**: how the rows of a step group into findings (here: one per security group).
- **signals**: the facts the decision tree tests, computed per finding from its rows or from the
  finding itself (\`signals.byRoot\` below) — YAML, reviewed like the rest, no code.
- **answers** and **questions**: the values computed over all findings, and the questions the
  report asks with them, in every format.
- **decision**: the tree evaluated per finding; each leaf is an action with its reasons and what
  to verify.

## Tests

\`tests/<case>/\` holds the logs of one situation (\`cloudtrail.json\`) and \`expected.yaml\`, what
a correct run finds. Every decision leaf has a case and a near miss:

- \`escalate-root-opened-to-internet\`: the root user opens a group to 0.0.0.0/0 (escalate).
- \`ticket-user-opened-to-internet\`: the same change by an IAM user (ticket), and a rule for a
  single address that must not be found.

## Edit, lint, test

\`\`\`sh
trailbook runbook lint ${id}      # structure, then meaning, SQL checked against the tables
trailbook runbook test ${id}      # every case in tests/
trailbook runbook plan ${id}      # the SQL and the values it will be run with
\`\`\`

## Verifying a false positive

Find the change request for the rule; a rule for a load balancer's public listener is expected.
`;
}

function ingressEvent(values: { eventId: string; time: string; identity: string; groupId: string; cidr: string; sourceIp: string }): unknown {
  return {
    eventVersion: '1.09',
    userIdentity: JSON.parse(values.identity) as unknown,
    eventTime: values.time,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'us-east-1',
    sourceIPAddress: values.sourceIp,
    userAgent: 'aws-cli/2.15.0',
    requestParameters: {
      groupId: values.groupId,
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: values.cidr }] } }] },
    },
    responseElements: { _return: true },
    eventID: values.eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  };
}

const ROOT = JSON.stringify({
  type: 'Root',
  principalId: '111122223333',
  arn: 'arn:aws:iam::111122223333:root',
  accountId: '111122223333',
  accessKeyId: 'ASIAEXAMPLEROOT00001',
});
const USER = JSON.stringify({
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEUSER00001',
  arn: 'arn:aws:iam::111122223333:user/ops',
  accountId: '111122223333',
  accessKeyId: 'AKIAEXAMPLEUSER00001',
  userName: 'ops',
});

function records(events: unknown[]): string {
  return JSON.stringify({ Records: events }, null, 2) + '\n';
}

/** Test case folder name → its files. */
export function testCases(): Record<string, Record<string, string>> {
  return {
    'escalate-root-opened-to-internet': {
      'cloudtrail.json': records([
        ingressEvent({
          eventId: '0b3a7c52-0000-4000-8000-000000000001',
          time: '2024-05-02T10:00:00Z',
          identity: ROOT,
          groupId: 'sg-0aaa000000000001',
          cidr: '0.0.0.0/0',
          sourceIp: '203.0.113.10',
        }),
      ]),
      'expected.yaml': `description: The root user opens a security group to the whole internet; root should never make changes (escalate).
now: 2024-05-10T00:00:00Z
action: escalate
findings:
  - kind: exposure
    title: sg-0aaa000000000001 opened to 0.0.0.0/0 by arn:aws:iam::111122223333:root
    credentials:
      identityType: Root
    decision:
      action: escalate
      leaf: escalate-root
`,
    },
    'ticket-user-opened-to-internet': {
      'cloudtrail.json': records([
        ingressEvent({
          eventId: '0b3a7c52-0000-4000-8000-000000000002',
          time: '2024-05-03T10:00:00Z',
          identity: USER,
          groupId: 'sg-0bbb000000000002',
          cidr: '0.0.0.0/0',
          sourceIp: '203.0.113.20',
        }),
        ingressEvent({
          eventId: '0b3a7c52-0000-4000-8000-000000000003',
          time: '2024-05-03T11:00:00Z',
          identity: ROOT,
          groupId: 'sg-0ccc000000000003',
          cidr: '203.0.113.20/32',
          sourceIp: '203.0.113.10',
        }),
      ]),
      'expected.yaml': `description: "Near miss of escalate-root: an IAM user opens a group to the internet (ticket), and the root user's rule for one address is not a finding at all."
now: 2024-05-10T00:00:00Z
action: ticket
findings:
  - kind: exposure
    title: sg-0bbb000000000002 opened to 0.0.0.0/0 by arn:aws:iam::111122223333:user/ops
    credentials:
      identityType: IAMUser
    decision:
      action: ticket
      leaf: ticket-change
`,
    },
  };
}

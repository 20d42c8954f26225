import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { investigate } from '../../src/investigate/investigate.js';
import { storeInputs } from '../../src/investigate/inputs.js';
import { loadRunbook } from '../../src/runbook/load.js';
import type { Finding, Report } from '../../src/report/contract.js';
import { openedRules } from '../../src/respond/load.js';
import { planResponse, type AwsCall, type OpenedRule, type ResponsePlan } from '../../src/respond/plan.js';
import { RESPONSE_PLAN_SCHEMA } from '../../src/respond/schema.js';
import { shellCommand, shellQuote } from '../../src/respond/shell.js';
import { renderPlanText } from '../../src/respond/render.js';
import { normalizeEvent } from '../../src/ports/index.js';
import type { CloudTrailRow } from '../../src/tables/cloudtrail.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';

/**
 * `respond plan` (src/respond/, docs/respond.md) on the bundled sample: a real store, the real
 * runbooks' reports, the planner on their findings, and the CLI on the same store.
 */
const sample = (p: string) => join(REPO_ROOT, 'sample', p);
const NOW = '2024-05-15T00:00:00Z';
const SAMPLE_FLAGS = ['--intel', sample('intel/threat-feed.txt'), '--trusted', sample('trusted-networks.yaml'), '--param', `to=${NOW}`];

let dir: string;
let db: string;
let engine: DuckDBEngine;
let portReport: Report;
let credentialReport: Report;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-respond-'));
  db = join(dir, 'store.duckdb');
  engine = await DuckDBEngine.open({ path: db });
  await ingestPaths(engine, [sample('cloudtrail'), sample('vpcflow')]);
  const intel = await loadIntel({ feeds: [sample('intel/threat-feed.txt')], trusted: sample('trusted-networks.yaml') });
  const inputs = await storeInputs(engine);
  const run = async (id: string, parameters: Record<string, unknown>) =>
    investigate(engine, { runbook: await loadRunbook(join(REPO_ROOT, 'runbooks', id)), parameters, intel, inputs, now: new Date(NOW) });
  portReport = await run('port-exposure', { port: 8443, to: NOW });
  credentialReport = await run('credential-compromise', { to: NOW });
});

after(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

function findingOf(report: Report, test: (f: Finding) => boolean): Finding {
  const finding = report.findings.find(test);
  assert.ok(finding, `no such finding among ${report.findings.map((f) => `${f.id} ${f.decision.action}`).join(', ')}`);
  return finding;
}

const isolateExposure = () => findingOf(portReport, (f) => f.kind === 'exposure' && f.decision.action === 'isolate');

async function planFor(finding: Finding, extra: { quarantineGroup?: string; rules?: OpenedRule[] } = {}): Promise<ResponsePlan> {
  const rules = extra.rules ?? (await openedRules(engine, finding, NOW));
  return planResponse({ finding, rules, now: '2026-01-02T03:04:05.678Z', ...(extra.quarantineGroup ? { quarantineGroup: extra.quarantineGroup } : {}) });
}

/** Every AWS call of a plan: the steps', their checks' and their undos'. */
function callsOf(plan: ResponsePlan): AwsCall[] {
  return plan.steps.flatMap((s) => [s.call, ...s.before, ...(s.undo.call ? [s.undo.call] : [])]);
}

/**
 * POSIX shell word splitting for what shellQuote writes (plain words, single quotes, `\'`
 * outside quotes): enough to check that the shell gets back exactly the argument vector.
 */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unterminated quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + line[++i];
    } else {
      assert.ok(/[A-Za-z0-9_@%+=:,./-]/.test(c), `unquoted shell metacharacter ${JSON.stringify(c)} in ${line}`);
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

test("the sample's isolate finding: revoke exactly the rule that opened it, by its securityGroupRuleId, with region and undo", async () => {
  const finding = isolateExposure();
  const plan = await planFor(finding);
  assert.equal(plan.account, '111122223333');
  assert.equal(plan.executed, false);
  const revokes = plan.steps.filter((s) => s.action === 'revoke-ingress-rule');
  // The two rules svc-legacy-deploy's AuthorizeSecurityGroupIngress calls created (their responseElements).
  const revoke = (ruleId: string) =>
    `aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-0a1b2c3d4e5f60718 --security-group-rule-ids ${ruleId}`.split(' ');
  assert.deepEqual(
    revokes.map((s) => s.call.argv),
    [revoke('sgr-0aa11bb22cc33dd44'), revoke('sgr-0ee55ff66aa77bb88')],
  );
  const first = revokes[0]!;
  assert.deepEqual(first.call.sdk, {
    client: 'EC2Client',
    command: 'RevokeSecurityGroupIngressCommand',
    input: { GroupId: 'sg-0a1b2c3d4e5f60718', SecurityGroupRuleIds: ['sgr-0aa11bb22cc33dd44'] },
  });
  assert.deepEqual(first.basis, ['5a3e0c1d-8f2b-4c6a-9d7e-000000000002']);
  assert.equal(first.undo.call?.argv[2], 'authorize-security-group-ingress');
  const undone = JSON.parse(first.undo.call!.argv[first.undo.call!.argv.indexOf('--ip-permissions') + 1]!);
  assert.deepEqual(undone, [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
  // The sample's responder already revoked it: the plan says so, by the closing event.
  assert.equal(first.closedBy?.eventId, '5a3e0c1d-8f2b-4c6a-9d7e-000000000006');
  for (const call of callsOf(plan)) assert.ok(call.argv.includes('--region'), `${call.command} has no --region`);
  // The caller's key is deactivated (the caller is suspect); snapshot, and no quarantine without a group.
  assert.ok(plan.steps.some((s) => s.action === 'deactivate-access-key' && s.target === 'AKIAQEXAMPLELEGACY01'));
  assert.deepEqual(
    plan.steps.filter((s) => s.action === 'snapshot-volumes').map((s) => s.target),
    ['i-0a12b34c56d78e901'],
  );
  assert.ok(!plan.steps.some((s) => s.action === 'quarantine-instance'));
  assert.match(plan.notes.join('\n'), /--quarantine-sg/);
  const text = renderPlanText(plan);
  assert.match(text, /--security-group-rule-ids sgr-0aa11bb22cc33dd44/);
  assert.match(text, /nothing has been executed/);
});

test('without a rule id the revoke names the full permission (protocol, ports, CIDR)', async () => {
  const finding = isolateExposure();
  const rules = (await openedRules(engine, finding, NOW)).map((r) => ({ ...r, opened: { ...r.opened, ruleKey: null } }));
  const plan = await planFor(finding, { rules });
  const revokes = plan.steps.filter((s) => s.action === 'revoke-ingress-rule');
  assert.equal(revokes.length, 2);
  for (const step of revokes) assert.ok(!step.call.argv.includes('--security-group-rule-ids'));
  const permissions = revokes.map((s) => JSON.parse(s.call.argv[s.call.argv.indexOf('--ip-permissions') + 1]!));
  assert.deepEqual(permissions, [
    [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '198.51.100.0/24' }] }],
  ]);
  assert.deepEqual(revokes[0]!.call.sdk.input, { GroupId: 'sg-0a1b2c3d4e5f60718', IpPermissions: permissions[0] });
});

test('a quarantine group plans the instance swap, before the snapshot of its volumes', async () => {
  const plan = await planFor(isolateExposure(), { quarantineGroup: 'sg-0123456789abcdef0' });
  const quarantine = plan.steps.find((s) => s.action === 'quarantine-instance');
  assert.deepEqual(quarantine?.call.argv, [
    'aws',
    'ec2',
    'modify-instance-attribute',
    '--region',
    'us-east-1',
    '--instance-id',
    'i-0a12b34c56d78e901',
    '--groups',
    'sg-0123456789abcdef0',
  ]);
  const snapshot = plan.steps.find((s) => s.action === 'snapshot-volumes');
  assert.deepEqual(snapshot?.before[0]?.argv.slice(2), [
    'describe-volumes',
    '--region',
    'us-east-1',
    '--filters',
    'Name=attachment.instance-id,Values=i-0a12b34c56d78e901',
  ]);
  const refused = await planFor(isolateExposure(), { quarantineGroup: "sg-1'; rm -rf /" });
  assert.ok(!refused.steps.some((s) => s.action === 'quarantine-instance'));
  assert.deepEqual(
    refused.refused.map((r) => r.field),
    ['--quarantine-sg'],
  );
  assert.ok(!JSON.stringify(refused).includes('rm -rf'));
});

test('credential findings: deactivate the long-term key (undo: Active); revoke the role sessions (undo: delete the policy)', async () => {
  const key = findingOf(credentialReport, (f) => f.credentials?.accessKeyId === 'AKIAQEXAMPLELEGACY01');
  assert.equal(key.decision.action, 'isolate');
  const plan = await planFor(key);
  const deactivate = plan.steps.find((s) => s.action === 'deactivate-access-key');
  assert.deepEqual(deactivate?.call.argv, [
    'aws',
    'iam',
    'update-access-key',
    '--region',
    'us-east-1',
    '--access-key-id',
    'AKIAQEXAMPLELEGACY01',
    '--status',
    'Inactive',
    '--user-name',
    'svc-legacy-deploy',
  ]);
  assert.deepEqual(deactivate?.undo.call?.sdk.input, { AccessKeyId: 'AKIAQEXAMPLELEGACY01', Status: 'Active', UserName: 'svc-legacy-deploy' });

  const session = findingOf(credentialReport, (f) => f.credentials?.accessKeyId === 'ASIAQEXAMPLEWEBAPP01');
  const revoke = (await planFor(session)).steps.find((s) => s.action === 'revoke-sessions');
  assert.deepEqual(revoke?.call.argv.slice(0, 9), [
    'aws',
    'iam',
    'put-role-policy',
    '--region',
    'us-east-1',
    '--role-name',
    'web-app-instance-role',
    '--policy-name',
    'AWSRevokeOlderSessions',
  ]);
  const policy = JSON.parse(revoke!.call.argv[10]!);
  assert.deepEqual(policy.Statement[0].Condition, { DateLessThan: { 'aws:TokenIssueTime': '2026-01-02T03:04:05Z' } });
  assert.equal(policy.Statement[0].Effect, 'Deny');
  assert.deepEqual(revoke?.undo.call?.argv.slice(2), [
    'delete-role-policy',
    '--region',
    'us-east-1',
    '--role-name',
    'web-app-instance-role',
    '--policy-name',
    'AWSRevokeOlderSessions',
  ]);
});

test('hostile values from the logs are refused, never emitted', async () => {
  const finding = isolateExposure();
  const [rule] = await openedRules(engine, finding, NOW);
  const hostileGroup = { ...rule!, opened: { ...rule!.opened, resource: "sg-1'; rm -rf /" } };
  const hostileRule = { ...rule!, opened: { ...rule!.opened, ruleKey: 'sgr-0aa11bb22cc33dd44 --dry-run' } };
  const hostileArn = "arn:aws:iam::111122223333:user/evil'$(touch pwned)";
  const hostile: Finding = {
    ...finding,
    credentials: { ...finding.credentials!, arn: hostileArn },
    evidence: finding.evidence.map((row) => (row.resource === 'i-0a12b34c56d78e901' ? { ...row, resource: 'i-0a12b34c56d78e901;reboot' } : row)),
  };
  const plan = await planFor(hostile, { rules: [hostileGroup, hostileRule], quarantineGroup: 'sg-0123456789abcdef0' });
  const json = JSON.stringify(plan);
  for (const bad of ['rm -rf', "evil'", 'pwned', '--dry-run', ';reboot']) assert.ok(!json.includes(bad), `${bad} was emitted`);
  assert.deepEqual(plan.steps.map((s) => s.action).sort(), ['revoke-ingress-rule']);
  // The rule with a bad id is still revoked, by its full permission; the group that is not a group id is not.
  assert.ok(plan.steps[0]!.call.argv.includes('--ip-permissions'));
  assert.deepEqual(plan.refused.map((r) => r.field).sort(), ['groupId', 'instance id', 'securityGroupRuleId', 'userName']);
  assert.ok(plan.refused.every((r) => /not of the shape|unknown/.test(r.reason)));
});

test('ticket and false-positive decisions get an empty plan that says why', async () => {
  const ticket = await planFor(findingOf(portReport, (f) => f.decision.action === 'ticket'));
  assert.deepEqual(ticket.steps, []);
  assert.match(ticket.summary, /^no containment for a ticket: /);
  const falsePositive = await planFor(findingOf(portReport, (f) => f.decision.action === 'false-positive'));
  assert.deepEqual(falsePositive.steps, []);
  assert.match(falsePositive.summary, /^no containment for a false positive: /);
  assert.ok(RESPONSE_PLAN_SCHEMA.safeParse(ticket).success);
});

test('every emitted command splits back into exactly its argument vector', async () => {
  const plans = [
    await planFor(isolateExposure(), { quarantineGroup: 'sg-0123456789abcdef0' }),
    ...(await Promise.all(credentialReport.findings.map((f) => planFor(f)))),
    ...(await Promise.all(portReport.findings.map((f) => planFor(f)))),
  ];
  const calls = plans.flatMap(callsOf);
  assert.ok(calls.length >= 15, `only ${calls.length} calls`);
  for (const call of calls) {
    assert.deepEqual(shellWords(call.command), call.argv);
    assert.equal(call.argv[0], 'aws');
    assert.match(call.argv[1]!, /^(ec2|iam|elbv2)$/);
    assert.match(call.argv[2]!, /^[a-z]+(-[a-z]+)+$/);
  }
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), (argv) => {
      const words = argv.filter((w) => w.length > 0);
      assert.deepEqual(shellWords(shellCommand(words)), words);
    }),
    { numRuns: 300 },
  );
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('CLI: respond plan <id> --format json validates against the plan schema; text is the default', async () => {
  const id = isolateExposure().id;
  const json = await runInProcess(['respond', 'plan', id, '--db', db, '--format', 'json', '--quarantine-sg', 'sg-0123456789abcdef0', ...SAMPLE_FLAGS]);
  assert.equal(json.status, 0, json.stderr);
  const parsed = RESPONSE_PLAN_SCHEMA.safeParse(JSON.parse(json.stdout));
  assert.ok(parsed.success, parsed.error?.message);
  assert.equal(parsed.data.finding.id, id);
  assert.ok(parsed.data.steps.some((s) => s.call.argv.includes('sgr-0aa11bb22cc33dd44')));
  // The schema is not a formality: a plan missing its region check fails it.
  const broken = JSON.parse(json.stdout);
  broken.steps[0].call.argv = broken.steps[0].call.argv.filter((w: string, i: number, a: string[]) => w !== '--region' && a[i - 1] !== '--region');
  assert.equal(RESPONSE_PLAN_SCHEMA.safeParse(broken).success, false);

  const credential = findingOf(credentialReport, (f) => f.credentials?.accessKeyId === 'AKIAQEXAMPLELEGACY01').id;
  const text = await runInProcess(['respond', 'plan', credential, '--db', db, '--runbook', 'credential-compromise', ...SAMPLE_FLAGS]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    /run: {2}aws iam update-access-key --region us-east-1 --access-key-id AKIAQEXAMPLELEGACY01 --status Inactive --user-name svc-legacy-deploy/,
  );
});

test('CLI: an unknown finding id is a usage error (exit 2) that lists the ids', async () => {
  const r = await runInProcess(['respond', 'plan', 'exposure:00000000', '--db', db, ...SAMPLE_FLAGS]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no finding "exposure:00000000"/);
  for (const f of portReport.findings) assert.ok(r.stderr.includes(f.id), `${f.id} not listed`);
  assert.equal(r.stdout, '');
});

/** A flat CloudTrail row as the store returns it, for the normalizer the store's exposure changes come from. */
function row(eventName: string, eventSource: string, request: unknown, response: unknown = null): CloudTrailRow {
  return {
    eventid: `ev-${eventName}`,
    eventtime: '2024-05-14T09:00:00Z',
    eventname: eventName,
    eventsource: eventSource,
    awsregion: 'eu-west-1',
    recipientaccountid: '444455556666',
    sourceipaddress: '198.51.100.23',
    useridentity: { arn: 'arn:aws:iam::444455556666:user/mallory', accesskeyid: 'AKIAEXAMPLEKEY000001', accountid: '444455556666' },
    requestparameters: JSON.stringify(request),
    responseelements: response === null ? null : JSON.stringify(response),
  } as unknown as CloudTrailRow;
}

test('a network ACL entry and an ELB listener: removed exactly, with their undo', () => {
  const [entry] = normalizeEvent(
    row('CreateNetworkAclEntry', 'ec2.amazonaws.com', {
      networkAclId: 'acl-0123456789abcdef0',
      ruleNumber: 90,
      egress: false,
      ruleAction: 'allow',
      aclProtocol: '6',
      cidrBlock: '0.0.0.0/0',
      portRange: { from: 8443, to: 8443 },
    }),
  );
  const listenerArn = 'arn:aws:elasticloadbalancing:eu-west-1:444455556666:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2';
  const [listener] = normalizeEvent(
    row(
      'CreateListener',
      'elasticloadbalancing.amazonaws.com',
      { loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:444455556666:loadbalancer/app/web/50dc6c495c0c9188', protocol: 'HTTPS', port: 8443 },
      { listeners: [{ listenerArn, port: 8443, protocol: 'HTTPS' }] },
    ),
  );
  assert.ok(entry && listener, 'the normalizer made no change of the events');
  const finding: Finding = { ...isolateExposure(), decision: { action: 'escalate', path: [], reasons: ['a human decides'] }, credentials: null, evidence: [] };
  const plan = planResponse({
    finding,
    rules: [
      { opened: entry, closed: null },
      { opened: listener, closed: null },
    ],
    now: '2026-01-02T03:04:05Z',
  });
  assert.match(plan.summary, /^escalate: a human decides/);
  const [nacl, elb] = plan.steps;
  assert.deepEqual(nacl?.call.argv.slice(2), [
    'delete-network-acl-entry',
    '--region',
    'eu-west-1',
    '--network-acl-id',
    'acl-0123456789abcdef0',
    '--rule-number',
    '90',
    '--ingress',
  ]);
  assert.deepEqual(nacl?.undo.call?.sdk.input, {
    NetworkAclId: 'acl-0123456789abcdef0',
    RuleNumber: 90,
    Egress: false,
    Protocol: '6',
    PortRange: { From: 8443, To: 8443 },
    CidrBlock: '0.0.0.0/0',
    RuleAction: 'allow',
  });
  assert.equal(nacl?.account, '444455556666');
  assert.deepEqual(elb?.call.argv.slice(1), ['elbv2', 'delete-listener', '--region', 'eu-west-1', '--listener-arn', listenerArn]);
  assert.equal(elb?.undo.call, null);
  assert.ok(RESPONSE_PLAN_SCHEMA.safeParse(plan).success);
  for (const call of callsOf(plan)) assert.deepEqual(shellWords(call.command), call.argv);
});

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { RESPONSE_RESULT_SCHEMA, type ResponseResult } from '../../src/respond/result-schema.js';
import type { ResponsePlan } from '../../src/respond/plan.js';
import { ctEvent, records, tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { MOTO_CREDENTIALS, type Moto, startMoto } from '../helpers/moto.js';
import { demoSettings, sample } from '../investigate/demo-args.js';

/**
 * `respond apply` (src/respond/apply.ts, sdk.ts; docs/respond.md) against a real moto_server:
 * the plan comes from `respond plan` on a store of CloudTrail events that name moto's own group,
 * rule and key; the state is read back from moto. One moto for the file, reset between tests.
 */
const REGION = 'us-east-1';
const HOSTILE_CALLER = '198.51.100.23';

interface World {
  groupId: string;
  /** The 8443-from-anywhere rule the finding's event opened, and the 22-from-10/8 rule it did not. */
  openedRuleId: string;
  otherRuleId: string;
  userName: string;
  accessKeyId: string;
}

function clients(moto: Moto) {
  const config = { region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
  return { ec2: new EC2Client(config), iam: new IAMClient(config) };
}

/** A VPC group with two ingress rules, and a user with an access key, in moto. */
async function makeWorld(moto: Moto): Promise<World> {
  const { ec2, iam } = clients(moto);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web tier', VpcId: vpc.Vpc!.VpcId! }));
  const groupId = group.GroupId!;
  const authorize = async (port: number, cidr: string) => {
    const out = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] }],
      }),
    );
    return out.SecurityGroupRules![0]!.SecurityGroupRuleId!;
  };
  const openedRuleId = await authorize(8443, '0.0.0.0/0');
  const otherRuleId = await authorize(22, '10.0.0.0/8');
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
  return { groupId, openedRuleId, otherRuleId, userName: 'alice', accessKeyId: key.AccessKey!.AccessKeyId! };
}

/** The CloudTrail record of the call that opened 8443 (as AWS writes it, with the rule id moto returned), by a caller on the feed. */
function openingEvent(world: World): Record<string, unknown> {
  return ctEvent({
    eventName: 'AuthorizeSecurityGroupIngress',
    readOnly: false,
    sourceIPAddress: HOSTILE_CALLER,
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEPRINCIPAL',
      arn: `arn:aws:iam::123456789012:user/${world.userName}`,
      accountId: '123456789012',
      accessKeyId: world.accessKeyId,
      userName: world.userName,
    },
    recipientAccountId: '123456789012',
    requestParameters: {
      groupId: world.groupId,
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
    },
    responseElements: {
      requestId: 'r-1',
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: '123456789012',
            groupId: world.groupId,
            securityGroupRuleId: world.openedRuleId,
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 8443,
            toPort: 8443,
            cidrIpv4: '0.0.0.0/0',
          },
        ],
      },
    },
  });
}

/** A store of the event, the isolate finding's plan as `respond plan --format json` writes it, and its file. */
async function planFor(t: TestContext, world: World): Promise<{ dir: string; planFile: string; plan: ResponsePlan }> {
  const dir = tempDir(t, 'trailbook-apply-');
  const db = join(dir, 'store.duckdb');
  const feed = join(dir, 'feed.txt');
  writeFileSync(feed, `${HOSTILE_CALLER}\n`);
  writeFileSync(join(dir, 'events.json'), records(openingEvent(world)));
  const ingest = await runInProcess(['ingest', join(dir, 'events.json'), '--db', db, '--no-progress']);
  assert.equal(ingest.status, 0, ingest.stderr);
  const report = await runInProcess(['investigate', '--db', db, '--intel', feed, '--format', 'json']);
  const findings = JSON.parse(report.stdout).findings as Array<{ id: string; decision: { action: string } }>;
  const isolate = findings.find((f) => f.decision.action === 'isolate');
  assert.ok(isolate, `no isolate finding: ${findings.map((f) => `${f.id} ${f.decision.action}`).join(', ')}`);
  const planned = await runInProcess(['respond', 'plan', isolate.id, '--db', db, '--intel', feed, '--format', 'json']);
  assert.equal(planned.status, 0, planned.stderr);
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, planned.stdout);
  return { dir, planFile, plan: JSON.parse(planned.stdout) };
}

async function groupState(moto: Moto, groupId: string) {
  const { ec2 } = clients(moto);
  const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
  const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }))).SecurityGroupRules!;
  const byId = (a: SecurityGroupRule, b: SecurityGroupRule) => (a.SecurityGroupRuleId! < b.SecurityGroupRuleId! ? -1 : 1);
  return { group, rules: [...rules].sort(byId) };
}

async function keyStatus(moto: Moto, world: World): Promise<string | undefined> {
  const keys = await clients(moto).iam.send(new ListAccessKeysCommand({ UserName: world.userName }));
  return keys.AccessKeyMetadata!.find((k) => k.AccessKeyId === world.accessKeyId)?.Status;
}

function resultOf(stdout: string): ResponseResult {
  return RESPONSE_RESULT_SCHEMA.parse(JSON.parse(stdout));
}

test('respond apply against moto_server', async (t) => {
  const moto = await startMoto(t);
  if (!moto) return;

  await t.test('--yes revokes exactly the rule the finding opened and deactivates the caller key; the rest of the group is unchanged', async (t) => {
    await moto.reset();
    const world = await makeWorld(moto);
    const { planFile, plan } = await planFor(t, world);
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.target]),
      [
        ['revoke-ingress-rule', `${world.groupId} ${world.openedRuleId}`],
        ['deactivate-access-key', world.accessKeyId],
      ],
    );
    const before = await groupState(moto, world.groupId);
    assert.equal(before.rules.filter((r) => !r.IsEgress).length, 2);
    assert.equal(await keyStatus(moto, world), 'Active');

    const applied = await runInProcess(['respond', 'apply', planFile, '--yes', '--format', 'json'], { env: moto.env });
    assert.equal(applied.status, 0, applied.stderr);
    const result = resultOf(applied.stdout);
    assert.equal(result.outcome, 'applied');
    assert.deepEqual(
      result.steps.map((s) => [s.status, s.changed]),
      [
        ['ok', true],
        ['ok', true],
      ],
    );
    assert.deepEqual(
      result.steps[0]!.calls.map((c) => [c.phase, c.status, c.verdict]),
      [
        ['before', 'ok', null],
        ['dry-run', 'ok', 'would-succeed'],
        ['call', 'ok', null],
      ],
    );
    assert.ok(result.steps[0]!.requestId, 'the revoke has a request id');
    // The check before recorded the group's rules as they were: the forensic state before the change.
    const seen = (result.steps[0]!.calls[0]!.output as { SecurityGroupRules: SecurityGroupRule[] }).SecurityGroupRules;
    assert.deepEqual(seen.map((r) => r.SecurityGroupRuleId).sort(), before.rules.map((r) => r.SecurityGroupRuleId).sort());

    const after = await groupState(moto, world.groupId);
    assert.deepEqual(
      after.rules,
      before.rules.filter((r) => r.SecurityGroupRuleId !== world.openedRuleId),
      'the opened rule is gone and every other rule is as it was',
    );
    assert.ok(!after.rules.some((r) => r.FromPort === 8443));
    assert.ok(after.rules.some((r) => r.SecurityGroupRuleId === world.otherRuleId && r.FromPort === 22 && r.CidrIpv4 === '10.0.0.0/8'));
    const { IpPermissions: permissionsBefore, ...groupBefore } = before.group;
    const { IpPermissions: permissionsAfter, ...groupAfter } = after.group;
    assert.deepEqual(groupAfter, groupBefore, 'the group itself (name, VPC, egress, tags) is unchanged');
    assert.deepEqual(
      permissionsAfter,
      permissionsBefore!.filter((p) => p.FromPort !== 8443),
    );

    assert.equal(await keyStatus(moto, world), 'Inactive');
    assert.equal(
      result.steps[1]!.undo.command,
      `aws iam update-access-key --region us-east-1 --access-key-id ${world.accessKeyId} --status Active --user-name alice`,
    );
  });

  await t.test('without --yes: a dry run says what would change, changes nothing and exits 14', async (t) => {
    await moto.reset();
    const world = await makeWorld(moto);
    const { planFile } = await planFor(t, world);
    const before = await groupState(moto, world.groupId);
    const dry = await runInProcess(['respond', 'apply', planFile], { env: moto.env });
    assert.equal(dry.status, 14, dry.stderr);
    assert.match(dry.stdout, /^Dry run of the response plan for exposure:[0-9a-f]+/);
    assert.match(dry.stdout, /outcome: would-apply — nothing was changed/);
    assert.match(dry.stdout, new RegExp(`would change: removes the ingress rule ${world.openedRuleId} \\(tcp port 8443 from 0\\.0\\.0\\.0/0\\)`));
    assert.match(dry.stdout, /the dry run says it is permitted/);
    assert.match(dry.stdout, /dry-run aws ec2 revoke-security-group-ingress .* --dry-run\n +→ would-succeed/);
    assert.match(dry.stdout, /IAM has no dry run: permission not checked/);
    assert.deepEqual(await groupState(moto, world.groupId), before);
    assert.equal(await keyStatus(moto, world), 'Active');
  });

  await t.test('a failed step: the AWS error code recorded, later steps skipped, exit 15', async (t) => {
    await moto.reset();
    const world = await makeWorld(moto);
    const { planFile, dir } = await planFor(t, world);
    await clients(moto).ec2.send(new DeleteSecurityGroupCommand({ GroupId: world.groupId }));
    const dry = await runInProcess(['respond', 'apply', planFile], { env: moto.env });
    assert.equal(dry.status, 15, 'a dry run that finds a step would fail exits 15, not 14');
    assert.match(dry.stdout, /outcome: would-fail — nothing was changed/);
    assert.match(dry.stdout, new RegExp(`will fail: the group has no rule ${world.openedRuleId} now`));
    const out = join(dir, 'result.json');
    const failed = await runInProcess(['respond', 'apply', planFile, '--yes', '--out', out], { env: moto.env });
    assert.equal(failed.status, 15, failed.stderr);
    const result = resultOf(readFileSync(out, 'utf8'));
    assert.equal(result.outcome, 'failed');
    const [revoke, key] = result.steps;
    assert.equal(revoke!.status, 'failed');
    assert.equal(revoke!.changed, false);
    assert.equal(revoke!.error?.code, 'InvalidGroup.NotFound');
    assert.match(revoke!.reason!, /RevokeSecurityGroupIngress failed \(InvalidGroup\.NotFound\)/);
    assert.equal(key!.status, 'skipped');
    assert.equal(key!.reason, 'not run: step 1 failed');
    assert.deepEqual(key!.calls, []);
    assert.equal(await keyStatus(moto, world), 'Active', 'the step after the failure did not run');
    assert.match(failed.stdout, /1\. revoke-ingress-rule .*: FAILED\n/);
    assert.match(failed.stdout, /2\. deactivate-access-key .*: skipped\n +not run: step 1 failed/);
  });

  await t.test('--evidence commits the plan and the result to the evidence repository', async (t) => {
    await moto.reset();
    const world = await makeWorld(moto);
    const { planFile, dir } = await planFor(t, world);
    const repo = join(dir, 'evidence');
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('mkdir', ['-p', join(repo, 'cases')]);
    const applied = await runInProcess(['respond', 'apply', planFile, '--yes', '--evidence', repo], { env: moto.env });
    assert.equal(applied.status, 0, applied.stderr);
    const files = execFileSync('git', ['-C', repo, 'log', '--name-only', '--format=%s'], { encoding: 'utf8' }).trim().split('\n');
    assert.match(files[0]!, /^respond apply exposure-[0-9a-f]+: applied \(2 of 2 steps changed\)$/);
    const committed = files.slice(1).filter(Boolean).sort();
    assert.equal(committed.length, 2);
    assert.match(committed[0]!, /^responses\/exposure-[0-9a-f]+\/[0-9T-]+Z-apply\/plan\.json$/);
    assert.match(committed[1]!, /\/result\.json$/);
    const recorded = resultOf(execFileSync('git', ['-C', repo, 'show', `HEAD:${committed[1]}`], { encoding: 'utf8' }));
    assert.equal(recorded.outcome, 'applied');
    assert.equal(execFileSync('git', ['-C', repo, 'show', `HEAD:${committed[0]}`], { encoding: 'utf8' }), readFileSync(planFile, 'utf8'));
    assert.match(applied.stderr, /recorded in .*: responses\/exposure-[0-9a-f]+\/.* \(commit [0-9a-f]{40}\)/);
  });

  await t.test(
    "the issue's check: the sample's isolate finding names the exact rule; applied to moto, that rule is gone and nothing else changed",
    async (t) => {
      await moto.reset();
      const dir = tempDir(t, 'trailbook-apply-sample-');
      const db = join(dir, 'store.duckdb');
      assert.equal((await runInProcess(['ingest', sample('cloudtrail'), sample('vpcflow'), '--db', db, '--no-progress'])).status, 0);
      const flags = ['--db', db, ...demoSettings()];
      const planned = await runInProcess(['respond', 'plan', 'exposure:dbe90ba0', ...flags, '--format', 'json'], { env: moto.env });
      assert.equal(planned.status, 0, planned.stderr);
      const samplePlan = JSON.parse(planned.stdout) as ResponsePlan;
      const SAMPLE = { group: 'sg-0a1b2c3d4e5f60718', rule8443: 'sgr-0aa11bb22cc33dd44', ruleAll: 'sgr-0ee55ff66aa77bb88' };
      assert.equal(samplePlan.finding.action, 'isolate');
      assert.deepEqual(samplePlan.steps[0]!.call.argv.slice(-4), ['--group-id', SAMPLE.group, '--security-group-rule-ids', SAMPLE.rule8443]);
      assert.deepEqual(
        samplePlan.steps.map((s) => s.action),
        ['revoke-ingress-rule', 'revoke-ingress-rule', 'deactivate-access-key', 'snapshot-volumes'],
      );

      // The sample's group as it stood after the two AuthorizeSecurityGroupIngress calls of the finding
      // (sample/cloudtrail: tcp 8443 from 0.0.0.0/0, all traffic from 198.51.100.0/24), plus a rule the
      // logs never touched, which must survive. moto 5 picks EC2 ids itself: its `_custom_id_` tag
      // (getmoto/moto#8230) is honoured by other services, not by CreateSecurityGroup; the test asks, and
      // when moto ignores it, maps the sample's ids to moto's explicitly in the plan file.
      const { ec2, iam } = clients(moto);
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
      const group = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'web-8443',
          Description: 'sample group',
          VpcId: vpc.Vpc!.VpcId!,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: '_custom_id_', Value: SAMPLE.group }] }],
        }),
      );
      const groupId = group.GroupId!;
      if (groupId !== SAMPLE.group) t.diagnostic(`moto gave the group ${groupId}, not the sample's ${SAMPLE.group}: ids mapped in the plan`);
      const authorize = async (permission: Record<string, unknown>) =>
        (await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }))).SecurityGroupRules![0]!
          .SecurityGroupRuleId!;
      const rule8443 = await authorize({ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
      const ruleAll = await authorize({ IpProtocol: '-1', IpRanges: [{ CidrIp: '198.51.100.0/24' }] });
      const untouched = await authorize({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] });
      await iam.send(new CreateUserCommand({ UserName: 'svc-legacy-deploy' }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'svc-legacy-deploy' }))).AccessKey!.AccessKeyId!;
      const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0]!.ImageId!;
      const instance = (await ec2.send(new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }))).Instances![0]!
        .InstanceId!;
      const ids: Record<string, string> = {
        [SAMPLE.group]: groupId,
        [SAMPLE.rule8443]: rule8443,
        [SAMPLE.ruleAll]: ruleAll,
        AKIAQEXAMPLELEGACY01: key,
        'i-0a12b34c56d78e901': instance,
      };
      let mapped = planned.stdout;
      for (const [from, to] of Object.entries(ids)) mapped = mapped.replaceAll(from, to);
      const planFile = join(dir, 'plan.json');
      writeFileSync(planFile, mapped);

      const before = await groupState(moto, groupId);
      const applied = await runInProcess(['respond', 'apply', planFile, '--yes', '--format', 'json'], { env: moto.env });
      assert.equal(applied.status, 0, applied.stderr);
      const result = resultOf(applied.stdout);
      assert.equal(result.outcome, 'applied');
      assert.deepEqual(
        result.steps.map((s) => s.status),
        ['ok', 'ok', 'ok', 'ok'],
      );
      const after = await groupState(moto, groupId);
      assert.deepEqual(
        after.rules,
        before.rules.filter((r) => r.SecurityGroupRuleId !== rule8443 && r.SecurityGroupRuleId !== ruleAll),
        'exactly the two rules the finding opened are gone',
      );
      assert.ok(after.rules.some((r) => r.SecurityGroupRuleId === untouched));
      assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'svc-legacy-deploy' }))).AccessKeyMetadata![0]!.Status, 'Inactive');
      const snapshots = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.filter(
        (s) => s.Description === 'trailbook exposure:dbe90ba0',
      );
      assert.ok(snapshots.length >= 1, 'the instance volumes were snapshotted');
      const created = result.steps[3]!.calls.find((c) => c.phase === 'call')!.output as { Snapshots: Array<{ SnapshotId: string }> };
      assert.deepEqual(created.Snapshots.map((s) => s.SnapshotId).sort(), snapshots.map((s) => s.SnapshotId).sort(), 'the result records the snapshot ids');
    },
  );
});

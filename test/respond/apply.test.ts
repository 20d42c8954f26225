import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_SCHEMA, type PlanStep, type ResponsePlan } from '../../src/respond/plan.js';
import { RESPONSE_RESULT_SCHEMA } from '../../src/respond/result-schema.js';
import { shellCommand } from '../../src/respond/shell.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

/**
 * `respond apply` before any AWS call (src/respond/apply.ts, sdk.ts): what it refuses and why.
 * Every case points the SDK at a real HTTP server on 127.0.0.1 that counts the requests it gets,
 * so "nothing was called" is measured, not assumed. The calls themselves are tested against
 * moto_server in apply.slow.ts.
 */
const GROUP = 'sg-0a1b2c3d4e5f60718';
const RULE = 'sgr-0aa11bb22cc33dd44';
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/internal-api/50dc6c495c0c9188/f2f7dc8efc522ab2';

function awsCall(argv: string[], client: PlanStep['call']['sdk']['client'], command: string, input: Record<string, unknown>): PlanStep['call'] {
  const full = ['aws', ...argv];
  return { argv: full, command: shellCommand(full), sdk: { client, command, input } };
}

function revokeStep(overrides: Partial<PlanStep> = {}): PlanStep {
  return {
    action: 'revoke-ingress-rule',
    target: `${GROUP} ${RULE}`,
    account: '111122223333',
    region: 'us-east-1',
    changes: `removes the ingress rule ${RULE}`,
    call: awsCall(
      ['ec2', 'revoke-security-group-ingress', '--region', 'us-east-1', '--group-id', GROUP, '--security-group-rule-ids', RULE],
      'EC2Client',
      'RevokeSecurityGroupIngressCommand',
      { GroupId: GROUP, SecurityGroupRuleIds: [RULE] },
    ),
    before: [
      awsCall(
        ['ec2', 'describe-security-group-rules', '--region', 'us-east-1', '--filters', `Name=group-id,Values=${GROUP}`],
        'EC2Client',
        'DescribeSecurityGroupRulesCommand',
        { Filters: [{ Name: 'group-id', Values: [GROUP] }] },
      ),
    ],
    undo: { call: null, restores: 'the rule' },
    basis: [],
    notes: [],
    ...overrides,
  };
}

function listenerStep(): PlanStep {
  return {
    ...revokeStep(),
    action: 'delete-listener',
    target: LISTENER,
    call: awsCall(['elbv2', 'delete-listener', '--region', 'us-east-1', '--listener-arn', LISTENER], 'ElasticLoadBalancingV2Client', 'DeleteListenerCommand', {
      ListenerArn: LISTENER,
    }),
    before: [],
  };
}

function plan(steps: PlanStep[]): ResponsePlan {
  return {
    schema: PLAN_SCHEMA,
    finding: { id: 'exposure:dbe90ba0', kind: 'exposure', title: 'Port 8443 opened', action: 'isolate' },
    account: '111122223333',
    executed: false,
    summary: steps.length ? 'isolate: contain now' : 'no containment for a ticket',
    steps,
    refused: [],
    notes: [],
  };
}

/** A server on 127.0.0.1 that answers every request with a 500 and counts them; the SDK's endpoint for the test. */
async function countingEndpoint(t: { after: (fn: () => Promise<void>) => void }): Promise<{ env: Record<string, string>; requests: () => number }> {
  let requests = 0;
  const server = createServer((_, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' },
    requests: () => requests,
  };
}

function writePlan(dir: string, content: unknown): string {
  const file = join(dir, 'plan.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('a file that is not a plan: exit 3, naming the file and where in the JSON', async (t) => {
  const dir = tempDir(t);
  const endpoint = await countingEndpoint(t);
  const bad = plan([revokeStep()]) as unknown as { steps: Array<{ call: { sdk: { client: string } } }> };
  bad.steps[0]!.call.sdk.client = 'S3Client';
  const file = writePlan(dir, bad);
  const result = await runInProcess(['respond', 'apply', file, '--yes'], { env: endpoint.env });
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, /plan\.json is not a trailbook\.respond-plan\/v1 plan: at steps\[0\]\.call\.sdk\.client: /);
  const notJson = await runInProcess(['respond', 'apply', writePlan(dir, '{"schema": '), '--yes'], { env: endpoint.env });
  assert.equal(notJson.status, 3);
  assert.match(notJson.stderr, /plan\.json is not JSON/);
  assert.equal(endpoint.requests(), 0);
});

test('a plan whose SDK input differs from its reviewed command is refused before any call', async (t) => {
  const dir = tempDir(t);
  const endpoint = await countingEndpoint(t);
  const step = revokeStep();
  step.call.sdk.input = { GroupId: 'sg-0ffffffffffffffff', SecurityGroupRuleIds: [RULE] };
  const result = await runInProcess(['respond', 'apply', writePlan(dir, plan([step])), '--yes'], { env: endpoint.env });
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, /the call of step 1 \(steps\[0\]\): the SDK input holds a value its command does not name/);
  const region = revokeStep({ region: 'eu-west-1' });
  const elsewhere = await runInProcess(['respond', 'apply', writePlan(dir, plan([region])), '--yes'], { env: endpoint.env });
  assert.equal(elsewhere.status, 3);
  assert.match(elsewhere.stderr, /--region \(us-east-1\) is not the step's region \(eu-west-1\)/);
  const hostile = 'us-east-1\u001b[2J';
  const odd = revokeStep({ region: hostile });
  odd.call.argv[odd.call.argv.indexOf('--region') + 1] = hostile;
  odd.before = [];
  const strange = await runInProcess(['respond', 'apply', writePlan(dir, plan([odd])), '--yes'], { env: endpoint.env });
  assert.equal(strange.status, 3);
  assert.match(strange.stderr, /step 1 names a region that is not of the shape of one/);
  assert.doesNotMatch(strange.stderr, /\u001b/);
  assert.equal(endpoint.requests(), 0);
});

test('--region must match every step: a mismatch is refused before any call (exit 2)', async (t) => {
  const dir = tempDir(t);
  const endpoint = await countingEndpoint(t);
  const result = await runInProcess(['respond', 'apply', writePlan(dir, plan([revokeStep()])), '--yes', '--region', 'eu-west-1'], { env: endpoint.env });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /--region eu-west-1 does not match the plan: step 1 is in us-east-1/);
  assert.equal(endpoint.requests(), 0);
});

test('an ELBv2 step is refused as not executable by apply, and nothing runs (exit 15)', async (t) => {
  const dir = tempDir(t);
  const endpoint = await countingEndpoint(t);
  const result = await runInProcess(['respond', 'apply', writePlan(dir, plan([revokeStep(), listenerStep()])), '--yes', '--format', 'json'], {
    env: endpoint.env,
  });
  assert.equal(result.status, 15, result.stderr);
  const recorded = RESPONSE_RESULT_SCHEMA.parse(JSON.parse(result.stdout));
  assert.equal(recorded.outcome, 'refused');
  assert.deepEqual(
    recorded.steps.map((s) => [s.status, s.calls.length]),
    [
      ['skipped', 0],
      ['refused', 0],
    ],
  );
  assert.match(
    recorded.steps[1]!.reason!,
    /not executable by apply: run its AWS CLI command \(aws elbv2 delete-listener --region us-east-1 --listener-arn arn:/,
  );
  assert.equal(recorded.steps[0]!.reason, 'not run: step 2 cannot be applied');
  assert.equal(endpoint.requests(), 0, 'no AWS call was made');
});

test('a plan with no steps: nothing to apply (exit 0)', async (t) => {
  const dir = tempDir(t);
  const endpoint = await countingEndpoint(t);
  const result = await runInProcess(['respond', 'apply', writePlan(dir, plan([])), '--yes'], { env: endpoint.env });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /outcome: nothing-to-apply/);
  assert.match(result.stdout, /note: nothing to apply: the plan has no steps \(no containment for a ticket\)/);
  assert.equal(endpoint.requests(), 0);
});

test('an endpoint that fails: the check before fails with its code, the change is never sent (exit 15)', async (t) => {
  const dir = tempDir(t);
  const endpoint = await countingEndpoint(t);
  const out = join(dir, 'result.json');
  const result = await runInProcess(['respond', 'apply', writePlan(dir, plan([revokeStep(), revokeStep()])), '--yes', '--out', out], {
    env: { ...endpoint.env, AWS_MAX_ATTEMPTS: '1' },
  });
  assert.equal(result.status, 15, result.stderr);
  assert.equal(endpoint.requests(), 1, 'one describe, then stopped: no dry run, no revoke, no second step');
  assert.match(
    result.stdout,
    /1\. revoke-ingress-rule sg-0a1b2c3d4e5f60718 sgr-0aa11bb22cc33dd44 \(us-east-1\): FAILED\n {3}the check before failed \(DescribeSecurityGroupRules: [A-Za-z.]+\)/,
  );
  assert.match(result.stdout, /2\. .*: skipped\n {3}not run: step 1 failed/);
});

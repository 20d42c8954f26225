import { createHash } from 'node:crypto';
import { TrailbookError } from '../errors.js';
import { sanitizeCell } from '../report/escape.js';
import type { AwsCall, PlanStep, ResponsePlan } from './plan.js';
import { type CallRecord, RESULT_SCHEMA, type AwsErrorRecord, type ResponseResult, type StepResult } from './result-schema.js';
import { RESPONSE_PLAN_SCHEMA } from './schema.js';
import { hasShape } from './shell.js';

/**
 * `respond apply` (docs/respond.md): a reviewed plan's steps run in order against AWS, each
 * result recorded. Without `yes` only the read-only checks and EC2's DryRun run, so nothing
 * changes; with it each step runs its checks, its dry run (EC2), then the change, and the first
 * failure stops the rest. The AWS side is an `AwsExecutor` passed in (sdk.ts is the real one),
 * so the sequencing and recording here are pure of IO.
 */
export type SdkCall = AwsCall['sdk'];

/** What one AWS call returned: never a throw for an AWS error, the error is the answer. */
export type CallOutcome = { ok: true; requestId: string | null; output: unknown } | { ok: false; requestId: string | null; error: AwsErrorRecord };

export interface AwsExecutor {
  /** Why this call cannot be run by apply (a client or command it does not know, an input of the wrong shape), or null. */
  refusal(call: SdkCall): string | null;
  send(call: SdkCall, region: string, options: { dryRun: boolean }): Promise<CallOutcome>;
}

export interface ApplyOptions {
  /** `--yes`: make the changes. Without it: a dry run. */
  yes: boolean;
  /** The plan file as named, and the SHA-256 of its bytes (the result says which plan it applied). */
  file: string;
  sha256: string;
  /** Told before each step runs (the CLI prints progress on stderr). */
  onStep?: (step: StepResult, total: number) => void;
  clock?: () => Date;
}

/** EC2's answers to a call made with DryRun. */
const DRY_RUN_WOULD_SUCCEED = 'DryRunOperation';
const DRY_RUN_NOT_PERMITTED = 'UnauthorizedOperation';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A plan file's bytes → the plan, or an INPUT error naming the file and where in the JSON it is wrong. */
export function parsePlan(bytes: Uint8Array, file: string): ResponsePlan {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new TrailbookError('INPUT', `${file} is not JSON: ${(error as Error).message}`, {
      location: file,
      hint: 'write a plan with `trailbook respond plan <finding-id> --format json > plan.json`',
    });
  }
  const parsed = RESPONSE_PLAN_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `at ${jsonPath(issue.path)}: ${issue.message}`);
    throw new TrailbookError('INPUT', `${file} is not a trailbook.respond-plan/v1 plan: ${issues.join('; ')}`, {
      location: `${file}:${jsonPath(parsed.error.issues[0]?.path ?? [])}`,
      hint: 'apply a plan as `trailbook respond plan --format json` wrote it',
    });
  }
  const plan = parsed.data as ResponsePlan;
  plan.steps.forEach((step, i) => {
    if (!hasShape(step.region, 'region'))
      throw new TrailbookError('INPUT', `${file}: step ${i + 1} names a region that is not of the shape of one`, {
        location: `${file}:${jsonPath(['steps', i, 'region'])}`,
      });
    for (const [where, call] of callsOf(step)) {
      const problem = callMismatch(step, call);
      if (problem)
        throw new TrailbookError('INPUT', `${file}: ${where} of step ${i + 1} (${jsonPath(['steps', i])}): ${problem}`, {
          location: `${file}:${jsonPath(['steps', i])}`,
          hint: 'the SDK call must do what its AWS CLI command says: apply a plan as `respond plan` wrote it',
        });
    }
  });
  return plan;
}

function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}${out ? '.' : ''}${String(key)}`), '') || '(the top)';
}

function callsOf(step: PlanStep): Array<[string, AwsCall]> {
  return [...step.before.map((c, j): [string, AwsCall] => [`check ${j + 1}`, c]), ['the call', step.call]];
}

const SERVICE_OF_CLIENT: Record<SdkCall['client'], string> = { EC2Client: 'ec2', IAMClient: 'iam', ElasticLoadBalancingV2Client: 'elbv2' };

/**
 * Whether a call's SDK half does what its CLI half (the words the user reviewed) says: the same
 * service, operation and region, and every value of the SDK input among the command's words.
 * A plan edited so that the SDK call differs from its printed command is refused.
 */
function callMismatch(step: PlanStep, call: AwsCall): string | null {
  const [, service, operation] = call.argv;
  if (service !== SERVICE_OF_CLIENT[call.sdk.client]) return `the command is for "${service}", the SDK call for ${call.sdk.client}`;
  const expected = `${operation ?? ''}`.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  if (`${expected}Command` !== call.sdk.command) return `the command runs "${operation}", the SDK call ${call.sdk.command}`;
  const region = call.argv[call.argv.indexOf('--region') + 1];
  if (region !== step.region) return `the command's --region (${region}) is not the step's region (${step.region})`;
  const words = call.argv.join('\n');
  for (const value of leaves(call.sdk.input)) if (!words.includes(value)) return `the SDK input holds a value its command does not name`;
  return null;
}

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

/** Runs (or, without `yes`, checks) the plan. Never throws for an AWS error: it is recorded. */
export async function applyPlan(plan: ResponsePlan, executor: AwsExecutor, options: ApplyOptions): Promise<ResponseResult> {
  const clock = options.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const startedAt = now();
  const mode = options.yes ? 'apply' : 'dry-run';
  const notes: string[] = [];
  const steps = plan.steps.map((step, i) => initialResult(step, i));
  const finish = (outcome: ResponseResult['outcome']): ResponseResult => ({
    schema: RESULT_SCHEMA,
    mode,
    outcome,
    plan: { file: options.file, sha256: options.sha256, finding: plan.finding, summary: plan.summary },
    startedAt,
    finishedAt: now(),
    steps,
    notes,
  });
  if (plan.steps.length === 0) {
    notes.push(`nothing to apply: the plan has no steps (${plan.summary})`);
    return finish('nothing-to-apply');
  }

  // Every step must be executable before anything runs: a half-run plan because step 3 was never runnable helps nobody.
  const refusals = plan.steps.map(
    (step) =>
      callsOf(step)
        .map(([, c]) => executor.refusal(c.sdk))
        .find((r) => r !== null) ?? null,
  );
  if (refusals.some((r) => r !== null)) {
    const first = refusals.findIndex((r) => r !== null) + 1;
    plan.steps.forEach((step, i) => {
      const refusal = refusals[i];
      steps[i]!.status = refusal ? 'refused' : 'skipped';
      steps[i]!.reason = refusal
        ? `${refusal}: not executable by apply: run its AWS CLI command (${step.call.command})`
        : `not run: step ${first} cannot be applied`;
    });
    notes.push('nothing was run: apply runs a plan whole or not at all; run the refused steps by hand and remove them from the plan to apply the rest');
    return finish('refused');
  }

  let stoppedAt = 0;
  for (const [i, step] of plan.steps.entries()) {
    const result = steps[i]!;
    if (stoppedAt) {
      result.status = 'skipped';
      result.reason = `not run: step ${stoppedAt} failed`;
      continue;
    }
    options.onStep?.(result, plan.steps.length);
    result.startedAt = now();
    const ok = await runStep(step, result, executor, options.yes, now);
    result.finishedAt = now();
    if (!ok && options.yes) stoppedAt = i + 1;
  }
  if (!options.yes) {
    notes.push('dry run: nothing was changed; run again with --yes to apply');
    return finish(steps.some((s) => s.status === 'failed') ? 'would-fail' : 'would-apply');
  }
  return finish(stoppedAt ? 'failed' : 'applied');
}

function initialResult(step: PlanStep, i: number): StepResult {
  return {
    index: i + 1,
    action: step.action,
    target: step.target,
    account: step.account,
    region: step.region,
    status: 'skipped',
    changed: false,
    reason: null,
    error: null,
    requestId: null,
    startedAt: null,
    finishedAt: null,
    calls: [],
    undo: { command: step.undo.call?.command ?? null, restores: step.undo.restores },
  };
}

/** One step: its checks, its dry run (EC2), and with `yes` the change. False when a call failed. */
async function runStep(step: PlanStep, result: StepResult, executor: AwsExecutor, yes: boolean, now: () => string): Promise<boolean> {
  const send = async (phase: CallRecord['phase'], call: AwsCall, dryRun: boolean): Promise<{ record: CallRecord; outcome: CallOutcome }> => {
    const startedAt = now();
    const outcome = await executor.send(call.sdk, step.region, { dryRun });
    const record: CallRecord = {
      phase,
      command: dryRun ? `${call.command} --dry-run` : call.command,
      sdkCommand: call.sdk.command,
      status: outcome.ok ? 'ok' : 'failed',
      verdict: null,
      requestId: outcome.requestId,
      error: outcome.ok ? null : outcome.error,
      startedAt,
      finishedAt: now(),
      ...(outcome.ok && !dryRun ? { output: outcome.output } : {}),
    };
    result.calls.push(record);
    return { record, outcome };
  };
  const fail = (record: CallRecord, reason: string): false => {
    result.status = 'failed';
    result.reason = reason;
    result.error = record.error;
    result.requestId = record.requestId;
    return false;
  };

  const seen: unknown[] = [];
  for (const check of step.before) {
    const { record, outcome } = await send('before', check, false);
    if (!outcome.ok) return fail(record, `the check before failed (${check.sdk.command.replace(/Command$/, '')}: ${outcome.error.code})`);
    seen.push(outcome.output);
  }
  const expectation = expect(step, seen);

  if (step.call.sdk.client === 'EC2Client') {
    const { record, outcome } = await send('dry-run', step.call, true);
    // EC2 answers a permitted DryRun with the error DryRunOperation; a success means the call was not dry.
    if (outcome.ok) {
      record.status = 'failed';
      record.error = { code: 'DryRunIgnored', message: 'the endpoint answered the DryRun call with a success: it may have made the change' };
      return fail(record, 'the dry run was not a dry run: stopped');
    }
    if (outcome.error.code === DRY_RUN_WOULD_SUCCEED) {
      record.status = 'ok';
      record.verdict = 'would-succeed';
      record.error = null;
    } else if (outcome.error.code === DRY_RUN_NOT_PERMITTED) {
      record.verdict = 'not-permitted';
      return fail(record, `not permitted: these credentials may not call ${step.call.sdk.command.replace(/Command$/, '')}`);
    } else return fail(record, `the dry run failed (${outcome.error.code})`);
  }

  if (!yes) {
    if (expectation?.startsWith('will fail')) {
      result.status = 'failed';
      result.reason = expectation;
      return false;
    }
    result.status = 'checked';
    const permission = step.call.sdk.client === 'EC2Client' ? 'the dry run says it is permitted' : 'IAM has no dry run: permission not checked';
    result.reason = `would change: ${step.changes} (${[expectation, permission].filter(Boolean).join('; ')})`;
    return true;
  }

  const { record, outcome } = await send('call', step.call, false);
  result.requestId = record.requestId;
  if (!outcome.ok) return fail(record, `${step.call.sdk.command.replace(/Command$/, '')} failed (${outcome.error.code})`);
  result.status = 'ok';
  result.changed = true;
  result.reason = expectation;
  return true;
}

/**
 * What the checks before say the step will do, where the check's answer says it plainly: a
 * revoke of a rule the group no longer has fails, a key already inactive changes nothing.
 */
function expect(step: PlanStep, seen: unknown[]): string | null {
  const output = seen[0] as Record<string, unknown> | undefined;
  const input = step.call.sdk.input;
  if ((step.action === 'revoke-ingress-rule' || step.action === 'revoke-egress-rule') && Array.isArray(input['SecurityGroupRuleIds'])) {
    const rules = Array.isArray(output?.['SecurityGroupRules']) ? (output['SecurityGroupRules'] as Array<Record<string, unknown>>) : [];
    const missing = (input['SecurityGroupRuleIds'] as string[]).filter((id) => !rules.some((r) => r['SecurityGroupRuleId'] === id));
    return missing.length
      ? `will fail: the group has no rule ${missing.join(', ')} now (already revoked?)`
      : `the group has the rule now, and ${rules.length - 1} other rule${rules.length === 2 ? '' : 's'} that stay`;
  }
  if (step.action === 'snapshot-volumes') {
    const volumes = Array.isArray(output?.['Volumes']) ? output['Volumes'].length : 0;
    return volumes ? `${volumes} EBS volume${volumes === 1 ? ' is' : 's are'} attached now` : `will fail: no EBS volume is attached to ${step.target} now`;
  }
  if (step.action === 'deactivate-access-key') {
    const keys = Array.isArray(output?.['AccessKeyMetadata']) ? (output['AccessKeyMetadata'] as Array<Record<string, unknown>>) : [];
    const key = keys.find((k) => k['AccessKeyId'] === input['AccessKeyId']);
    if (!key) return "will fail: the user's keys do not include this key now";
    return key['Status'] === 'Inactive' ? 'the key is already Inactive: nothing changes' : `the key is ${String(key['Status'])} now`;
  }
  return null;
}

/** An error as the result records it: a code of AWS's shape, the message with control characters made visible, bounded. */
export function errorRecord(code: unknown, message: unknown): AwsErrorRecord {
  const safeCode = typeof code === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(code) ? code : 'UnknownError';
  const text = sanitizeCell(typeof message === 'string' ? message : String(message ?? ''));
  return { code: safeCode, message: text.length > 500 ? `${text.slice(0, 500)}…` : text };
}

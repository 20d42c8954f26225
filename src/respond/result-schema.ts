import { z } from 'zod';
import { STEP_ACTIONS } from './plan.js';

/**
 * What `respond apply` did (`trailbook.respond-result/v1`, docs/respond.md): each step of the
 * plan with every AWS call made for it, in order, and how it ended. The types of src/respond/apply.ts
 * are read from this schema, so the JSON and the code cannot drift apart.
 */
export const RESULT_SCHEMA = 'trailbook.respond-result/v1';

const awsError = z.strictObject({
  /** The AWS error code (`InvalidGroup.NotFound`, `UnauthorizedOperation`) or the SDK's error name. */
  code: z.string().min(1),
  /** The message, control characters made visible and cut to 500 characters. */
  message: z.string(),
});

const callRecord = z.strictObject({
  /** `before`: a read-only check; `dry-run`: the EC2 call with DryRun; `call`: the change itself. */
  phase: z.enum(['before', 'dry-run', 'call']),
  /** The AWS CLI command of the call, as the plan wrote it. */
  command: z.string(),
  sdkCommand: z.string(),
  status: z.enum(['ok', 'failed']),
  /** Dry runs only: `would-succeed` (DryRunOperation) or `not-permitted` (UnauthorizedOperation). */
  verdict: z.enum(['would-succeed', 'not-permitted']).nullable(),
  requestId: z.string().nullable(),
  error: awsError.nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The response without its metadata: the state a check saw, what a change returned (snapshot ids). */
  output: z.unknown().optional(),
});

const stepResult = z.strictObject({
  /** 1-based, as the text output numbers steps. */
  index: z.number().int().min(1),
  action: z.enum(STEP_ACTIONS),
  target: z.string(),
  account: z.string().nullable(),
  region: z.string(),
  /**
   * `ok`: changed; `checked`: a dry run whose checks passed, nothing changed; `failed`: a call
   * failed (`error`); `skipped`: not run (`reason` says why); `refused`: apply cannot run it.
   */
  status: z.enum(['ok', 'checked', 'failed', 'skipped', 'refused']),
  /** Whether the change itself was sent and AWS accepted it. */
  changed: z.boolean(),
  /** Why a step failed, was skipped or refused; what a dry run found. */
  reason: z.string().nullable(),
  /** The error and request id of the call that decided the status (the change, or the call that failed). */
  error: awsError.nullable(),
  requestId: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  calls: z.array(callRecord),
  undo: z.strictObject({ command: z.string().nullable(), restores: z.string() }),
});

export const RESPONSE_RESULT_SCHEMA = z.strictObject({
  schema: z.literal(RESULT_SCHEMA),
  mode: z.enum(['dry-run', 'apply']),
  /**
   * `applied`: every step changed; `would-apply`: a dry run found no problem; `failed`/`would-fail`:
   * a step failed (or would); `refused`: nothing ran; `nothing-to-apply`: the plan has no steps.
   */
  outcome: z.enum(['applied', 'would-apply', 'failed', 'would-fail', 'refused', 'nothing-to-apply']),
  plan: z.strictObject({
    file: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    finding: z.strictObject({ id: z.string(), kind: z.string(), title: z.string(), action: z.string() }),
    summary: z.string(),
  }),
  startedAt: z.string(),
  finishedAt: z.string(),
  steps: z.array(stepResult),
  notes: z.array(z.string()),
});

export type ResponseResult = z.infer<typeof RESPONSE_RESULT_SCHEMA>;
export type StepResult = ResponseResult['steps'][number];
export type CallRecord = StepResult['calls'][number];
export type AwsErrorRecord = z.infer<typeof awsError>;

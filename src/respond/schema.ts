import { z } from 'zod';
import { PLAN_SCHEMA, STEP_ACTIONS } from './plan.js';

/**
 * The plan contract (`trailbook.respond-plan/v1`, docs/respond.md) as a zod schema: what
 * `respond plan --format json` prints and what a later `respond apply` will read. Every command
 * is `aws …` and its SDK call is named by client and command.
 */
const awsCall = z.strictObject({
  argv: z
    .array(z.string())
    .min(3)
    .refine((argv) => argv[0] === 'aws' && argv.includes('--region'), 'an AWS CLI command with --region'),
  command: z.string().min(1),
  sdk: z.strictObject({
    client: z.enum(['EC2Client', 'IAMClient', 'ElasticLoadBalancingV2Client']),
    command: z.string().regex(/^[A-Z][A-Za-z0-9]+Command$/),
    input: z.record(z.string(), z.unknown()),
  }),
});

const step = z.strictObject({
  action: z.enum(STEP_ACTIONS),
  target: z.string().min(1),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .nullable(),
  region: z.string().min(1),
  changes: z.string().min(1),
  call: awsCall,
  before: z.array(awsCall),
  undo: z.strictObject({ call: awsCall.nullable(), restores: z.string().min(1) }),
  basis: z.array(z.string()),
  closedBy: z.strictObject({ eventId: z.string().nullable(), eventName: z.string().nullable(), at: z.string().nullable() }).optional(),
  notes: z.array(z.string()),
});

export const RESPONSE_PLAN_SCHEMA = z.strictObject({
  schema: z.literal(PLAN_SCHEMA),
  finding: z.strictObject({
    id: z.string().min(1),
    kind: z.string().min(1),
    title: z.string(),
    action: z.enum(['isolate', 'escalate', 'ticket', 'false-positive']),
  }),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .nullable(),
  executed: z.literal(false),
  summary: z.string().min(1),
  steps: z.array(step),
  refused: z.array(z.strictObject({ field: z.string(), sourceRef: z.string().nullable(), reason: z.string() })),
  notes: z.array(z.string()),
});

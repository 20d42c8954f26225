import { z } from 'zod';

/**
 * The decision-tree language, as data. A runbook's tree is reviewed like code, so it must be
 * impossible for it to run code: conditions are plain objects (`all`, `any`, `not`, comparisons)
 * interpreted by `evaluate.ts`; there is no expression string and no eval.
 */

/** Severity order, most severe first: the report sorts findings by it, and a runbook's overall action is the most severe one. */
export const ACTIONS = ['isolate', 'escalate', 'ticket', 'false-positive'] as const;
export type Action = (typeof ACTIONS)[number];

/** Operators, with the one-line meaning the reference docs print. */
export const OPERATORS = {
  eq: 'equal to `value` (numbers, strings, booleans; objects and arrays compared as JSON)',
  ne: 'present and not equal to `value`',
  gt: 'greater than `value` (numbers numerically, strings by code point: ISO-8601 UTC times order correctly)',
  gte: 'greater than or equal to `value`',
  lt: 'less than `value`',
  lte: 'less than or equal to `value`',
  in: 'equal to one of the list `value`',
  contains: 'an array with an element equal to `value`, or a string containing the string `value`',
  'starts-with': 'a string starting with `value`',
  'ends-with': 'a string ending with `value`',
  exists: 'present and not null (`value: false` inverts it; `value` defaults to true)',
  'count-gte': 'the number of values at `field` (array elements, or the elements reached through `[]`) is at least `value`',
  'count-lte': 'the number of values at `field` is at most `value`',
} as const;
export type Operator = keyof typeof OPERATORS;
const OPERATOR_NAMES = Object.keys(OPERATORS) as [Operator, ...Operator[]];

/**
 * A finding field: dot-separated names; `name[]` steps into every element of an array, so
 * `sources[].verdict` is the list of every source's verdict. Only names, so a path can never
 * reach a prototype or call anything.
 */
export const FIELD_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?)*$/;
export const PARAMETER_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

const JsonScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ParameterRefSchema = z
  .strictObject({
    param: z.string().regex(PARAMETER_NAME_PATTERN).describe('Name of a declared runbook parameter whose value is used here.'),
  })
  .meta({ id: 'ParameterRef', description: 'The value of a runbook parameter, e.g. `{ param: trusted_accounts }`.' });

export const ComparisonSchema = z
  .strictObject({
    field: z
      .string()
      .regex(FIELD_PATH_PATTERN, 'a field path: names separated by dots, `name[]` for every element of an array')
      .describe('Finding field to test, e.g. `credentials.mfa` or `sources[].verdict` (`[]`: every element).'),
    op: z.enum(OPERATOR_NAMES).describe('Operator; see the operator table.'),
    value: z
      .union([JsonScalar, z.array(JsonScalar), ParameterRefSchema])
      .optional()
      .describe('What the field is compared with: a literal, a list (for `in`), or `{ param: name }`. Not used by `exists` (optional there).'),
    quantifier: z
      .enum(['any', 'all'])
      .optional()
      .describe(
        'When the field goes through `[]` (several values): `any` (default) holds if one value matches, `all` if every value does. `all` over no values is false: no evidence is not proof.',
      ),
  })
  .meta({ id: 'Comparison', description: 'One test of one finding field.' });

export type ParameterRef = z.infer<typeof ParameterRefSchema>;
export type Comparison = z.infer<typeof ComparisonSchema>;
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

// Recursive: zod needs the lazy reference; the explicit type keeps z.infer simple for callers.
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() => ConditionUnionSchema);

const AllSchema = z
  .strictObject({ all: z.array(ConditionSchema).min(1).describe('Holds when every condition holds.') })
  .meta({ id: 'AllCondition', description: 'Every condition holds.' });
const AnySchema = z
  .strictObject({ any: z.array(ConditionSchema).min(1).describe('Holds when at least one condition holds.') })
  .meta({ id: 'AnyCondition', description: 'At least one condition holds.' });
const NotSchema = z
  .strictObject({ not: ConditionSchema.describe('Holds when this condition does not.') })
  .meta({ id: 'NotCondition', description: 'The condition does not hold.' });

const ConditionUnionSchema = z
  .union([AllSchema, AnySchema, NotSchema, ComparisonSchema])
  .meta({ id: 'Condition', description: 'A comparison, or `all` / `any` / `not` over conditions.' });

export const NODE_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const NodeId = z.string().regex(NODE_ID_PATTERN, 'lowercase letters, digits and dashes');

export const BranchNodeSchema = z
  .strictObject({
    id: NodeId.describe('Unique node id; shown in the decision path.'),
    label: z.string().min(1).optional().describe('The question, as an analyst reads it ("Open to the whole internet?").'),
    when: ConditionSchema.describe('Condition over the finding.'),
    then: NodeId.describe('Node to go to when the condition holds.'),
    else: NodeId.describe('Node to go to when it does not.'),
  })
  .meta({ id: 'BranchNode', description: 'A question: a condition and the node to go to for each answer.' });

export const LeafNodeSchema = z
  .strictObject({
    id: NodeId.describe('Unique node id; shown in the decision path.'),
    label: z.string().min(1).optional().describe('Short name of the outcome.'),
    action: z.enum(ACTIONS).describe('What to do: isolate, escalate, ticket or false-positive.'),
    reasons: z.array(z.string().min(1)).min(1).describe('Why, in the words the report prints.'),
    verify: z.string().min(1).describe('How an analyst checks, by hand, whether this outcome is a false positive.'),
  })
  .meta({ id: 'LeafNode', description: 'An outcome: an action with its reasons.' });

export const DecisionNodeSchema = z
  .union([BranchNodeSchema, LeafNodeSchema])
  .meta({ id: 'DecisionNode', description: 'A branch (`when`, `then`, `else`) or a leaf (`action`, `reasons`, `verify`).' });

export const DecisionTreeSchema = z
  .strictObject({
    root: NodeId.describe('Id of the first node evaluated.'),
    nodes: z.array(DecisionNodeSchema).min(1).describe('Branches and leaves. Every node must be reachable from the root; the tree has no cycles.'),
  })
  .meta({ id: 'DecisionTree', description: 'Evaluated once per finding; ends on a leaf.' });

export type BranchNode = z.infer<typeof BranchNodeSchema>;
export type LeafNode = z.infer<typeof LeafNodeSchema>;
export type DecisionNode = z.infer<typeof DecisionNodeSchema>;
export type DecisionTree = z.infer<typeof DecisionTreeSchema>;

export function isLeaf(node: DecisionNode): node is LeafNode {
  return 'action' in node;
}

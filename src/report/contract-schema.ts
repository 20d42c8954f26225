import { z } from 'zod';
import { REPORT_SCHEMA, REPORT_SCHEMA_V1, type Report, type ReportV1 } from './contract.js';

/**
 * Zod schemas of the `trailbook.report/v1` and `/v2` contracts (src/report/contract.ts).
 * contract.ts stays the source of the types; this file mirrors it so that a report can be
 * validated at run time and JSON Schemas published (schemas/report-v1.schema.json,
 * report-v2.schema.json). The type-equality checks at the bottom make any drift between the two a
 * typecheck error.
 *
 * Objects are closed (unknown keys are errors): a field added to the contract must be added here
 * too, which the equality checks force, so the published schema always lists every field.
 * Descriptions are for the JSON Schema readers (SOAR/SIEM authors), so they are sentences.
 */

/** ISO-8601 in UTC with a `Z` (the contract's rule for every time). */
const UtcTime = z.iso.datetime().describe('ISO-8601 time in UTC, ending in Z.');
const Count = z.int().min(0);

export const ActionSchema = z
  .enum(['isolate', 'escalate', 'ticket', 'false-positive'])
  .describe('What to do, most severe first: isolate > escalate > ticket > false-positive.');
export const DirectionSchema = z.enum(['inbound', 'outbound', 'both']);
export const FindingKindV1Schema = z.enum(['exposure', 'attempt', 'traffic']);
export const SourceVerdictSchema = z.enum(['known', 'allowed', 'suspicious']);

export const SkippedInputSchema = z
  .strictObject({ path: z.string(), reason: z.string() })
  .meta({ id: 'SkippedInput', description: 'An input file that was not read, and why.' });

export const CredentialsSchema = z
  .strictObject({
    identityType: z.string().nullable().describe('userIdentity.type: IAMUser, AssumedRole, Root, AWSService, ...'),
    arn: z.string().nullable(),
    accessKeyId: z.string().nullable(),
    keyKind: z.enum(['long-term', 'session', 'none']).describe('AKIA… long-term, ASIA… session, none when the call carried no key (console, service).'),
    mfa: z.boolean().nullable().describe('Whether the session was MFA-authenticated; null when CloudTrail does not say.'),
    mfaReason: z
      .string()
      .optional()
      .describe('Why `mfa` has its value when it is inferred rather than read from the event (a long-term key used directly never carries MFA).'),
    via: z.enum(['api', 'console', 'service']).describe('Through the API, the console, or an AWS service acting for a principal.'),
    issuer: z.string().nullable().optional().describe('For assumed roles: the role that issued the session.'),
  })
  .meta({ id: 'Credentials', description: 'Q4: the identity behind CloudTrail events.' });

export const SourceAssessmentSchema = z
  .strictObject({
    ip: z.string(),
    verdict: SourceVerdictSchema,
    reasons: z.array(z.string()),
    role: z.enum(['api-caller', 'connection-peer']).optional().describe('Where this party appears.'),
  })
  .meta({ id: 'SourceAssessment', description: 'Q5: an external party with its verdict and the reasons for it.' });

export const FlowSummarySchema = z
  .strictObject({ connections: Count, acceptedConnections: Count, bytes: Count, externalPeers: Count })
  .meta({ id: 'FlowSummary', description: 'Connections (not flow records) to or from the port in the finding.' });

export const DecisionSchema = z
  .strictObject({
    action: ActionSchema,
    path: z.array(z.string()).describe('The decision-tree nodes walked, root first.'),
    reasons: z.array(z.string()),
    verify: z.string().optional().describe('How an analyst confirms or rules out a false positive for this leaf.'),
  })
  .meta({ id: 'Decision' });

export const EvidenceRowSchema = z
  .strictObject({
    ts: UtcTime,
    actor: z.string().nullable(),
    source_ip: z.string().nullable(),
    action: z.string(),
    resource: z.string().nullable(),
    account_id: z.string().nullable(),
    region: z.string().nullable(),
    source_ref: z.string().describe('CloudTrail eventID, or flow:<interface>:<peer>:<port> for a connection.'),
    detail: z.string().optional(),
  })
  .meta({ id: 'EvidenceRow', description: 'One evidence row, with the leading columns every runbook step shares.' });

export const ExposureWindowSchema = z
  .strictObject({ resource: z.string(), openedAt: UtcTime, closedAt: UtcTime.nullable(), rule: z.string() })
  .meta({ id: 'ExposureWindow', description: 'A time the port was reachable through a resource; closedAt null when still open.' });

const findingFields = {
  id: z.string(),
  title: z.string(),
  eventIds: z.array(z.string()).describe('The CloudTrail eventIDs the finding rests on.'),
  firstSeen: UtcTime.describe('Q1: earliest CloudTrail event or flow record to or from the port in the finding.'),
  lastSeen: UtcTime,
  direction: DirectionSchema.nullable().describe('Q2: by connections when there are flow records, else by the change.'),
  eventSources: z.array(z.string()).describe('Q3: the eventSource of every CloudTrail event in the finding.'),
  credentials: CredentialsSchema.nullable(),
  sources: z.array(SourceAssessmentSchema),
  flows: FlowSummarySchema,
  decision: DecisionSchema,
  evidence: z.array(EvidenceRowSchema).describe('The rows the finding rests on, in time order.'),
  windows: z.array(ExposureWindowSchema).optional(),
};

export const FindingV1Schema = z.strictObject({ ...findingFields, kind: FindingKindV1Schema }).meta({ id: 'FindingV1' });

export const FindingSchema = z
  .strictObject({
    ...findingFields,
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .describe("The runbook's kind of finding (exposure, attempt, persistence…)."),
    label: z.string().optional().describe('How the runbook names that kind.'),
    signals: z.record(z.string(), z.union([z.boolean(), z.number()])).describe("The runbook's signals for this finding: the facts its decision tested."),
  })
  .meta({ id: 'Finding' });

const RunbookIdentitySchema = z.strictObject({
  id: z.string(),
  version: z.string().describe("The runbook's version and the hash of its runbook.yaml: `2.1.0+0123456789ab`."),
  git: z
    .strictObject({
      commit: z
        .string()
        .regex(/^[0-9a-f]{40,64}$/, 'a full git object id')
        .describe('HEAD of the git repository holding the runbook folder.'),
      uncommittedChanges: z.boolean().describe('True when files under the runbook folder differ from that commit (modified, staged, deleted or untracked).'),
    })
    .optional()
    .describe('Present when the runbook folder is inside a git work tree and git is installed.'),
});

/** A count of the logs read; null when not counted: on Athena (a count would be a billed scan), or answered first from a scan (only the records the runbook reads were kept). */
const LogCount = Count.nullable().describe(
  'null: not counted (--engine athena reads the bucket and a count would be a billed scan, docs/athena.md; or `answeredFrom` is "scan": only the records the runbook reads were kept, docs/report.md).',
);

const InputsSchema = z.strictObject({
  cloudtrail: z.strictObject({ files: LogCount, events: LogCount, skipped: z.array(SkippedInputSchema) }),
  vpcflow: z.strictObject({ files: LogCount, records: LogCount, skipped: z.array(SkippedInputSchema) }),
  engine: z
    .strictObject({
      name: z.literal('athena'),
      catalog: z.string(),
      database: z.string(),
      workgroup: z.string().nullable().describe("null: the account's default (primary)."),
    })
    .optional()
    .describe('Present when the runbook ran on Amazon Athena over the log bucket instead of the local store (docs/athena.md); the counts are then null.'),
  answeredFrom: z
    .literal('scan')
    .optional()
    .describe(
      'Present when the report was made before the logs were stored (answer-first, docs/report.md): from a scan of the given files for only the events and flow records the runbook reads. The answers are those a run on the store gives; the event and record counts are null.',
    ),
  intel: z.array(z.strictObject({ name: z.string(), entries: Count, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256') })),
  config: z
    .strictObject({
      file: z.string().nullable().describe('The trailbook.yaml found upward from the working directory; null when none.'),
      from: z
        .record(z.string(), z.string())
        .describe('Per setting (db, intel, trusted, port, protocol): the flag, the TRAILBOOK_* variable, the file, or "default" that set it.'),
    })
    .optional()
    .describe('Where each setting of the run came from (docs/config.md).'),
});

export const ReportV1Schema = z
  .strictObject({
    schema: z.literal(REPORT_SCHEMA_V1),
    generatedAt: UtcTime,
    runbook: RunbookIdentitySchema,
    parameters: z
      .object({ port: z.int().min(0).max(65535), from: UtcTime.nullable(), to: UtcTime.nullable() })
      .catchall(z.unknown())
      .describe('The runbook parameters the run used; other parameters may follow.'),
    inputs: InputsSchema,
    answers: z.strictObject({
      firstSeen: UtcTime.nullable().describe('Q1: the earliest firstSeen over all findings; null without findings.'),
      firstRequest: UtcTime.nullable().describe('Q1: the earliest connection to or from the port (rejected probes count); null without flow records.'),
      firstChange: UtcTime.nullable().describe('Q1: the earliest CloudTrail change of an exposure finding; null without exposures.'),
      direction: z.enum(['inbound', 'outbound', 'both', 'none']).describe('Q2 over all findings.'),
      eventSources: z.array(z.string()).describe('Q3 over all findings.'),
      credentials: z.array(CredentialsSchema).describe('Q4 over all findings, one entry per distinct identity.'),
      sources: z.array(SourceAssessmentSchema).describe('Q5 over all findings, one entry per party.'),
    }),
    findings: z.array(FindingV1Schema),
  })
  .meta({
    id: 'ReportV1',
    title: 'trailbook.report/v1',
    description:
      'What `trailbook investigate --format json` prints for the port runbook (until 2027-12-31): the five answers and the findings with their decisions.',
  });

const AnswerTypeSchema = z.enum(['time', 'list', 'number', 'yes-no', 'direction', 'credentials', 'parties']);

export const ReportSchema = z
  .strictObject({
    schema: z.literal(REPORT_SCHEMA),
    generatedAt: UtcTime,
    runbook: RunbookIdentitySchema.extend({ title: z.string() }),
    subject: z.string().nullable().describe("What was investigated, from the runbook's report.subject (`port 8443`)."),
    parameters: z.record(z.string(), z.unknown()).describe('The runbook parameters the run used, typed as the runbook declares them.'),
    inputs: InputsSchema,
    steps: z
      .array(z.strictObject({ id: z.string(), kind: z.string(), title: z.string(), rows: Count }))
      .describe('Each step of the runbook as run, with how many rows it gave.'),
    questions: z
      .array(
        z.strictObject({
          id: z.string(),
          label: z.string(),
          answer: z.string().describe('A key of `answers`.'),
          type: AnswerTypeSchema.describe(
            'How the answer reads: time (ISO-8601 or null), list (strings), number, yes-no (a boolean), direction, credentials, parties.',
          ),
          answerLabel: z.string().optional().describe('What the answer itself is, when details follow it.'),
          details: z.array(z.strictObject({ label: z.string(), answer: z.string(), type: AnswerTypeSchema })),
        }),
      )
      .describe("The runbook's questions, in order."),
    answers: z
      .record(
        z.string(),
        z.union([UtcTime, z.null(), z.number(), z.boolean(), z.array(z.string()), z.array(CredentialsSchema), z.array(SourceAssessmentSchema), z.string()]),
      )
      .describe('Each answer by id; its type is the one the questions give.'),
    answerRows: z
      .record(z.string(), z.strictObject({ finding: z.string(), source_ref: z.string() }))
      .describe('For an answer read from an evidence row: the finding id and the row.'),
    findings: z.array(FindingSchema),
  })
  .meta({
    id: 'Report',
    title: 'trailbook.report/v2',
    description: 'What `trailbook run --format json` prints for any runbook: its questions and answers, and the findings with their signals and decisions.',
  });

// --- Drift checks: a difference between the zod schema and contract.ts fails typecheck. ---------

/** True only when A and B are the same type (not merely assignable). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

type ParsedV1 = z.output<typeof ReportV1Schema>;
type Parsed = z.output<typeof ReportSchema>;
export type ContractChecks = [
  Assert<Equals<ParsedV1['schema'], ReportV1['schema']>>,
  Assert<Equals<ParsedV1['runbook'], ReportV1['runbook']>>,
  Assert<Equals<ParsedV1['inputs'], ReportV1['inputs']>>,
  Assert<Equals<ParsedV1['answers'], ReportV1['answers']>>,
  Assert<Equals<ParsedV1['findings'], ReportV1['findings']>>,
  Assert<Equals<ParsedV1['generatedAt'], ReportV1['generatedAt']>>,
  Assert<Equals<keyof ParsedV1, keyof ReportV1>>,
  // `parameters` has an index signature, which zod expresses as an intersection: compare both ways.
  Assert<ParsedV1['parameters'] extends ReportV1['parameters'] ? true : false>,
  Assert<ReportV1['parameters'] extends ParsedV1['parameters'] ? true : false>,
  Assert<Equals<Parsed['schema'], Report['schema']>>,
  Assert<Equals<Parsed['runbook'], Report['runbook']>>,
  Assert<Equals<Parsed['inputs'], Report['inputs']>>,
  Assert<Equals<Parsed['steps'], Report['steps']>>,
  Assert<Equals<Parsed['questions'], Report['questions']>>,
  Assert<Equals<Parsed['answerRows'], Report['answerRows']>>,
  Assert<Equals<Parsed['findings'], Report['findings']>>,
  Assert<Equals<Parsed['subject'], Report['subject']>>,
  Assert<Equals<keyof Parsed, keyof Report>>,
  Assert<Parsed['answers'] extends Report['answers'] ? true : false>,
  Assert<Report['answers'] extends Parsed['answers'] ? true : false>,
];

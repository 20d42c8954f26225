/**
 * The report contracts: what `--format json` prints and what SOAR/SIEM/CI tools parse. Field
 * names and meanings are a promise: add fields, never rename or repurpose them. Times are
 * ISO-8601 UTC.
 *
 * `trailbook.report/v2` (`Report`) is the generic contract every runbook's run produces: its
 * parameters are a map, its questions and answers are the runbook's own, each finding carries the
 * signals its decision tested. `trailbook.report/v1` (`ReportV1`) is the port runbook's contract
 * of before: `toV1` (v1.ts) projects a v2 report of the port runbook onto it, so its consumers keep
 * working; `investigate` prints it by default until 2027-12-31 (docs/report.md).
 */
export const REPORT_SCHEMA = 'trailbook.report/v2';
export const REPORT_SCHEMA_V1 = 'trailbook.report/v1';

export type Action = 'isolate' | 'escalate' | 'ticket' | 'false-positive';
export type Direction = 'inbound' | 'outbound' | 'both';
/** The finding kinds of trailbook.report/v1 (the port runbook's); v2 kinds are the runbook's own. */
export type FindingKindV1 = 'exposure' | 'attempt' | 'traffic';
export type SourceVerdict = 'known' | 'allowed' | 'suspicious';

export interface SkippedInput {
  path: string;
  reason: string;
}

export interface Credentials {
  identityType: string | null;
  arn: string | null;
  accessKeyId: string | null;
  /** AKIA… long-term, ASIA… session, none when the call carried no key (console, service). */
  keyKind: 'long-term' | 'session' | 'none';
  mfa: boolean | null;
  /** Why `mfa` has its value when inferred, not read (a long-term key used directly never carries MFA). */
  mfaReason?: string;
  via: 'api' | 'console' | 'service';
  /** For assumed roles: the role that issued the session. */
  issuer?: string | null;
}

export interface SourceAssessment {
  ip: string;
  verdict: SourceVerdict;
  reasons: string[];
  /** Where this party appears: the API caller, or a connection peer. */
  role?: 'api-caller' | 'connection-peer';
}

export interface FlowSummary {
  connections: number;
  acceptedConnections: number;
  bytes: number;
  externalPeers: number;
}

export interface Decision {
  action: Action;
  path: string[];
  reasons: string[];
  /** How an analyst confirms or rules out a false positive for this leaf. */
  verify?: string;
}

/** One evidence row, with the leading columns every runbook step shares (docs/runbook-format.md, "Conventions"). */
export interface EvidenceRow {
  ts: string;
  actor: string | null;
  source_ip: string | null;
  action: string;
  resource: string | null;
  account_id: string | null;
  region: string | null;
  /** CloudTrail eventID, or `flow:<interface>:<peer>:<port>` for a connection. */
  source_ref: string;
  detail?: string;
}

export interface FindingV1 {
  id: string;
  kind: FindingKindV1;
  title: string;
  eventIds: string[];
  firstSeen: string;
  lastSeen: string;
  direction: Direction | null;
  eventSources: string[];
  credentials: Credentials | null;
  sources: SourceAssessment[];
  flows: FlowSummary;
  decision: Decision;
  /** The rows the finding rests on, in time order. */
  evidence: EvidenceRow[];
  /** Exposure windows of the finding (open → close or still open), for the timeline. */
  windows?: { resource: string; openedAt: string; closedAt: string | null; rule: string }[];
}

/** Where the runbook's SQL ran when it was not the local store: Athena, over the log bucket (docs/athena.md). */
export interface EngineInput {
  name: 'athena';
  catalog: string;
  database: string;
  /** null: the account's default workgroup. */
  workgroup: string | null;
}

export interface ReportInputs {
  /** Counts are null when not counted: on Athena a count is a billed scan of the bucket (docs/athena.md, "The report's inputs"). */
  cloudtrail: { files: number | null; events: number | null; skipped: SkippedInput[] };
  vpcflow: { files: number | null; records: number | null; skipped: SkippedInput[] };
  /** Absent for the local store. */
  engine?: EngineInput;
  /**
   * 'scan': made before the logs were stored, from a scan of the given files for only what the
   * runbook reads (answer-first: investigate/answer-first.ts); the event and record counts are null.
   */
  answeredFrom?: 'scan';
  intel: { name: string; entries: number; sha256: string }[];
  /** Where each setting of the run came from (src/config/settings.ts); absent when not recorded. */
  config?: { file: string | null; from: { [setting: string]: string } };
}

/**
 * `git`: where the runbook folder came from when it is inside a git work tree (absent when
 * it is not, or git is not installed): HEAD's commit, and whether the folder differs from it.
 */
export interface RunbookIdentity {
  id: string;
  version: string;
  git?: { commit: string; uncommittedChanges: boolean };
}

/** The port runbook's five answers as v1 has them. */
export interface AnswersV1 {
  firstSeen: string | null;
  /** Q1, first half: the earliest connection to or from the port (a rejected probe counts). */
  firstRequest: string | null;
  /** Q1, second half: the earliest CloudTrail change of an exposure finding. */
  firstChange: string | null;
  direction: Direction | 'none';
  eventSources: string[];
  credentials: Credentials[];
  sources: SourceAssessment[];
}

export interface ReportV1 {
  schema: typeof REPORT_SCHEMA_V1;
  generatedAt: string;
  runbook: RunbookIdentity;
  parameters: { port: number; from: string | null; to: string | null; [name: string]: unknown };
  inputs: ReportInputs;
  answers: AnswersV1;
  findings: FindingV1[];
}

/** How an answer's value reads, by the reducer that computed it (runbook/schema.ts REDUCERS). */
export type AnswerType = 'time' | 'list' | 'number' | 'yes-no' | 'direction' | 'credentials' | 'parties';
export type AnswerValue = string | null | number | boolean | string[] | Credentials[] | SourceAssessment[];

export interface ReportQuestion {
  id: string;
  /** The runbook's question, parameters filled in. */
  label: string;
  /** The id of the answer (a key of `answers`) and how it reads. */
  answer: string;
  type: AnswerType;
  /** What the answer itself is, when details follow it. */
  answerLabel?: string;
  details: { label: string; answer: string; type: AnswerType }[];
}

export interface RunbookWithTitle extends RunbookIdentity {
  title: string;
}

export interface Finding extends Omit<FindingV1, 'kind'> {
  /** The runbook's kind of finding. */
  kind: string;
  /** How the runbook names that kind, when it says. */
  label?: string;
  /** The runbook's signals as computed for this finding: what its decision tested. */
  signals: Record<string, boolean | number>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  runbook: RunbookWithTitle;
  /** What was investigated, from the runbook's `report.subject` (`port 8443`); null when it has none. */
  subject: string | null;
  parameters: { [name: string]: unknown };
  inputs: ReportInputs;
  /** Each step of the runbook as run, with how many rows it gave. */
  steps: { id: string; kind: string; title: string; rows: number }[];
  questions: ReportQuestion[];
  answers: { [id: string]: AnswerValue };
  /** For an answer read from an evidence row: the finding and row it came from. */
  answerRows: { [id: string]: { finding: string; source_ref: string } };
  findings: Finding[];
}

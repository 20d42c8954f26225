/**
 * The `trailbook.report/v1` contract (DESIGN.md §5): what `investigate --format json` prints and
 * what SOAR/SIEM/CI tools parse. Field names and meanings are a promise: add fields, never
 * rename or repurpose them. Times are ISO-8601 UTC.
 */
export const REPORT_SCHEMA = 'trailbook.report/v1';

export type Action = 'isolate' | 'escalate' | 'ticket' | 'false-positive';
export type Direction = 'inbound' | 'outbound' | 'both';
export type FindingKind = 'exposure' | 'attempt' | 'traffic';
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

/** One evidence row, with the leading columns every runbook step shares (DESIGN.md §4). */
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

export interface Finding {
  id: string;
  kind: FindingKind;
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

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  /**
   * `git`: where the runbook folder came from when it is inside a git work tree (absent when
   * it is not, or git is not installed): HEAD's commit, and whether the folder differs from it.
   */
  runbook: { id: string; version: string; git?: { commit: string; uncommittedChanges: boolean } };
  parameters: { port: number; from: string | null; to: string | null; [name: string]: unknown };
  inputs: {
    cloudtrail: { files: number; events: number; skipped: SkippedInput[] };
    vpcflow: { files: number; records: number; skipped: SkippedInput[] };
    intel: { name: string; entries: number; sha256: string }[];
    /** Where each setting of the run came from (src/config/settings.ts); absent when not recorded. */
    config?: { file: string | null; from: { [setting: string]: string } };
  };
  answers: {
    firstSeen: string | null;
    /** Q1, first half: the earliest connection to or from the port (a rejected probe counts). */
    firstRequest: string | null;
    /** Q1, second half: the earliest CloudTrail change of an exposure finding. */
    firstChange: string | null;
    direction: Direction | 'none';
    eventSources: string[];
    credentials: Credentials[];
    sources: SourceAssessment[];
  };
  findings: Finding[];
}

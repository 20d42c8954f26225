import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Action, EvidenceRow, Finding, Report } from '../contract.js';

/**
 * `--format ocsf`: one OCSF Detection Finding (class 2004, category 2 "Findings") per report
 * finding, one JSON object per line (JSON Lines), for Security Lake and SIEMs. The mapping, and
 * why each choice, is docs/ocsf.md; the attributes the schema requires are checked by
 * test/report/ocsf.test.ts. Every value is set as data and serialised by JSON.stringify: a log
 * field (attacker-controlled) can never break a line or an object.
 */

/** The OCSF schema release these events follow (metadata.version). */
export const OCSF_VERSION = '1.8.0';

export const OCSF_CLASS_UID = 2004;
export const OCSF_CATEGORY_UID = 2;
/** Create: each run reports its findings anew; a consumer upserts by `finding_info.uid`. */
const ACTIVITY = { id: 1, name: 'Create' } as const;

/** The decision → OCSF severity (base event `severity_id`), most severe first. */
export const OCSF_SEVERITY: Record<Action, { id: number; name: string }> = {
  isolate: { id: 5, name: 'Critical' },
  escalate: { id: 4, name: 'High' },
  ticket: { id: 3, name: 'Medium' },
  'false-positive': { id: 1, name: 'Informational' },
};

/** The decision → finding `status_id`: the tree ruled a false positive out already (Suppressed); the rest await a responder (New). */
export const OCSF_STATUS: Record<Action, { id: number; name: string }> = {
  isolate: { id: 1, name: 'New' },
  escalate: { id: 1, name: 'New' },
  ticket: { id: 1, name: 'New' },
  'false-positive': { id: 3, name: 'Suppressed' },
};

/** Observable `type_id`s (OCSF dictionary types): ip_t and resource_uid_t. */
const OBSERVABLE_IP = { type_id: 2, type: 'IP Address' } as const;
const OBSERVABLE_RESOURCE = { type_id: 10, type: 'Resource UID' } as const;

let productVersion: string | undefined;
/** trailbook's version, from package.json (two folders up from src/report/render and dist/report/render alike). */
function trailbookVersion(): string {
  productVersion ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return productVersion;
}

/** ISO-8601 → epoch milliseconds (OCSF timestamp_t); undefined when the report has no time. */
function epochMs(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The one value every row shares, or undefined when they differ or none has one. */
function single(values: (string | null)[]): string | undefined {
  const distinct = new Set(values.filter((v): v is string => !!v));
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

function evidence(row: EvidenceRow): Record<string, unknown> {
  const ip = row.source_ip;
  return {
    uid: row.source_ref,
    name: row.action,
    ...(row.actor ? { actor: { user: { uid: row.actor } } } : {}),
    // A service principal (cloudformation.amazonaws.com) calls from no address: it is the endpoint's service name.
    ...(ip ? { src_endpoint: isIP(ip) ? { ip } : { svc_name: ip } } : {}),
    ...(row.resource ? { resources: [{ uid: row.resource, ...(row.region ? { region: row.region } : {}) }] } : {}),
    data: { ts: row.ts, account_id: row.account_id, region: row.region, ...(row.detail !== undefined ? { detail: row.detail } : {}) },
  };
}

function observables(finding: Finding): Record<string, unknown>[] {
  const out = new Map<string, Record<string, unknown>>();
  const add = (name: string, kind: typeof OBSERVABLE_IP | typeof OBSERVABLE_RESOURCE, value: string) => {
    const key = `${kind.type_id}\u0000${value}`;
    if (!out.has(key)) out.set(key, { name, ...kind, value });
  };
  for (const row of finding.evidence) {
    if (row.source_ip && isIP(row.source_ip)) add('evidences.src_endpoint.ip', OBSERVABLE_IP, row.source_ip);
    if (row.resource) add('resources.uid', OBSERVABLE_RESOURCE, row.resource);
  }
  for (const source of finding.sources) if (isIP(source.ip)) add('unmapped.trailbook.sources.ip', OBSERVABLE_IP, source.ip);
  if (finding.credentials?.arn) add('unmapped.trailbook.credentials.arn', OBSERVABLE_RESOURCE, finding.credentials.arn);
  return [...out.values()];
}

function resources(finding: Finding): Record<string, unknown>[] {
  const byUid = new Map<string, Record<string, unknown>>();
  for (const row of finding.evidence) {
    if (!row.resource || byUid.has(row.resource)) continue;
    byUid.set(row.resource, { uid: row.resource, ...(row.region ? { region: row.region } : {}) });
  }
  return [...byUid.values()];
}

/** OCSF Detection Finding activities: a finding reported anew, reported again changed, closed. */
export const OCSF_ACTIVITY = {
  create: ACTIVITY,
  update: { id: 2, name: 'Update' },
  close: { id: 3, name: 'Close' },
} as const;

/** The finding `status_id` of a finding closed because a later run ruled it a false positive (alerts, docs/alerts.md). */
export const OCSF_STATUS_RESOLVED = { id: 4, name: 'Resolved' } as const;

/** What the finding builder reads of its report: an alert (src/alerts) carries these, not the whole report. */
export type OcsfReportContext = Pick<Report, 'schema' | 'generatedAt' | 'runbook' | 'subject'>;

/** A report renders every finding as Create with the status of its decision; an alert sink says what changed. */
export interface OcsfFindingOptions {
  activity?: { id: number; name: string };
  status?: { id: number; name: string };
}

/** One Detection Finding for one report finding (an object; `renderOcsf` serialises). */
export function ocsfFinding(report: OcsfReportContext, finding: Finding, options: OcsfFindingOptions = {}): Record<string, unknown> {
  const action = finding.decision.action;
  const severity = OCSF_SEVERITY[action];
  const status = options.status ?? OCSF_STATUS[action];
  const activity = options.activity ?? ACTIVITY;
  const account = single(finding.evidence.map((r) => r.account_id));
  const region = single(finding.evidence.map((r) => r.region));
  const firstSeen = epochMs(finding.firstSeen);
  const lastSeen = epochMs(finding.lastSeen);
  const dataSources = new Set(finding.evidence.map((r) => (r.source_ref.startsWith('flow:') ? 'VPC Flow Logs' : 'CloudTrail')));
  const time = epochMs(report.generatedAt) ?? Date.now();
  const { runbook } = report;
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: OCSF_CATEGORY_UID,
    category_name: 'Findings',
    class_uid: OCSF_CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: OCSF_CLASS_UID * 100 + activity.id,
    type_name: `Detection Finding: ${activity.name}`,
    time,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    is_alert: action !== 'false-positive',
    message: finding.title,
    ...(firstSeen !== undefined ? { start_time: firstSeen } : {}),
    ...(lastSeen !== undefined ? { end_time: lastSeen } : {}),
    metadata: {
      version: OCSF_VERSION,
      profiles: ['cloud'],
      product: {
        name: 'trailbook',
        vendor_name: 'trailbook',
        version: trailbookVersion(),
        feature: { uid: runbook.id, name: runbook.title, version: runbook.version },
      },
    },
    finding_info: {
      uid: finding.id,
      title: finding.title,
      desc: finding.decision.reasons.join('\n'),
      types: [finding.label ?? finding.kind],
      created_time: time,
      ...(firstSeen !== undefined ? { first_seen_time: firstSeen } : {}),
      ...(lastSeen !== undefined ? { last_seen_time: lastSeen } : {}),
      analytic: { uid: runbook.id, name: runbook.title, version: runbook.version, type_id: 1, type: 'Rule' },
      data_sources: [...dataSources].sort(),
      related_events: finding.eventIds.map((uid) => ({ uid })),
    },
    cloud: {
      provider: 'AWS',
      ...(account ? { account: { uid: account, type_id: 10, type: 'AWS Account' } } : {}),
      ...(region ? { region } : {}),
    },
    resources: resources(finding),
    evidences: finding.evidence.map(evidence),
    observables: observables(finding),
    unmapped: {
      trailbook: {
        report_schema: report.schema,
        subject: report.subject,
        kind: finding.kind,
        decision: finding.decision,
        direction: finding.direction,
        event_sources: finding.eventSources,
        credentials: finding.credentials,
        sources: finding.sources,
        flows: finding.flows,
        signals: finding.signals,
        ...(finding.windows ? { windows: finding.windows } : {}),
      },
    },
  };
}

/** The report as OCSF JSON Lines: one Detection Finding a line, in the report's order; empty when there are no findings. */
export function renderOcsf(report: Report): string {
  return report.findings.map((finding) => `${JSON.stringify(ocsfFinding(report, finding))}\n`).join('');
}

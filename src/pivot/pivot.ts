import type { Engine, Row } from '../engines/engine.js';
import { TrailbookError } from '../errors.js';
import { classify, type IntelIndex } from '../intel/index.js';
import type { Report } from '../report/contract.js';

/**
 * A pivot: everything the store holds about one value (an address, an access key, a principal, a
 * resource), with the address's intel verdict and the findings of earlier runs that name it. The
 * value is always a bound parameter; each side is capped, with its total said.
 */
export const PIVOT_KINDS = ['address', 'key', 'principal', 'resource'] as const;
export type PivotKind = (typeof PIVOT_KINDS)[number];

export const PIVOT_LIMIT = 500;

export interface PivotRows {
  rows: Row[];
  total: number;
  truncated: boolean;
}

export interface PivotResult {
  kind: PivotKind;
  value: string;
  intel?: { verdict: string; reasons: string[] };
  cloudtrail: PivotRows;
  flows: PivotRows;
}

const CLOUDTRAIL_COLUMNS =
  'eventtime, eventname, eventsource, sourceipaddress, ui_arn AS principal, ui_accesskeyid AS access_key, awsregion, recipientaccountid AS account_id, errorcode, useragent, eventid, _file AS file';
const FLOW_COLUMNS =
  'strftime(to_timestamp("start"), \'%Y-%m-%dT%H:%M:%SZ\') AS start, interface_id, srcaddr, srcport, dstaddr, dstport, protocol, "action", packets, bytes, _file AS file, _line AS line';

/** Which rows name the value, per kind: CloudTrail's flat columns, the flow records' addresses or interface. */
const CLOUDTRAIL_WHERE: Record<PivotKind, string> = {
  address: 'sourceipaddress = $value',
  key: 'ui_accesskeyid = $value',
  principal: 'ui_arn = $value OR ui_principalid = $value OR ui_username = $value OR ui_issuer_arn = $value',
  resource: 'contains(requestparameters, $value) OR contains(responseelements, $value) OR contains(resources_json, $value)',
};
const FLOW_WHERE: Record<PivotKind, string | null> = {
  address: 'srcaddr = $value OR dstaddr = $value',
  key: null,
  principal: null,
  resource: 'interface_id = $value',
};

export function isPivotKind(kind: string): kind is PivotKind {
  return (PIVOT_KINDS as readonly string[]).includes(kind);
}

export async function pivot(engine: Engine, kind: PivotKind, value: string, intel?: IntelIndex): Promise<PivotResult> {
  if (value === '') throw new TrailbookError('USAGE', 'give a value to pivot on');
  const cloudtrail = await side(engine, CLOUDTRAIL_COLUMNS, 'cloudtrail_events', CLOUDTRAIL_WHERE[kind], 'eventtime', value);
  const flowWhere = FLOW_WHERE[kind];
  const flows = flowWhere
    ? await side(engine, FLOW_COLUMNS, 'vpc_flow_records', `_kind = 'vpc' AND (${flowWhere})`, '"start", _file, _line', value)
    : { rows: [], total: 0, truncated: false };
  const result: PivotResult = { kind, value, cloudtrail, flows };
  if (kind === 'address' && intel) {
    const verdict = classify(intel, value);
    result.intel = { verdict: verdict.reportedAs, reasons: [...verdict.reasons] };
  }
  return result;
}

async function side(engine: Engine, columns: string, table: string, where: string, order: string, value: string): Promise<PivotRows> {
  const { rows } = await engine.all(`SELECT ${columns}, count(*) OVER () AS _total FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT ${PIVOT_LIMIT}`, {
    value,
  });
  const total = Number(rows[0]?.['_total'] ?? 0);
  for (const row of rows) delete row['_total'];
  return { rows, total, truncated: total > rows.length };
}

export interface PivotFinding {
  runId: string;
  findingId: string;
  title: string;
  action: string;
}

/** The findings of the given reports whose evidence or credentials name the value. */
export function findingsNaming(reports: readonly { runId: string; report: Report }[], value: string): PivotFinding[] {
  const out: PivotFinding[] = [];
  for (const { runId, report } of reports) {
    for (const finding of report.findings) {
      const named =
        finding.evidence.some((e) => e.actor === value || e.source_ip === value || e.resource === value) ||
        finding.sources.some((s) => s.ip === value) ||
        finding.credentials?.accessKeyId === value ||
        finding.credentials?.arn === value;
      if (named) out.push({ runId, findingId: finding.id, title: finding.title, action: finding.decision.action });
    }
  }
  return out;
}

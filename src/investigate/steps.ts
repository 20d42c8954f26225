import type { Engine, Row } from '../engines/engine.js';
import { findExposures, type ExposureChange, type ExposureWindow, type PortProtocol } from '../ports/index.js';
import { findConnections, overlayConnections, overlayWindows, type Connection, type OverlayWindow } from '../flows/index.js';
import { classify, type IntelIndex } from '../intel/index.js';
import { stepParams, type Plan, type PlanStep } from '../runbook/compile.js';
import type { CallerIdentity } from './assemble.js';
import { IDENTITY_CARRY, identityOf } from './identities.js';

/**
 * Runs a plan's steps on an engine. SQL steps run as written with their bound parameters; the
 * built-in steps turn the judged objects of ports/, flows/ and intel/ into rows with the shared
 * leading columns, so findings treat every step alike. Rows of built-in steps carry a
 * `finding_kind` column: a finding rule of kind K takes only the rows of kind K.
 */
export type StepRows = Map<string, Row[]>;

export interface StepContext {
  engine: Engine;
  intel: IntelIndex;
  /** VPC CIDRs for telling inbound from outbound where flow logs lack flow-direction. */
  vpcCidrs: string[];
  /**
   * Filled with the caller identity of every event the exposures step read, so the identities of
   * the findings' events need no second pass over the table (see `lookupIdentities`).
   */
  identities?: Map<string, CallerIdentity>;
}

export async function runSteps(plan: Plan, context: StepContext): Promise<StepRows> {
  const out: StepRows = new Map();
  const windows = new Map<string, ExposureWindow[]>();
  for (const step of plan.steps) out.set(step.id, await runStep(step, out, windows, context));
  return out;
}

async function runStep(step: PlanStep, done: StepRows, windowsByStep: Map<string, ExposureWindow[]>, context: StepContext): Promise<Row[]> {
  if (step.kind === 'sql') return (await context.engine.all(step.sql, stepParams(step))).rows;
  const options = step.options;
  switch (step.kind) {
    case 'exposures': {
      const { changes, windows, rows } = await findExposures(context.engine, {
        port: options['port'] as number,
        protocol: options['protocol'] as PortProtocol | undefined,
        from: (options['from'] as string | undefined) ?? undefined,
        to: (options['to'] as string | undefined) ?? undefined,
        carry: context.identities ? IDENTITY_CARRY : undefined,
      });
      if (context.identities) for (const row of rows) if (row.eventid !== null) context.identities.set(row.eventid, identityOf(row));
      windowsByStep.set(step.id, windows);
      const windowOf = new Map(windows.map((w) => [w.opened, w] as const));
      return changes.map((c) => exposureRow(c, windowOf.get(c)));
    }
    case 'flows': {
      const port = options['port'] as number;
      const connections = await findConnections(context.engine, {
        port,
        protocol: options['protocol'] as PortProtocol | undefined,
        from: (options['from'] as string | undefined) ?? undefined,
        to: (options['to'] as string | undefined) ?? undefined,
        vpcCidrs: context.vpcCidrs,
      });
      const exposureStep = options['exposures'] as string | undefined;
      const windows = exposureStep ? overlayWindows(windowsByStep.get(exposureStep) ?? []) : [];
      return connectionRows(connections, windows);
    }
    case 'intel': {
      const of = (options['of'] as string[]) ?? [];
      const column = (options['column'] as string | undefined) ?? 'source_ip';
      const seen = new Map<string, Row>();
      for (const id of of) {
        for (const row of done.get(id) ?? []) {
          const value = row[column];
          if (typeof value !== 'string' || seen.has(value)) continue;
          const verdict = classify(context.intel, value, { at: typeof row['ts'] === 'string' ? new Date(row['ts']) : undefined });
          seen.set(value, { value, verdict: verdict.verdict, rule: verdict.rule, reasons: verdict.reasons });
        }
      }
      return [...seen.values()];
    }
  }
}

const DIRECTION: Record<ExposureChange['direction'], 'inbound' | 'outbound'> = { ingress: 'inbound', egress: 'outbound' };

function describeRule(c: ExposureChange): string {
  const ports = c.fromPort === null && c.toPort === null ? 'all ports' : c.fromPort === c.toPort ? `port ${c.fromPort}` : `ports ${c.fromPort}-${c.toPort}`;
  return `${c.protocol ?? 'any'} ${ports} ${c.direction === 'ingress' ? 'from' : 'to'} ${c.peer.value}`;
}

/** A change as a row; the change that opened a window also carries when (and by which event) it closed. */
function exposureRow(c: ExposureChange, opened: ExposureWindow | undefined): Row {
  return {
    ts: c.eventTime,
    actor: c.actor,
    source_ip: c.sourceIp,
    action: c.eventName,
    resource: c.resource,
    account_id: c.accountId,
    region: c.region,
    source_ref: c.eventId,
    finding_kind: c.action === 'attempt' ? 'attempt' : 'exposure',
    change: c.action,
    event_source: c.eventSource,
    access_key_id: c.accessKeyId,
    direction: DIRECTION[c.direction],
    rule: describeRule(c),
    from_port: c.fromPort,
    to_port: c.toPort,
    protocol: c.protocol,
    internet_exposed: c.internetExposed,
    error_code: c.errorCode,
    exposed_by: c.resource,
    why: c.why,
    window_closed_at: opened ? (opened.closed?.eventTime ?? null) : null,
    window_closed_by: opened ? (opened.closed?.eventId ?? null) : null,
    opens_window: opened !== undefined,
  };
}

/**
 * Connections as rows. Those inside an exposure window belong to that exposure (`exposed_by`);
 * so do earlier and later connections in the same direction on the same interface — the probes
 * before a group was opened are the first requests that hit the port (DESIGN.md §5, Q1).
 */
export function connectionRows(connections: readonly Connection[], windows: readonly OverlayWindow[]): Row[] {
  const overlay = overlayConnections(connections, windows);
  const exposedBy = new Map<Connection, string>();
  const interfaceExposure = new Map<string, string>();
  for (const w of overlay.windows) {
    for (const c of w.connections) {
      exposedBy.set(c, w.window.resource);
      if (c.interfaceId) interfaceExposure.set(`${c.interfaceId}|${c.direction}`, w.window.resource);
    }
  }
  return connections.map((c) => {
    const owner = exposedBy.get(c) ?? (c.interfaceId ? interfaceExposure.get(`${c.interfaceId}|${c.direction}`) : undefined) ?? null;
    return {
      ts: c.firstSeen,
      actor: null,
      source_ip: c.remoteAddress,
      action: `${c.direction} ${c.action}`,
      resource: c.instanceId ?? c.interfaceId,
      account_id: c.accountId,
      region: null,
      source_ref: `flow:${c.key}`,
      finding_kind: owner ? 'exposure' : 'traffic',
      exposed_by: owner,
      direction: c.direction,
      accepted: c.action === 'ACCEPT',
      handshake: c.handshake,
      bytes: c.bytes,
      packets: c.packets,
      last_seen: c.lastSeen,
      interface_id: c.interfaceId,
      local: `${c.localAddress}:${c.localPort}`,
      remote: `${c.remoteAddress}:${c.remotePort}`,
    };
  });
}

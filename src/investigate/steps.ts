import type { Engine, Row } from '../engines/engine.js';
import { findExposures, isDefaultEgressRule, type ExposureChange, type ExposureWindow, type PortProtocol } from '../ports/index.js';
import { findConnections, overlayConnections, overlayWindows, type Connection, type ExcludedInterface, type OverlayWindow } from '../flows/index.js';
import { parsePrefix, prefixCovers } from '../net/address.js';
import { SPECIAL_RANGES } from '../net/special.js';
import { findMembership, NO_MEMBERSHIP, type Membership } from '../topology/index.js';
import { classify, type IntelIndex } from '../intel/index.js';
import { stepParams, type Plan, type PlanStep } from '../runbook/compile.js';
import { IDENTITY_CARRY, identityOf, type CallerIdentity } from './identities.js';

/**
 * Runs a plan's steps on an engine. SQL steps run as written with their bound parameters; the
 * built-in steps turn the judged objects of ports/, flows/ and intel/ into rows with the shared
 * leading columns, so findings treat every step alike. Their `detail` column is the evidence
 * row's detail in reports; which rows become which findings is the runbook's (`where`).
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
  /** Told before each step runs (the workspace shows a run's progress from it). */
  onStep?: (step: PlanStep, index: number, total: number) => void;
}

export async function runSteps(plan: Plan, context: StepContext): Promise<StepRows> {
  const out: StepRows = new Map();
  const windows = new Map<string, ExposureWindow[]>();
  for (const [index, step] of plan.steps.entries()) {
    context.onStep?.(step, index, plan.steps.length);
    out.set(step.id, await runStep(step, out, windows, context));
  }
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
      const membership = windows.length
        ? await findMembership(context.engine, {
            from: (options['from'] as string | undefined) ?? undefined,
            to: (options['to'] as string | undefined) ?? undefined,
          })
        : NO_MEMBERSHIP;
      const { rows, excluded } = attributeConnections(connections, windows, { membership, followOutbound: options['followOutbound'] === true });
      if (exposureStep) noteExclusions(done.get(exposureStep) ?? [], excluded);
      return rows;
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
  const peer = `${c.direction === 'ingress' ? 'from' : 'to'} ${c.peer.value}`;
  // Protocol "all" (-1) has no ports: "all traffic", not "all all ports".
  if (c.protocol === 'all') return `all traffic ${peer}`;
  const ports = c.fromPort === null && c.toPort === null ? 'all ports' : c.fromPort === c.toPort ? `port ${c.fromPort}` : `ports ${c.fromPort}-${c.toPort}`;
  return `${c.protocol ?? 'any'} ${ports} ${peer}`;
}

/** A change as a row; the change that opened a window also carries when (and by which event) it closed. */
function exposureRow(c: ExposureChange, opened: ExposureWindow | undefined): Row {
  return {
    ts: c.eventTime,
    actor: c.actor,
    source_ip: c.sourceIp,
    // A change that is not an opening says what it was: `AuthorizeSecurityGroupIngress (attempt)`.
    action: c.action === 'open' ? c.eventName : `${c.eventName} (${c.action})`,
    resource: c.resource,
    account_id: c.accountId,
    region: c.region,
    source_ref: c.eventId,
    change: c.action,
    event_source: c.eventSource,
    access_key_id: c.accessKeyId,
    direction: DIRECTION[c.direction],
    rule: describeRule(c),
    from_port: c.fromPort,
    to_port: c.toPort,
    protocol: c.protocol,
    internet_exposed: c.internetExposed,
    default_egress: isDefaultEgressRule(c),
    error_code: c.errorCode,
    exposed_by: c.resource,
    why: c.why,
    window_closed_at: opened ? (opened.closed?.eventTime ?? null) : null,
    window_closed_by: opened ? (opened.closed?.eventId ?? null) : null,
    opens_window: opened !== undefined,
    detail: [describeRule(c), c.errorCode ? `error ${c.errorCode}` : null].filter(Boolean).join('; '),
  };
}

/**
 * The exposures step's rows learn, once the connections are laid over the windows, which
 * interfaces a window's rule was found not to front (a contradicting REJECT): the row of the
 * change that opened the window carries it in words (`not_fronting`), so the finding says so.
 */
function noteExclusions(exposureRows: Row[], excluded: ReadonlyMap<string, readonly ExcludedInterface[]>): void {
  for (const row of exposureRows) {
    const list = row['opens_window'] === true ? excluded.get(String(row['source_ref'])) : undefined;
    if (!list?.length) continue;
    row['not_fronting'] = list.map((e) => `not credited with ${e.interfaceId}: ${e.reason}`).join('; ');
    row['detail'] = [row['detail'], row['not_fronting']].filter(Boolean).join('; ');
  }
}

export interface AttributionOptions {
  membership?: Membership;
  /** Fold an interface's outbound connections into the exposure it was reached through (the call-home). */
  followOutbound?: boolean;
}

interface Owner {
  resource: string;
  basis: string;
  reason: string;
}

/**
 * A remote address that is a public host (not private, shared, loopback… space: the ranges intel
 * calls `private`, src/net/special.ts): only such a peer "reached" a host from outside.
 */
function isExternal(address: string | null): boolean {
  if (!address) return false;
  const parsed = parsePrefix(address);
  return parsed.ok && !SPECIAL_RANGES.some((r) => r.nonPublic && prefixCovers(r.prefix, parsed.value));
}

/**
 * Connections as rows. Those a window covers belong to that exposure (`exposed_by`), with how they
 * were attributed (`attribution`: resource, membership or inference; `attribution_reason` in
 * words; flows/overlay.ts). Earlier and later connections in the same direction on an interface
 * a window covered follow it — the probes before a group was opened are the first requests that
 * hit the port (docs/report.md, Q1). With `followOutbound`, the outbound connections an interface
 * started after an external peer was accepted through an exposure belong to that exposure: the
 * call-home is part of the intrusion's story, not a separate finding.
 */
export function attributeConnections(
  connections: readonly Connection[],
  windows: readonly OverlayWindow[],
  options: AttributionOptions = {},
): { rows: Row[]; excluded: Map<string, ExcludedInterface[]> } {
  const overlay = overlayConnections(connections, windows, options.membership);
  const owners = new Map<Connection, Owner>();
  const interfaceOwner = new Map<string, Owner>();
  const excluded = new Map<string, ExcludedInterface[]>();
  for (const w of overlay.windows) {
    if (w.excluded.length) excluded.set(w.window.eventId, [...(excluded.get(w.window.eventId) ?? []), ...w.excluded]);
    for (const c of w.connections) {
      const { basis, reason } = w.attribution.get(c)!;
      const owner = { resource: w.window.resource, basis, reason };
      owners.set(c, owner);
      if (c.interfaceId) interfaceOwner.set(`${c.interfaceId}|${c.direction}`, owner);
    }
  }
  for (const c of connections) {
    if (owners.has(c) || !c.interfaceId) continue;
    const owner = interfaceOwner.get(`${c.interfaceId}|${c.direction}`);
    if (owner) owners.set(c, { ...owner, reason: `same interface and direction as connections credited to ${owner.resource} (${owner.reason})` });
  }
  if (options.followOutbound) {
    // The first accepted inbound connection from an external peer through an exposure, per interface.
    const reached = new Map<string, { connection: Connection; owner: Owner }>();
    for (const c of connections) {
      const owner = owners.get(c);
      if (!owner || !c.interfaceId || c.direction !== 'inbound' || c.action !== 'ACCEPT' || !isExternal(c.remoteAddress) || reached.has(c.interfaceId))
        continue;
      reached.set(c.interfaceId, { connection: c, owner });
    }
    for (const c of connections) {
      const through = c.interfaceId && c.direction === 'outbound' ? reached.get(c.interfaceId) : undefined;
      if (!through || !c.firstSeen || !through.connection.firstSeen || Date.parse(c.firstSeen) < Date.parse(through.connection.firstSeen)) continue;
      const { connection: entry, owner } = through;
      owners.set(c, {
        resource: owner.resource,
        basis: 'reached-then-outbound',
        reason: `${c.interfaceId} started it after ${entry.remoteAddress} was accepted on ${entry.port} at ${entry.firstSeen} through ${owner.resource}: the host called out once reached`,
      });
    }
  }
  // A connection left out of a window by a contradiction says why on its own (traffic) row too.
  const contradicted = new Map(overlay.unexposed.filter((u) => u.reason === 'contradicted-exposure').map((u) => [u.connection, u.explanation] as const));
  const rows = connections.map((c) => {
    const owner = owners.get(c) ?? null;
    const contradiction = owner ? undefined : contradicted.get(c);
    const attribution = owner?.basis ?? (contradiction ? 'contradicted' : null);
    const attributionReason = owner?.reason ?? contradiction ?? null;
    // Direction unknown: no remote or local side, but the client (who sent to the port) and the server still are.
    const ends =
      c.direction === 'unknown'
        ? `${c.client}:${c.clientPort} → ${c.server}:${c.serverPort} (direction unknown)`
        : `${c.remoteAddress}:${c.remotePort} → ${c.localAddress}:${c.localPort}`;
    const flow = `${ends} ${c.handshake}, ${c.packets} packets, ${c.bytes} bytes`;
    return {
      ts: c.firstSeen,
      actor: null,
      source_ip: c.remoteAddress ?? (c.direction === 'unknown' ? c.client : null),
      action: `${c.direction} ${c.action}`,
      resource: c.instanceId ?? c.interfaceId,
      account_id: c.accountId,
      region: c.region,
      source_ref: `flow:${c.key}`,
      exposed_by: owner?.resource ?? null,
      attribution,
      attribution_reason: attributionReason,
      direction: c.direction,
      accepted: c.action === 'ACCEPT',
      handshake: c.handshake,
      bytes: c.bytes,
      packets: c.packets,
      last_seen: c.lastSeen,
      interface_id: c.interfaceId,
      local: c.localAddress === null ? null : `${c.localAddress}:${c.localPort}`,
      remote: c.remoteAddress === null ? null : `${c.remoteAddress}:${c.remotePort}`,
      detail: attributionReason ? `${flow}; ${attribution}: ${attributionReason}` : flow,
    };
  });
  return { rows, excluded };
}

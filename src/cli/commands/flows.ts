import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { TrailbookError } from '../../errors.js';
import { portOption } from '../../config/port.js';
import { requireStore } from '../../store/location.js';
import { parseCidr, parseIp } from '../../flows/cidr.js';
import { findConnections } from '../../flows/find.js';
import type { Connection } from '../../flows/connections.js';
import { overlayConnections, type Overlay } from '../../flows/overlay.js';
import { overlayWindows, type OverlayWindow } from '../../flows/exposure-windows.js';
import { findMembership } from '../../topology/index.js';
import { findExposures, windowRow, type ExposureWindow } from '../../ports/index.js';
import { sanitizeCell } from '../../report/escape.js';
import { DB_HELP, PORT_HELP, settingsFor, SINCE_HELP, parseProtocolFlag, PROTOCOL_HELP, TimeFlags } from '../options.js';
import { formatRows, formatTable, parseTabularFormat, type TabularFormat } from '../../report/tabular.js';

interface FlowsFlags {
  port?: number;
  protocol?: string;
  from?: string;
  since?: string;
  to?: string;
  vpcCidr: string[];
  interfaceAddress: string[];
  overlay?: boolean;
  db?: string;
  format: string;
}

/** Columns of `trailbook flows`, in order (stable machine output). */
export const FLOWS_COLUMNS = [
  'first_seen',
  'last_seen',
  'direction',
  'action',
  'handshake',
  'protocol',
  'remote_address',
  'remote_port',
  'local_address',
  'local_port',
  'interface_id',
  'instance_id',
  'packets',
  'bytes',
  'request_bytes',
  'reply_bytes',
  'records',
  'direction_basis',
  'client',
  'server',
  'remote_packet_address',
] as const;

export function connectionRow(c: Connection): Record<string, unknown> {
  return {
    first_seen: c.firstSeen,
    last_seen: c.lastSeen,
    direction: c.direction,
    action: c.action,
    handshake: c.handshake,
    protocol: c.protocolName,
    remote_address: c.remoteAddress,
    remote_port: c.remotePort,
    local_address: c.localAddress,
    local_port: c.localPort,
    interface_id: c.interfaceId,
    instance_id: c.instanceId,
    packets: c.packets,
    bytes: c.bytes,
    request_bytes: c.requestBytes,
    reply_bytes: c.replyBytes,
    records: c.records,
    direction_basis: c.directionBasis,
    client: c.clientPort === null ? c.client : `${c.client}:${c.clientPort}`,
    server: `${c.server}:${c.serverPort}`,
    remote_packet_address: c.remotePacketAddress,
  };
}

/**
 * `--interface-address eni-0abc=10.0.1.5[,10.0.1.6] …`: the interfaces' own addresses, the second
 * basis for direction (after flow-direction). Addresses are compared as the logs write them.
 */
export function parseInterfaceAddresses(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const eni = at > 0 ? value.slice(0, at).trim() : '';
    const addresses =
      at > 0
        ? value
            .slice(at + 1)
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean)
        : [];
    if (!eni || addresses.length === 0) {
      throw new TrailbookError('USAGE', `--interface-address "${value}" is not INTERFACE=ADDRESS`, {
        hint: 'e.g. --interface-address eni-0abc1234=10.0.1.5 (several addresses comma-separated)',
      });
    }
    for (const address of addresses) {
      if (!parseIp(address) || address.includes('/')) {
        throw new TrailbookError('USAGE', `--interface-address "${value}": "${address}" is not an IP address`, {
          hint: 'an IPv4 or IPv6 address, as the flow logs write it',
        });
      }
    }
    out[eni] = [...new Set([...(out[eni] ?? []), ...addresses])];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The overlay: connections laid over the exposure windows CloudTrail shows (src/ports).

/** Flat columns of `flows --overlay` in csv/ndjson: one row per (window, connection), windows without connections, and unexposed connections. */
export const OVERLAY_COLUMNS = [
  'coverage',
  'exposure_resource',
  'exposure_direction',
  'exposure_protocol',
  'exposure_from_port',
  'exposure_to_port',
  'exposure_peer',
  'exposure_internet_exposed',
  'exposure_opened_at',
  'exposure_opened_by_event',
  'exposure_closed_at',
  'exposure_closed_by_event',
  'explanation',
  ...FLOWS_COLUMNS,
] as const;

function exposureColumns(w: ExposureWindow | null): Record<string, unknown> {
  const r = w ? windowRow(w) : null;
  return {
    exposure_resource: r?.['resource'] ?? null,
    exposure_direction: r?.['direction'] ?? null,
    exposure_protocol: r?.['protocol'] ?? null,
    exposure_from_port: r?.['from_port'] ?? null,
    exposure_to_port: r?.['to_port'] ?? null,
    exposure_peer: r?.['peer'] ?? null,
    exposure_internet_exposed: r?.['internet_exposed'] ?? null,
    exposure_opened_at: r?.['opened_at'] ?? null,
    exposure_opened_by_event: r?.['opened_by_event'] ?? null,
    exposure_closed_at: r?.['closed_at'] ?? null,
    exposure_closed_by_event: r?.['closed_by_event'] ?? null,
  };
}

export function overlayRows(overlay: Overlay<OverlayWindow>): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const w of overlay.windows) {
    if (w.connections.length === 0) rows.push({ coverage: 'no-connections', ...exposureColumns(w.window.source), explanation: null });
    for (const c of w.connections) rows.push({ coverage: 'in-window', ...exposureColumns(w.window.source), explanation: null, ...connectionRow(c) });
  }
  for (const u of overlay.unexposed) rows.push({ coverage: u.reason, ...exposureColumns(null), explanation: u.explanation, ...connectionRow(u.connection) });
  return rows;
}

/** The JSON document of `flows --overlay --format json`. */
export function overlayDocument(port: number, overlay: Overlay<OverlayWindow>): Record<string, unknown> {
  return {
    schema: 'trailbook.flows-overlay/v1',
    port,
    windows: overlay.windows.map((w) => ({
      ...windowRow(w.window.source),
      connections: w.connections.map(connectionRow),
      accepted: w.accepted,
      rejected: w.rejected,
      bytes: w.bytes,
      peers: w.peers,
      first_seen: w.firstSeen,
      last_seen: w.lastSeen,
    })),
    unexposed: overlay.unexposed.map((u) => ({ reason: u.reason, explanation: u.explanation, ...connectionRow(u.connection) })),
  };
}

function describeWindow(w: ExposureWindow): string {
  const ports = w.fromPort === null && w.toPort === null ? 'all ports' : w.fromPort === w.toPort ? `port ${w.fromPort}` : `ports ${w.fromPort}-${w.toPort}`;
  const protocol = w.protocol === 'all' ? 'all traffic' : (w.protocol ?? 'any protocol');
  const peer = `${w.direction === 'egress' ? 'to' : 'from'} ${w.peer.value}`;
  return `${w.resource ?? '(unknown resource)'} ${w.direction} ${protocol} ${ports} ${peer}${w.internetExposed ? ' (internet-exposed)' : ''}`;
}

/** Human output: per window a heading and its connections, then the connections no window covers, with reasons. */
export function formatOverlayText(port: number, overlay: Overlay<OverlayWindow>): string {
  const out: string[] = [];
  const n = overlay.windows.length;
  out.push(`Exposure windows on port ${port}: ${n}${n === 0 ? ' (none in CloudTrail)' : ''}`, '');
  overlay.windows.forEach((w, i) => {
    const src = w.window.source;
    const opened = `opened ${src.opened.eventTime} by ${src.opened.actor ?? 'unknown'} (event ${src.opened.eventId})`;
    const closed = src.closed ? `closed ${src.closed.eventTime} (event ${src.closed.eventId})` : 'still open';
    out.push(sanitizeCell(`Window ${i + 1} of ${n}: ${describeWindow(src)}`));
    out.push(sanitizeCell(`  ${opened}; ${closed}`));
    if (w.connections.length === 0) {
      out.push('  no connections inside this window', '');
      return;
    }
    out.push(
      `  ${w.connections.length} connection${w.connections.length === 1 ? '' : 's'}: ${w.accepted} accepted, ${w.rejected} rejected, ${w.bytes} bytes, ${w.peers.length} peer${w.peers.length === 1 ? '' : 's'} (${sanitizeCell(w.peers.join(', '))})`,
    );
    out.push(formatTable(FLOWS_COLUMNS, w.connections.map(connectionRow)));
  });
  out.push(`Connections with no exposure window: ${overlay.unexposed.length}`);
  if (overlay.unexposed.length) {
    out.push(
      formatTable(
        ['reason', ...FLOWS_COLUMNS],
        overlay.unexposed.map((u) => ({ reason: u.reason, ...connectionRow(u.connection) })),
      ),
    );
    const reasons = new Map<string, string>();
    for (const u of overlay.unexposed) if (!reasons.has(u.reason)) reasons.set(u.reason, u.explanation);
    for (const [reason, explanation] of reasons) out.push(sanitizeCell(`${reason}: ${explanation}`));
  }
  return out.join('\n').replace(/\n*$/, '\n');
}

function printOverlay(format: TabularFormat, port: number, overlay: Overlay<OverlayWindow>): string {
  switch (format) {
    case 'table':
      return formatOverlayText(port, overlay);
    case 'json':
      return JSON.stringify(overlayDocument(port, overlay), null, 2) + '\n';
    case 'csv':
    case 'ndjson':
      return formatRows(format, OVERLAY_COLUMNS, overlayRows(overlay));
  }
}

export function register(program: Command): void {
  program
    .command('flows')
    .description('connections to or from a port in the VPC flow logs: direction, accept/reject, handshake or probe, bytes')
    .option('--port <port>', PORT_HELP, portOption)
    .option('--protocol <protocol>', PROTOCOL_HELP)
    .option('--from <time>', 'start: ISO-8601 (UTC when no zone), now-2h, 7d (records ending before it are left out)')
    .option('--since <duration>', SINCE_HELP)
    .option('--to <time>', 'end: ISO-8601 (UTC when no zone), now (records starting after it are left out)')
    .option('--vpc-cidr <cidr...>', "the VPC's CIDRs, for direction when records have no flow-direction", [])
    .option('--interface-address <eni=addr...>', "interfaces' own addresses, for direction when records have no flow-direction (e.g. eni-0abc=10.0.1.5)", [])
    .option(
      '--overlay',
      'lay the connections over the exposure windows in CloudTrail (`trailbook exposures`): per window the connections inside it, then the connections no window covers, with the reason',
    )
    .option('--db <file>', DB_HELP)
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .action(async (flags: FlowsFlags) => {
      const format = parseTabularFormat(flags.format);
      const settings = settingsFor({ db: flags.db, port: flags.port, protocol: parseProtocolFlag(flags.protocol) }, ['db', 'port', 'protocol']);
      const { db, port, protocol } = settings;
      const vpcCidrs = flags.vpcCidr
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);
      // A CIDR that does not parse would silently decide nothing about direction: refuse it.
      const badCidr = vpcCidrs.find((c) => parseCidr(c) === null);
      if (badCidr !== undefined)
        throw new TrailbookError('USAGE', `--vpc-cidr "${badCidr}" is not a CIDR`, { hint: 'e.g. 10.0.0.0/16 (no leading zeros in octets)' });
      const interfaceAddresses = parseInterfaceAddresses(flags.interfaceAddress);
      const times = new TimeFlags();
      const from = times.start(flags)?.iso;
      const to = times.parse(flags.to, '--to')?.iso;
      times.announce();
      requireStore(db);
      const engine = await DuckDBEngine.open({ path: db, readOnly: true });
      try {
        const { rows } = await engine.all("SELECT count(*) AS n FROM duckdb_views() WHERE view_name = 'vpc_flow_logs'");
        if (Number(rows[0]?.['n'] ?? 0) === 0) {
          throw new TrailbookError('NOTHING_READ', `the store ${db} has no VPC flow logs`, {
            hint: 'ingest flow logs first: `trailbook ingest <folder>` (flow logs are detected by path and header)',
          });
        }
        const connections = await findConnections(engine, { port, protocol, from, to, vpcCidrs, interfaceAddresses });
        if (!flags.overlay) {
          process.stdout.write(formatRows(format, FLOWS_COLUMNS, connections.map(connectionRow)));
          return;
        }
        // Windows that overlap the time range, judged with the exact port semantics of src/ports
        // (a window opened before --from and still open counts).
        const { windows } = await findExposures(engine, { port, protocol, from, to });
        const overlay = overlayConnections(connections, overlayWindows(windows), await findMembership(engine));
        process.stdout.write(printOverlay(format, port, overlay));
      } finally {
        await engine.close();
      }
    });
}

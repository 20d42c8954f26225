import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { TrailbookError } from '../../errors.js';
import { findConnections } from '../../flows/find.js';
import type { Connection } from '../../flows/connections.js';
import { formatRows, parseTabularFormat } from '../../report/tabular.js';

interface FlowsFlags {
  port: string;
  from?: string;
  to?: string;
  vpcCidr: string[];
  db: string;
  format: string;
}

/** Columns of `trailbook flows`, in order (stable machine output). */
export const FLOWS_COLUMNS = [
  'first_seen', 'last_seen', 'direction', 'action', 'handshake', 'protocol',
  'remote_address', 'remote_port', 'local_address', 'local_port', 'interface_id', 'instance_id',
  'packets', 'bytes', 'request_bytes', 'reply_bytes', 'records', 'direction_basis', 'client', 'server', 'remote_packet_address',
] as const;

export function connectionRow(c: Connection): Record<string, unknown> {
  return {
    first_seen: c.firstSeen, last_seen: c.lastSeen, direction: c.direction, action: c.action, handshake: c.handshake,
    protocol: c.protocolName, remote_address: c.remoteAddress, remote_port: c.remotePort, local_address: c.localAddress,
    local_port: c.localPort, interface_id: c.interfaceId, instance_id: c.instanceId, packets: c.packets, bytes: c.bytes,
    request_bytes: c.requestBytes, reply_bytes: c.replyBytes, records: c.records, direction_basis: c.directionBasis,
    client: c.clientPort === null ? c.client : `${c.client}:${c.clientPort}`, server: `${c.server}:${c.serverPort}`,
    remote_packet_address: c.remotePacketAddress,
  };
}

function isoFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  if (Number.isNaN(Date.parse(text))) {
    throw new TrailbookError('USAGE', `${flag} "${value}" is not a time`, { hint: 'use ISO-8601, e.g. 2024-05-01 or 2024-05-01T13:00:00Z' });
  }
  return text;
}

export function register(program: Command): void {
  program
    .command('flows')
    .description('connections to or from a port in the VPC flow logs: direction, accept/reject, handshake or probe, bytes')
    .option('--port <port>', 'the port', '8443')
    .option('--from <time>', 'ISO-8601 start (records ending before it are left out)')
    .option('--to <time>', 'ISO-8601 end (records starting after it are left out)')
    .option('--vpc-cidr <cidr...>', "the VPC's CIDRs, for direction when records have no flow-direction", [])
    .option('--db <file>', 'the store', '.trailbook/trailbook.duckdb')
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .action(async (flags: FlowsFlags) => {
      const format = parseTabularFormat(flags.format);
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) {
        throw new TrailbookError('USAGE', `--port "${flags.port}" is not a port number`, { hint: 'e.g. --port 8443' });
      }
      const vpcCidrs = flags.vpcCidr.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
      if (!existsSync(flags.db)) {
        throw new TrailbookError('INPUT', `no store at ${flags.db}`, { hint: 'run `trailbook ingest <folder>` first, or pass --db' });
      }
      const engine = await DuckDBEngine.open({ path: flags.db, readOnly: true });
      try {
        const { rows } = await engine.all("SELECT count(*) AS n FROM duckdb_views() WHERE view_name = 'vpc_flow_logs'");
        if (Number(rows[0]?.['n'] ?? 0) === 0) {
          throw new TrailbookError('NOTHING_READ', `the store ${flags.db} has no VPC flow logs`, {
            hint: 'ingest flow logs first: `trailbook ingest <folder>` (flow logs are detected by path and header)',
          });
        }
        const connections = await findConnections(engine, {
          port,
          from: isoFlag(flags.from, '--from'),
          to: isoFlag(flags.to, '--to'),
          vpcCidrs,
        });
        process.stdout.write(formatRows(format, FLOWS_COLUMNS, connections.map(connectionRow)));
      } finally {
        await engine.close();
      }
    });
}

import type { Engine, Params } from '../engines/engine.js';
import { TrailbookError } from '../errors.js';
import { buildConnections, inferInterfaceAddresses, type Connection, type FlowRow } from './connections.js';

export interface FindConnectionsOptions {
  /** The port of interest (default 8443 in the CLI). */
  port: number;
  /** ISO-8601 bounds: records whose [start, end] overlaps [from, to]. */
  from?: string;
  to?: string;
  /** The VPC's CIDRs, for direction when records carry no flow-direction. */
  vpcCidrs?: readonly string[];
  /** Known interface addresses, by interface id. */
  interfaceAddresses?: Readonly<Record<string, readonly string[]>>;
  /** Infer each interface's own address from all its records in the time range (default true). */
  inferAddresses?: boolean;
}

const COLUMNS =
  'interface_id, instance_id, account_id, vpc_id, subnet_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status, tcp_flags, flow_direction, pkt_srcaddr, pkt_dstaddr';

/**
 * The engine scans, TypeScript judges: SQL over `vpc_flow_logs` keeps the records on the port
 * (srcport = $port OR dstport = $port) in the time range; `buildConnections` judges them. Only
 * the Athena-shaped view is used, so the same SQL runs on Athena.
 */
export async function findConnections(engine: Engine, options: FindConnectionsOptions): Promise<Connection[]> {
  const port = options.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TrailbookError('USAGE', `port ${port} is not a port number (0-65535)`);
  }
  const params: Params = { port };
  const time: string[] = [];
  if (options.from !== undefined) {
    params['from'] = epochSeconds(options.from, '--from');
    time.push('"end" >= $from');
  }
  if (options.to !== undefined) {
    params['to'] = epochSeconds(options.to, '--to');
    time.push('start <= $to');
  }
  const timeSql = time.map((t) => ` AND ${t}`).join('');
  const { rows } = await engine.all(
    `SELECT ${COLUMNS} FROM vpc_flow_logs WHERE (srcport = $port OR dstport = $port)${timeSql} ORDER BY start, interface_id`,
    params,
  );
  const flowRows = rows as unknown as FlowRow[];

  let inferred: Map<string, string> | undefined;
  if (options.inferAddresses !== false) {
    const enis = [...new Set(flowRows.filter((r) => !r.flow_direction && r.interface_id).map((r) => r.interface_id!))];
    if (enis.length) inferred = await inferAddresses(engine, enis, timeSql, params);
  }
  return buildConnections(flowRows, {
    port,
    vpcCidrs: options.vpcCidrs,
    interfaceAddresses: options.interfaceAddresses,
    inferredAddresses: inferred,
  });
}

async function inferAddresses(engine: Engine, enis: string[], timeSql: string, base: Params): Promise<Map<string, string>> {
  const pairs: { interface_id: string | null; srcaddr: string | null; dstaddr: string | null; n: number }[] = [];
  for (let i = 0; i < enis.length; i += 200) {
    const chunk = enis.slice(i, i + 200);
    const params: Params = {};
    if ('from' in base) params['from'] = base['from']!;
    if ('to' in base) params['to'] = base['to']!;
    chunk.forEach((eni, j) => (params[`eni${j}`] = eni));
    const list = chunk.map((_, j) => `$eni${j}`).join(', ');
    const { rows } = await engine.all(
      `SELECT interface_id, srcaddr, dstaddr, count(*) AS n FROM vpc_flow_logs
       WHERE interface_id IN (${list}) AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL${timeSql}
       GROUP BY interface_id, srcaddr, dstaddr`,
      params,
    );
    for (const r of rows) pairs.push({ interface_id: r['interface_id'] as string, srcaddr: r['srcaddr'] as string, dstaddr: r['dstaddr'] as string, n: Number(r['n']) });
  }
  return inferInterfaceAddresses(pairs);
}

export function epochSeconds(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso) || Number.isNaN(ms)) {
    throw new TrailbookError('USAGE', `${what} "${iso}" is not an ISO-8601 time`, { hint: 'e.g. 2024-05-01T00:00:00Z' });
  }
  return Math.floor(ms / 1000);
}

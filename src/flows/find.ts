import type { Engine, Params } from '../engines/engine.js';
import { TrailbookError } from '../errors.js';
import { buildConnections, type Connection, type FlowRow } from './connections.js';
import { timeBound } from '../time.js';
import { DEFAULT_PORT_PROTOCOL, flowProtocolAnswers, type PortProtocol } from '../ports/protocol.js';
import { addressesInEveryRecordSql, FLOW_RECORD_COLUMNS, FLOW_RECORD_ORDER } from './records-sql.js';
import { cachedInterfaceAddressesSql, flowCaches } from './flow-caches.js';

export interface FindConnectionsOptions {
  /** The port of interest (default 8443 in the CLI). */
  port: number;
  /** Its transport: records of other protocols are left out (DEFAULT_PORT_PROTOCOL, tcp, when absent). */
  protocol?: PortProtocol;
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
  const { rows } = await engine.all(portRecordsSql(timeSql), params);
  const asked = options.protocol ?? DEFAULT_PORT_PROTOCOL;
  const flowRows = (rows as unknown as FlowRow[]).filter((r) => flowProtocolAnswers(r.protocol, asked));

  let inferred: Map<string, string> | undefined;
  if (options.inferAddresses !== false) {
    const enis = [...new Set(flowRows.filter((r) => !r.flow_direction && r.interface_id).map((r) => r.interface_id!))];
    // A local store's flow cache holds each interface's addresses in every record (flow-caches.ts):
    // read instead of every record of those interfaces when the time range lets every record through.
    const cached = enis.length ? (await flowCaches(engine))?.addressesCover(params['from'], params['to']) === true : false;
    if (enis.length) inferred = await inferAddresses(engine, enis, timeSql, params, cached);
  }
  return buildConnections(flowRows, {
    port,
    vpcCidrs: options.vpcCidrs,
    interfaceAddresses: options.interfaceAddresses,
    inferredAddresses: inferred,
  });
}

/**
 * The records on the port: `srcport = $port OR dstport = $port`, written as two branches that
 * each compare one column with the port, so the engine can skip whole blocks of records by each
 * column's statistics instead of reading every column of every record (an OR over two columns
 * is not pushed into the scan). The second branch leaves out what the first one took.
 */
export function portRecordsSql(timeSql: string): string {
  return `SELECT ${FLOW_RECORD_COLUMNS} FROM (
  SELECT ${FLOW_RECORD_COLUMNS} FROM vpc_flow_logs WHERE srcport = $port${timeSql}
  UNION ALL
  SELECT ${FLOW_RECORD_COLUMNS} FROM vpc_flow_logs WHERE dstport = $port AND coalesce(srcport, -1) <> $port${timeSql}
) AS records ORDER BY ${FLOW_RECORD_ORDER}`;
}

/**
 * For each interface of `interfaceList`, the addresses present in every one of its records and
 * its record count (records-sql.ts). The engine counts; `inferredFromCounts` (like
 * `inferInterfaceAddresses`) keeps an interface's address only when exactly one is everywhere.
 */
export function interfaceAddressesSql(interfaceList: string, timeSql: string): string {
  return addressesInEveryRecordSql(` AND interface_id IN (${interfaceList})${timeSql}`);
}

/** Rows of `addressesInEveryRecordSql` → the interface's own address, when exactly one is in every record. */
export function inferredFromCounts(rows: Iterable<{ interface_id: string; address: string }>): Map<string, string> {
  const everywhere = new Map<string, string[]>();
  for (const row of rows) {
    const list = everywhere.get(row.interface_id);
    if (list) list.push(row.address);
    else everywhere.set(row.interface_id, [row.address]);
  }
  const out = new Map<string, string>();
  for (const [eni, addresses] of everywhere) if (addresses.length === 1) out.set(eni, addresses[0]!);
  return out;
}

/** `cached`: read the flow cache's addresses instead of the records (it holds the answer for this range). */
async function inferAddresses(engine: Engine, enis: string[], timeSql: string, base: Params, cached: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < enis.length; i += 200) {
    const chunk = enis.slice(i, i + 200);
    const params: Params = {};
    if (!cached && 'from' in base) params['from'] = base['from']!;
    if (!cached && 'to' in base) params['to'] = base['to']!;
    chunk.forEach((eni, j) => (params[`eni${j}`] = eni));
    const list = chunk.map((_, j) => `$eni${j}`).join(', ');
    const { rows } = await engine.all(cached ? cachedInterfaceAddressesSql(list) : interfaceAddressesSql(list, timeSql), params);
    const found = inferredFromCounts(rows.map((r) => ({ interface_id: String(r['interface_id']), address: String(r['address']) })));
    for (const [eni, address] of found) out.set(eni, address);
  }
  return out;
}

export function epochSeconds(iso: string, what: string): number {
  return Math.floor(timeBound(iso, what).ms / 1000);
}

/**
 * The SQL over flow records that `find.ts` runs and the flow cache (flow-caches.ts) keeps the
 * answers of: one text, so a cached answer and a scan are the same query over different rows.
 */

/** The `vpc_flow_logs` columns the judgement reads (connections.ts, FlowRow). */
export const FLOW_RECORD_COLUMNS =
  'interface_id, instance_id, account_id, vpc_id, subnet_id, region, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status, tcp_flags, flow_direction, pkt_srcaddr, pkt_dstaddr';

/**
 * The order the records reach `buildConnections` in: by time and interface, then by every column
 * that can tell two records apart, so records of one interval and interface (a request and its
 * reply) come in one order whatever the engine's plan (a connection takes, e.g., the first
 * instance id and packet address its records give).
 */
export const FLOW_RECORD_ORDER = 'start, interface_id, "end", srcaddr, dstaddr, srcport, dstport, protocol, action, packets, bytes, tcp_flags, flow_direction';

/**
 * For each interface the `filter` keeps (an SQL condition of bound parameters, starting with
 * AND), the addresses present in every one of its records (as source or destination) and its
 * record count. Empty and missing addresses leave the record out, as they do in
 * `inferInterfaceAddresses`. `records`: the flow records read (the flow cache reads the new rows).
 */
export function addressesInEveryRecordSql(filter: string, records = 'vpc_flow_logs'): string {
  return `WITH r AS (
  SELECT interface_id, srcaddr, dstaddr FROM ${records}
  WHERE srcaddr <> '' AND dstaddr <> ''${filter}
), totals AS (
  SELECT interface_id, count(*) AS total FROM r GROUP BY interface_id
), addresses AS (
  SELECT interface_id, srcaddr AS address FROM r
  UNION ALL
  SELECT interface_id, dstaddr AS address FROM r WHERE dstaddr <> srcaddr
), counted AS (
  SELECT interface_id, address, count(*) AS n FROM addresses GROUP BY interface_id, address
)
SELECT c.interface_id, c.address, c.n, t.total FROM counted c JOIN totals t ON c.interface_id = t.interface_id
WHERE c.n = t.total ORDER BY c.interface_id, c.address`;
}

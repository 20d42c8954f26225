/**
 * A deterministic (seeded) synthetic VPC Flow Logs corpus in the layout AWS delivers to S3:
 *
 *   AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz
 *
 * Each (account, region) pair is one flow log with its own format: the first region of every
 * account uses the default v2 format, the others a custom v5 format with vpc/subnet/instance ids,
 * tcp-flags, pkt addresses, flow-direction and traffic-path. Every file starts with the header
 * line (as AWS writes it), holds one hour of records in `start` order, and carries a small share
 * of NODATA (0.4%) and SKIPDATA (0.1%) rows. A few connections to port 8443 are planted (request
 * and reply records); their count is exported so a benchmark can check the store.
 *
 * The output is byte-identical for the same parameters on any machine (seeded PRNG per file).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { Rng, deriveSeed } from './prng.js';

const gzip = promisify(gzipCallback);

/** Bump when the output for the same parameters changes (invalidates cached corpora). */
export const FLOW_GENERATOR_VERSION = 1;

export const FLOW_V2_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
export const FLOW_V5_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr flow-direction traffic-path';

export interface FlowCorpusOptions {
  root: string;
  /** Rows in all files together (records + NODATA + SKIPDATA; headers not counted). */
  records: number;
  accounts?: number;
  regions?: number;
  days?: number;
  seed?: number;
  /** First day, YYYY-MM-DD (UTC). */
  startDate?: string;
  /**
   * The accounts' ids, in place of ids derived from the seed (`accounts` is then their number):
   * flow logs of the accounts a CloudTrail corpus describes, as in one organisation's logs.
   */
  accountIds?: readonly string[];
  /** The regions' names, in place of the first `regions` of REGIONS. */
  regionNames?: readonly string[];
  /**
   * How many interfaces of each flow log the planted port connections land on (the first ones);
   * all 64 when absent. Few: the port's traffic touches few interfaces, the rest is other ports.
   */
  portInterfaces?: number;
}

export const FLOW_DEFAULTS = { accounts: 2, regions: 2, days: 3, seed: 1, startDate: '2024-05-10' } as const;

export interface FlowCorpusResult {
  files: number;
  /** Data rows written (records + nodata + skipdata). */
  rows: number;
  records: number;
  nodata: number;
  skipdata: number;
  /** Lines written, headers included. */
  lines: number;
  /** Rows in default-v2 files and in custom-v5 files. */
  v2Rows: number;
  v5Rows: number;
  /** Planted 8443 records (requests with dstport 8443 and their replies with srcport 8443). */
  port8443Records: number;
  bytesCompressed: number;
  bytesUncompressed: number;
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
const COMMON_PORTS = [443, 443, 443, 80, 22, 3306, 5432, 53, 123, 6379];

function accountId(seed: number, index: number): string {
  const rng = new Rng(deriveSeed(seed, 'account', index));
  return String(rng.int(1, 9)) + String(rng.int(0, 99_999_999_999)).padStart(11, '0');
}

interface FlowLog {
  account: string;
  region: string;
  v5: boolean;
  flId: string;
  vpc: string;
  enis: { id: string; ip: string; subnet: string; instance: string }[];
  /** The planted port connections land on the first this many of `enis`. */
  portEnis: number;
}

type LayoutOptions = Pick<FlowCorpusOptions, 'accountIds' | 'regionNames' | 'portInterfaces'> & { accounts: number; regions: number; seed: number };

function flowLogs(o: LayoutOptions): FlowLog[] {
  const logs: FlowLog[] = [];
  const accounts = o.accountIds ?? Array.from({ length: o.accounts }, (_, a) => accountId(o.seed, a));
  const regions = o.regionNames ?? Array.from({ length: o.regions }, (_, r) => REGIONS[r % REGIONS.length]!);
  for (const [a, account] of accounts.entries()) {
    for (const [r, region] of regions.entries()) {
      const rng = new Rng(deriveSeed(o.seed, 'flowlog', a, r));
      const second = rng.int(0, 255);
      const enis = Array.from({ length: 64 }, (_, i) => ({
        id: `eni-${rng.hex(17)}`,
        ip: `10.${second}.${(i >> 4) & 15}.${rng.int(4, 250)}`,
        subnet: `subnet-${rng.hex(17)}`,
        instance: `i-${rng.hex(17)}`,
      }));
      logs.push({
        account,
        region,
        v5: r % 2 === 1,
        flId: `fl-${rng.hex(17)}`,
        vpc: `vpc-${rng.hex(17)}`,
        enis,
        portEnis: Math.min(o.portInterfaces ?? enis.length, enis.length),
      });
    }
  }
  return logs;
}

function externalIp(rng: Rng): string {
  return `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The corpus's files in generation order: one per flow log and hour. */
export function flowCorpusPlan(options: Omit<FlowCorpusOptions, 'root'>): { log: FlowLog; hour: number; rows: number; path: string }[] {
  const o = { ...FLOW_DEFAULTS, ...options };
  const logs = flowLogs(o);
  const hours = o.days * 24;
  const slots = logs.length * hours;
  const base = Math.floor(o.records / slots);
  let extra = o.records - base * slots;
  const t0 = Date.parse(`${o.startDate}T00:00:00Z`);
  const plan = [];
  for (const log of logs) {
    for (let h = 0; h < hours; h++) {
      const rows = base + (extra-- > 0 ? 1 : 0);
      const d = new Date(t0 + h * 3_600_000);
      const ymd = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
      const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}00Z`;
      const hash = new Rng(deriveSeed(o.seed, 'name', log.flId, h)).hex(8);
      const path = `AWSLogs/${log.account}/vpcflowlogs/${log.region}/${ymd}/${log.account}_vpcflowlogs_${log.region}_${log.flId}_${stamp}_${hash}.log.gz`;
      plan.push({ log, hour: (t0 + h * 3_600_000) / 1000, rows, path });
    }
  }
  return plan;
}

interface FileText {
  text: string;
  records: number;
  nodata: number;
  skipdata: number;
  port8443: number;
}

/** One file's text: the header, then `rows` rows of one hour in start order. Pure and seeded. */
export function flowFileText(log: FlowLog, hourStart: number, rows: number, seed: number): FileText {
  const rng = new Rng(deriveSeed(seed, 'rows', log.flId, hourStart));
  const out: string[] = [log.v5 ? FLOW_V5_HEADER : FLOW_V2_HEADER];
  let records = 0;
  let nodata = 0;
  let skipdata = 0;
  let port8443 = 0;
  const step = 3600 / Math.max(rows, 1);
  let i = 0;
  while (i < rows) {
    const start = hourStart + Math.floor(i * step);
    const end = start + rng.int(1, 60);
    const picked = rng.int(0, log.enis.length - 1);
    let eni = log.enis[picked]!;
    const r = rng.next();
    if (r < 0.005) {
      const status = r < 0.004 ? 'NODATA' : 'SKIPDATA';
      if (status === 'NODATA') nodata++;
      else skipdata++;
      const tail = log.v5 ? ` ${log.vpc} ${eni.subnet} ${eni.instance} - - - - - -` : '';
      out.push(`${log.v5 ? 5 : 2} ${log.account} ${eni.id} - - - - - - - ${start} ${end} - ${status}${tail}`);
      i++;
      continue;
    }
    // A planted 8443 connection (about 1 in 20,000 rows): an inbound request and the reply.
    const planted = i + 1 < rows && rng.chance(1 / 20_000);
    // Drawn after the choice above, so a corpus with every interface on the port stays byte-identical.
    if (planted) eni = log.enis[picked % log.portEnis]!;
    const remote = externalIp(rng);
    const inbound = planted || rng.chance(0.5);
    const localPort = planted ? 8443 : inbound ? COMMON_PORTS[rng.int(0, COMMON_PORTS.length - 1)]! : rng.int(32768, 60999);
    const remotePort = planted ? rng.int(32768, 60999) : inbound ? rng.int(1024, 65535) : COMMON_PORTS[rng.int(0, COMMON_PORTS.length - 1)]!;
    const protocol = localPort === 53 || localPort === 123 || remotePort === 53 || remotePort === 123 ? 17 : rng.chance(0.02) ? 1 : 6;
    const action = !planted && rng.chance(0.1) ? 'REJECT' : 'ACCEPT';
    const packets = rng.int(1, 400);
    const bytes = packets * rng.int(40, 1500);
    // Request (remote → local when inbound) and, for planted connections, the reply.
    const legs: [string, string, number, number, number, string][] = inbound
      ? [[remote, eni.ip, remotePort, localPort, 2, 'ingress']]
      : [[eni.ip, remote, localPort, remotePort, 2, 'egress']];
    if (planted) legs.push([eni.ip, remote, localPort, remotePort, 18, 'egress']);
    for (const [src, dst, sport, dport, flags, dir] of legs) {
      let line = `${log.v5 ? 5 : 2} ${log.account} ${eni.id} ${src} ${dst} ${sport} ${dport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} OK`;
      if (log.v5) {
        const tcp = protocol === 6 ? String(action === 'REJECT' ? 2 : flags | (rng.chance(0.7) ? 1 : 0)) : '0';
        line += ` ${log.vpc} ${eni.subnet} ${eni.instance} ${tcp} IPv4 ${src} ${dst} ${dir} ${dir === 'egress' ? rng.int(1, 8) : '-'}`;
      }
      out.push(line);
      records++;
      if (planted) port8443++;
      i++;
    }
  }
  return { text: out.join('\n') + '\n', records, nodata, skipdata, port8443 };
}

/** Writes the corpus under `root` (two files gzipped in parallel while the next is generated). */
export async function generateFlowCorpus(options: FlowCorpusOptions): Promise<FlowCorpusResult> {
  const o = { ...FLOW_DEFAULTS, ...options };
  const result: FlowCorpusResult = {
    files: 0,
    rows: 0,
    records: 0,
    nodata: 0,
    skipdata: 0,
    lines: 0,
    v2Rows: 0,
    v5Rows: 0,
    port8443Records: 0,
    bytesCompressed: 0,
    bytesUncompressed: 0,
  };
  const pending: Promise<void>[] = [];
  for (const file of flowCorpusPlan(o)) {
    const t = flowFileText(file.log, file.hour, file.rows, o.seed);
    const rows = t.records + t.nodata + t.skipdata;
    result.files++;
    result.rows += rows;
    result.records += t.records;
    result.nodata += t.nodata;
    result.skipdata += t.skipdata;
    result.lines += rows + 1;
    if (file.log.v5) result.v5Rows += rows;
    else result.v2Rows += rows;
    result.port8443Records += t.port8443;
    const raw = Buffer.from(t.text, 'latin1');
    result.bytesUncompressed += raw.length;
    const target = join(o.root, file.path);
    pending.push(
      (async () => {
        const gz = await gzip(raw);
        result.bytesCompressed += gz.length;
        await mkdir(join(target, '..'), { recursive: true });
        await writeFile(target, gz);
      })(),
    );
    if (pending.length >= 3) await pending.shift();
  }
  await Promise.all(pending);
  return result;
}

import { BROAD_PREFIX, lastAddress, parseCidr, type Cidr } from './cidr.js';
import { changeMatchesPort, type ExposureChange } from './change.js';
import { sortChanges, type ExposureWindow } from './windows.js';

/**
 * Network ACL windows, evaluated as VPC evaluates an ACL (pure). Entries are addressed by
 * (ACL, direction, rule number); for one direction, the entries are tried in ascending rule
 * number and the first whose protocol, ports and CIDR match the packet decides, allow or deny.
 *
 * So an allow entry only lets through the addresses that no lower-numbered matching entry
 * decided first: "allow 8443 from 0.0.0.0/0 as 100, deny it as 200" stays open (100 decides),
 * and "deny 8443 as 50, allow all as 100" is closed for 8443 (50 decides). The replay keeps
 * each ACL's entries as they stand after every change and, for the port asked about, opens a
 * window for an allow entry while some of its addresses still reach it, and closes it when a
 * lower entry comes to decide all of them ("shadowed"), when its slot is replaced or deleted.
 *
 * Without a port the question cannot be evaluated (shadowing is per port and protocol): each
 * allow entry is then a window while its slot holds it.
 */
export interface AclQuestion {
  port?: number;
  /** The transports asked about (a window is open while any of them gets through). */
  protocols?: readonly ('tcp' | 'udp')[];
}

export interface AclWindows {
  windows: ExposureWindow[];
  /** Why an allow entry opened no window for the port (shadowed by which lower entry), in words. */
  shadowed: Map<ExposureChange, string>;
  /** The window an allow entry opened when it was written (absent: shadowed, or no port asked). */
  openedBy: Map<ExposureChange, ExposureWindow>;
}

interface Entry {
  ruleNumber: number;
  change: ExposureChange;
  allow: boolean;
}

/** An inclusive address interval of one family. */
interface Span {
  family: 4 | 6;
  start: bigint;
  end: bigint;
}

export function aclWindows(changes: readonly ExposureChange[], question: AclQuestion = {}): AclWindows {
  const protocols = question.protocols ?? ['tcp', 'udp'];
  const tables = new Map<string, Map<string, Entry>>(); // `acl|direction` → slot → entry
  const open = new Map<string, Map<string, { window: ExposureWindow; entry: ExposureChange }>>(); // `acl|direction` → slot → window
  const windows: ExposureWindow[] = [];
  const shadowed = new Map<ExposureChange, string>();
  const openedBy = new Map<ExposureChange, ExposureWindow>();

  for (const change of sortChanges(changes)) {
    if (change.resourceType !== 'network-acl' || change.ruleKey === null) continue;
    if (change.action !== 'open' && change.action !== 'close') continue; // attempts change nothing
    const tableKey = `${change.resource}|${change.direction}`;
    let table = tables.get(tableKey);
    if (!table) tables.set(tableKey, (table = new Map()));
    if (change.protocol === null)
      table.delete(change.ruleKey); // DeleteNetworkAclEntry empties the slot
    else table.set(change.ruleKey, { ruleNumber: ruleNumberOf(change.ruleKey), change, allow: change.action === 'open' });

    // Which allow entries still let some address through, for the question, after this change.
    const ordered = [...table.values()].sort((a, b) => a.ruleNumber - b.ruleNumber);
    const reaching = new Map<string, { entry: Entry; internet: boolean }>();
    for (const entry of ordered) {
      if (!entry.allow) continue;
      const verdict = evaluateEntry(entry, ordered, question.port, protocols);
      if (verdict.reaches) reaching.set(entry.change.ruleKey!, { entry, internet: verdict.internet });
      else if (entry.change === change) shadowed.set(change, verdict.reason);
    }

    let slots = open.get(tableKey);
    if (!slots) open.set(tableKey, (slots = new Map()));
    for (const [slot, held] of [...slots]) {
      if (reaching.get(slot)?.entry.change === held.entry) continue;
      held.window.closed = change;
      held.window.closedHow = slot !== change.ruleKey ? 'shadowed' : change.protocol === null ? 'same-slot' : 'replaced';
      slots.delete(slot);
    }
    for (const [slot, { entry, internet }] of reaching) {
      if (slots.has(slot)) continue;
      // Opened by this change: the allow entry itself, or a change that stopped shadowing it.
      const window: ExposureWindow = {
        resource: entry.change.resource,
        resourceType: 'network-acl',
        direction: entry.change.direction,
        protocol: entry.change.protocol,
        fromPort: entry.change.fromPort,
        toPort: entry.change.toPort,
        peer: entry.change.peer,
        internetExposed: internet,
        ruleKey: slot,
        opened: change,
        closed: null,
        closedHow: null,
      };
      windows.push(window);
      if (entry.change === change) openedBy.set(change, window);
      slots.set(slot, { window, entry: entry.change });
    }
  }
  return { windows, shadowed, openedBy };
}

function ruleNumberOf(ruleKey: string): number {
  const n = Number(ruleKey.slice(ruleKey.indexOf('#') + 1));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

/**
 * Whether an allow entry still decides "allow" for some address, for the port and one of the
 * protocols: its CIDR less the CIDRs of every lower-numbered entry that matches the same packet.
 * `internet`: the entry's own peer is internet-wide and at least a broad prefix's worth of
 * addresses is still let through (a lower deny of 10.0.0.0/8 leaves 0.0.0.0/0 internet-wide;
 * a lower deny of 0.0.0.0/1 and 128.0.0.0/1 leaves nothing).
 */
function evaluateEntry(
  entry: Entry,
  ordered: readonly Entry[],
  port: number | undefined,
  protocols: readonly ('tcp' | 'udp')[],
): { reaches: true; internet: boolean } | { reaches: false; reason: string } {
  const own = entry.change.peer.kind === 'cidr' ? parseCidr(entry.change.peer.value) : undefined;
  if (port === undefined || !own) return { reaches: true, internet: entry.change.internetExposed };
  let reason = `does not match port ${port}`;
  for (const protocol of protocols) {
    if (!matches(entry.change, protocol, port)) continue;
    const lower = ordered.filter((e) => e.ruleNumber < entry.ruleNumber && matches(e.change, protocol, port));
    let remaining: Span[] = [spanOf(own)];
    const deciders: Entry[] = [];
    for (const other of lower) {
      const cidr = other.change.peer.kind === 'cidr' ? parseCidr(other.change.peer.value) : undefined;
      if (!cidr || cidr.version !== own.version) continue;
      const before = size(remaining);
      remaining = subtract(remaining, spanOf(cidr));
      if (size(remaining) < before) deciders.push(other);
    }
    if (remaining.length > 0) {
      const broad = 1n << BigInt((own.version === 4 ? 32 : 128) - BROAD_PREFIX[own.version]);
      return { reaches: true, internet: entry.change.internetExposed && size(remaining) >= broad };
    }
    reason = `for ${protocol} port ${port} every address of this entry is decided first by ${deciders
      .map((d) => `rule ${d.ruleNumber} (${d.allow ? 'allow' : 'deny'} ${d.change.peer.value})`)
      .join(', ')}: entries are evaluated in rule-number order, first match wins`;
  }
  return { reaches: false, reason };
}

function matches(change: ExposureChange, protocol: 'tcp' | 'udp', port: number): boolean {
  if (change.protocol !== 'all' && change.protocol !== protocol) return false;
  return changeMatchesPort(change, port);
}

function spanOf(cidr: Cidr): Span {
  return { family: cidr.version, start: cidr.network, end: lastAddress(cidr) };
}

function size(spans: readonly Span[]): bigint {
  return spans.reduce((n, s) => n + (s.end - s.start + 1n), 0n);
}

function subtract(spans: readonly Span[], cut: Span): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    if (cut.end < s.start || cut.start > s.end) {
      out.push(s);
      continue;
    }
    if (cut.start > s.start) out.push({ family: s.family, start: s.start, end: cut.start - 1n });
    if (cut.end < s.end) out.push({ family: s.family, start: cut.end + 1n, end: s.end });
  }
  return out;
}

import { parseCidr, formatCidr } from './cidr.js';
import { changeMatchesPort, type ExposureChange } from './change.js';

/**
 * An exposure window: an `open` joined to the change that ended it (a revoke of the same rule, a
 * delete of its slot or resource, a replacement of its slot), or still open. The window's
 * protocol, ports and peer are those of the open.
 */
export interface ExposureWindow {
  resource: string | null;
  resourceType: ExposureChange['resourceType'];
  direction: ExposureChange['direction'];
  protocol: string | null;
  fromPort: number | null;
  toPort: number | null;
  peer: ExposureChange['peer'];
  internetExposed: boolean;
  ruleKey: string | null;
  opened: ExposureChange;
  closed: ExposureChange | null;
  /**
   * How the close was matched: same rule content, same slot, whole resource, a replacement, or
   * (network ACLs) a lower-numbered entry that came to decide every address first.
   */
  closedHow: 'same-rule' | 'same-slot' | 'whole-resource' | 'replaced' | 'shadowed' | null;
}

/**
 * Rule identity for joining an open to its close: resource, direction, protocol, range, peer.
 * `canonical` may remember the canonical form of each CIDR text (a replay sees the same few often).
 */
export function ruleIdentity(
  change: Pick<ExposureChange, 'resource' | 'direction' | 'protocol' | 'fromPort' | 'toPort' | 'peer'>,
  canonical?: Map<string, string>,
): string {
  let peer = change.peer.value;
  if (change.peer.kind === 'cidr') {
    const known = canonical?.get(peer);
    if (known !== undefined) peer = known;
    else {
      const cidr = parseCidr(peer);
      const form = cidr ? formatCidr(cidr) : peer; // `0.0.0.0/0` and `208.236.235.254/0` are the same rule to AWS
      canonical?.set(peer, form);
      peer = form;
    }
  }
  return [change.resource, change.direction, change.protocol, change.fromPort, change.toPort, change.peer.kind, peer].join('|');
}

/**
 * Orders changes by event time, keeping the order within one event (closes before opens). Times
 * compare as text, code unit by code unit, as SQL's ORDER BY compares them (not by locale).
 */
export function sortChanges(changes: readonly ExposureChange[]): ExposureChange[] {
  return changes
    .map((change, index) => ({ change, index, time: change.eventTime ?? '' }))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.index - b.index))
    .map(({ change }) => change);
}

/**
 * Replays changes in time order into windows. Attempts change nothing; attaches are judged
 * against these windows elsewhere (they open what their groups admit).
 */
export function buildWindows(changes: readonly ExposureChange[]): ExposureWindow[] {
  const windows: ExposureWindow[] = [];
  // The open windows, indexed by resource (in opening order) and by rule identity. Identities of
  // open windows are unique (a second open of the same rule opens nothing), so the replay is
  // linear in the changes instead of scanning every open window per change.
  const openByResource = new Map<string | null, ExposureWindow[]>();
  const openByIdentity = new Map<string, ExposureWindow>();
  const identityOf = new Map<ExposureWindow, string>();
  const canonical = new Map<string, string>();
  const end = (window: ExposureWindow, by: ExposureChange, how: NonNullable<ExposureWindow['closedHow']>) => {
    window.closed = by;
    window.closedHow = how;
    const list = openByResource.get(window.resource)!;
    list.splice(list.indexOf(window), 1);
    openByIdentity.delete(identityOf.get(window)!);
  };
  for (const change of sortChanges(changes)) {
    if (change.action === 'open') {
      if (change.ruleKey !== null && change.ruleKey !== '*') {
        for (const window of [...(openByResource.get(change.resource) ?? [])]) {
          if (window.direction === change.direction && window.ruleKey === change.ruleKey && window.opened.eventId !== change.eventId) {
            end(window, change, 'replaced');
          }
        }
      }
      const identity = ruleIdentity(change, canonical);
      if (openByIdentity.has(identity)) continue; // already open: nothing new
      const window: ExposureWindow = {
        resource: change.resource,
        resourceType: change.resourceType,
        direction: change.direction,
        protocol: change.protocol,
        fromPort: change.fromPort,
        toPort: change.toPort,
        peer: change.peer,
        internetExposed: change.internetExposed,
        ruleKey: change.ruleKey,
        opened: change,
        closed: null,
        closedHow: null,
      };
      windows.push(window);
      identityOf.set(window, identity);
      openByIdentity.set(identity, window);
      const list = openByResource.get(change.resource);
      if (list) list.push(window);
      else openByResource.set(change.resource, [window]);
    } else if (change.action === 'close') {
      let identity: string | undefined;
      for (const window of [...(openByResource.get(change.resource) ?? [])]) {
        if (change.ruleKey === '*') end(window, change, 'whole-resource');
        else if (change.ruleKey !== null && window.ruleKey === change.ruleKey && window.direction === change.direction) end(window, change, 'same-slot');
        else if (change.protocol !== null && identityOf.get(window) === (identity ??= ruleIdentity(change, canonical))) end(window, change, 'same-rule');
      }
    }
  }
  return windows;
}

export function windowMatchesPort(window: ExposureWindow, port: number): boolean {
  return changeMatchesPort(window, port);
}

/** Windows open at `time` on any of `resources` (for judging an attach). */
export function windowsOpenAt(windows: readonly ExposureWindow[], resources: readonly string[], time: string): ExposureWindow[] {
  return windows.filter(
    (w) =>
      w.resource !== null && resources.includes(w.resource) && (w.opened.eventTime ?? '') <= time && (w.closed === null || (w.closed.eventTime ?? '') > time),
  );
}

/** `windowsOpenAt` over fixed windows, answered from an index by resource (same windows, same order). */
export type OpenWindowsIndex = (resources: readonly string[], time: string) => ExposureWindow[];

export function openWindowsIndex(windows: readonly ExposureWindow[]): OpenWindowsIndex {
  const byResource = new Map<string, { window: ExposureWindow; index: number }[]>();
  windows.forEach((window, index) => {
    if (window.resource === null) return;
    const list = byResource.get(window.resource);
    if (list) list.push({ window, index });
    else byResource.set(window.resource, [{ window, index }]);
  });
  return (resources, time) =>
    [...new Set(resources)]
      .flatMap((resource) => byResource.get(resource) ?? [])
      .filter(({ window: w }) => (w.opened.eventTime ?? '') <= time && (w.closed === null || (w.closed.eventTime ?? '') > time))
      .sort((a, b) => a.index - b.index)
      .map(({ window }) => window);
}

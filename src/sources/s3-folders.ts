import { periodOutside, type PruneFilter } from './s3-layout.js';

/**
 * How to list one S3 "folder" (a prefix ending in `/`), decided from its name alone, so that the
 * folders of days outside `--from/--to`, and of accounts and regions not selected, are never
 * listed. AWS delivers under `AWSLogs/[o-org/]<account>/CloudTrail|vpcflowlogs/<region>/YYYY/MM/DD[/HH]/`:
 * - `levels`: list one level (`Delimiter: '/'`) and decide again for each subfolder;
 * - `flat`: list everything under it (a delivery day, hours included; or a folder outside the layout);
 * - `prune`: never listed, with the reason. Pure.
 */
export type FolderPlan = { walk: 'levels' } | { walk: 'flat' } | { walk: 'prune'; reason: string };

/** Above an `AWSLogs/` folder, a custom trail prefix is walked this many levels deep before it is listed flat. */
const MAX_LEVELS_ABOVE_LAYOUT = 3;

const KINDS = new Set(['cloudtrail', 'cloudtrail-insight', 'vpcflowlogs']);

export function planFolder(folder: string, filter: PruneFilter, depthBelowStart: number): FolderPlan {
  const segments = folder.split('/').filter((s) => s !== '');
  const at = segments.map((s) => s.toLowerCase()).lastIndexOf('awslogs');
  if (at < 0) return depthBelowStart < MAX_LEVELS_ABOVE_LAYOUT ? { walk: 'levels' } : { walk: 'flat' };
  const rest = segments.slice(at + 1);
  if (rest[0] !== undefined && /^o-[a-z0-9]+$/i.test(rest[0])) rest.shift();
  const [account, kind, region, year, month, day] = rest;
  if (account === undefined) return { walk: 'levels' };
  if (!/^\d{12}$/.test(account)) return { walk: 'flat' };
  if (filter.accounts?.length && !filter.accounts.includes(account)) return { walk: 'prune', reason: 'account not selected' };
  if (kind === undefined) return { walk: 'levels' };
  if (kind.toLowerCase() === 'cloudtrail-digest') return { walk: 'prune', reason: 'CloudTrail digest files (no events)' };
  if (!KINDS.has(kind.toLowerCase())) return { walk: 'flat' };
  if (region === undefined) return { walk: 'levels' };
  if (filter.regions?.length && !filter.regions.includes(region.toLowerCase())) return { walk: 'prune', reason: 'region not selected' };
  if (year === undefined) return { walk: 'levels' };
  if (!/^\d{4}$/.test(year)) return { walk: 'flat' };
  const y = Number(year);
  if (month === undefined) return pruneOrWalk(Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1), filter, 'levels');
  if (!/^\d{2}$/.test(month)) return { walk: 'flat' };
  const m = Number(month) - 1;
  if (day === undefined) return pruneOrWalk(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1), filter, 'levels');
  if (!/^\d{2}$/.test(day)) return { walk: 'flat' };
  const d = Number(day);
  return pruneOrWalk(Date.UTC(y, m, d), Date.UTC(y, m, d + 1), filter, 'flat');
}

function pruneOrWalk(startMs: number, endMs: number, filter: PruneFilter, walk: 'levels' | 'flat'): FolderPlan {
  const side = periodOutside(startMs, endMs, filter);
  return side ? { walk: 'prune', reason: `delivered ${side} the time range` } : { walk };
}

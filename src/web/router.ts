import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/runs/3`): the server serves one page, and the address survives a reload. Route
 * parts are decoded once here; pages never read `location` themselves.
 */
export type Route =
  | { page: 'runbooks'; runbook?: string }
  | { page: 'runs' }
  | { page: 'run'; id: string; finding?: string }
  | { page: 'sql' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'runbooks' };
  if (parts[0] === 'runbooks') return parts[1] ? { page: 'runbooks', runbook: parts[1] } : { page: 'runbooks' };
  if (parts[0] === 'runs' && parts.length === 1) return { page: 'runs' };
  if (parts[0] === 'runs' && parts[1] && parts[2] === 'findings' && parts[3]) return { page: 'run', id: parts[1], finding: parts[3] };
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts[1] };
  if (parts[0] === 'sql') return { page: 'sql' };
  return { page: 'not-found', path };
}

export const href = {
  runbooks: () => '#/runbooks',
  runbook: (id: string) => `#/runbooks/${encodeURIComponent(id)}`,
  runs: () => '#/runs',
  run: (id: string) => `#/runs/${encodeURIComponent(id)}`,
  finding: (run: string, finding: string) => `#/runs/${encodeURIComponent(run)}/findings/${encodeURIComponent(finding)}`,
  sql: () => '#/sql',
};

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

import type { Credentials, Finding, Report, SourceAssessment } from '../report/contract.js';
import { compareText } from '../text.js';

/** The five answers over all findings (DESIGN.md §5), pure. */
export function answersOf(findings: readonly Finding[]): Report['answers'] {
  const firstSeen = findings.map((f) => f.firstSeen).filter(Boolean).sort()[0] ?? null;
  const isFlow = (ref: string) => ref.startsWith('flow:');
  const firstRequest = findings.flatMap((f) => f.evidence.filter((e) => isFlow(e.source_ref)).map((e) => e.ts)).sort()[0] ?? null;
  const firstChange =
    findings.filter((f) => f.kind === 'exposure').flatMap((f) => f.evidence.filter((e) => !isFlow(e.source_ref)).map((e) => e.ts)).sort()[0] ?? null;
  const directions = new Set(findings.flatMap((f) => (f.direction === 'both' ? ['inbound', 'outbound'] : f.direction ? [f.direction] : [])));
  const direction = directions.size === 2 ? 'both' : directions.size === 1 ? ([...directions][0] as 'inbound' | 'outbound') : 'none';
  const eventSources = [...new Set(findings.flatMap((f) => f.eventSources))].sort();
  const credentials: Credentials[] = [];
  const seenCredentials = new Set<string>();
  for (const f of findings) {
    if (!f.credentials) continue;
    const key = `${f.credentials.arn}|${f.credentials.accessKeyId}`;
    if (seenCredentials.has(key)) continue;
    seenCredentials.add(key);
    credentials.push(f.credentials);
  }
  const sources: SourceAssessment[] = [];
  const seenSources = new Set<string>();
  for (const f of findings) {
    for (const s of f.sources) {
      if (seenSources.has(s.ip)) continue;
      seenSources.add(s.ip);
      sources.push(s);
    }
  }
  const order = { suspicious: 0, known: 1, allowed: 2 } as const;
  sources.sort((a, b) => order[a.verdict] - order[b.verdict] || compareText(a.ip, b.ip));
  return { firstSeen, firstRequest, firstChange, direction, eventSources, credentials, sources };
}

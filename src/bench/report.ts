import type { Corpus } from './corpus.js';
import { unavoidableWorkLine } from './floor.js';
import type { RunResult } from './contenders.js';
import { classicExpectation } from './generate/cloudtrail.js';

/**
 * The CloudTrail ingest results as a markdown table. Throughput is always the corpus's
 * uncompressed JSON bytes over the contender's measured time, so the MB/s columns compare the
 * same work; ratios are trailbook's throughput over the baseline's (≥ 1.0 means trailbook is at
 * least as fast).
 */
export interface SizeResult {
  corpus: Corpus;
  runs: RunResult[];
}

const LABELS: Record<RunResult['contender'], string> = {
  gzip: '`gzip -dc` (baseline A)',
  'duckdb-direct': 'DuckDB `read_json` + classic query (baseline B)',
  'duckdb-candidates': 'DuckDB `read_json` of the exposure candidates only (floor of a cold answer)',
  'duckdb-ingest': 'DuckDB `CREATE TABLE AS read_json` + classic query (reference C)',
  'store-floor': "DuckDB writing C's rows, already in memory, to a store file (floor D)",
  trailbook: 'trailbook `ingestPaths` + classic query',
};

const MB = 1_000_000;

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function throughput(corpus: Corpus, run: RunResult): number {
  return corpus.result.bytesUncompressed / MB / (run.ms / 1000);
}

function notes(run: RunResult): string {
  const d = run.detail;
  if (run.contender === 'trailbook') {
    return `ingest (checkpoint included) ${fmt(Number(d['ingestMs']) / 1000, 2)} s + query ${fmt(Number(d['queryMs']) / 1000, 2)} s; ${Number(d['inserted']).toLocaleString('en-US')} events inserted`;
  }
  if (run.contender === 'duckdb-ingest') {
    return `load (checkpoint included) ${fmt(Number(d['ingestMs']) / 1000, 2)} s + query ${fmt(Number(d['queryMs']) / 1000, 2)} s; all top-level fields, nested ones as JSON text, into a database file`;
  }
  if (run.contender === 'store-floor') {
    return `${Number(d['events']).toLocaleString('en-US')} rows copied from an in-memory table into a fresh database file, checkpoint included; no reading or parsing (RSS: the process holds the corpus by design)`;
  }
  if (run.contender === 'gzip') return `${d['files']} files, one gzip process per 500 files; RSS is gzip's own`;
  return 'in-memory instance, typed `Records` column';
}

export function resultsTable(sizes: SizeResult[]): string {
  const lines = [
    '| Events | Contender | Time (s) | MB/s | Events/s | trailbook ÷ this | Peak RSS (MB) | Classic query rows (expected) | Notes |',
    '|---:|---|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const { corpus, runs } of sizes) {
    const trailbook = runs.find((r) => r.contender === 'trailbook');
    const expected = classicExpectation(corpus.result.events).matches;
    for (const run of runs) {
      const mbps = throughput(corpus, run);
      const ratio = trailbook && run !== trailbook ? fmt(throughput(corpus, trailbook) / mbps, 2) : '';
      lines.push(
        [
          corpus.result.events.toLocaleString('en-US'),
          LABELS[run.contender],
          fmt(run.ms / 1000, 2),
          fmt(mbps),
          Math.round(corpus.result.events / (run.ms / 1000)).toLocaleString('en-US'),
          ratio,
          run.peakRssBytes === null ? 'n/a' : fmt(run.peakRssBytes / MB, 0),
          run.rows === null ? '' : `${run.rows} (${expected})`,
          notes(run),
        ]
          .join(' | ')
          .replace(/^/, '| ')
          .replace(/$/, ' |'),
      );
    }
  }
  return lines.join('\n');
}

export function corpusLines(sizes: SizeResult[]): string {
  return sizes
    .map(({ corpus }) => {
      const r = corpus.result;
      const p = corpus.params;
      const gen = corpus.generateMs === null ? '' : `, generated in ${fmt(corpus.generateMs / 1000)} s${corpus.reused ? ' (cached)' : ''}`;
      return `- ${r.events.toLocaleString('en-US')} events: ${r.files} files, ${fmt(r.bytesCompressed / MB)} MB gzip, ${fmt(r.bytesUncompressed / MB)} MB JSON; ${p.accounts} accounts × ${p.regions} regions × ${p.days} days, seed ${p.seed}${gen}`;
    })
    .join('\n');
}

/** The targets of issue 2, checked against what was measured (never asserted, only stated). */
export function targetLines(sizes: SizeResult[]): string {
  const out: string[] = [];
  for (const { corpus, runs } of sizes) {
    const t = runs.find((r) => r.contender === 'trailbook');
    const d = runs.find((r) => r.contender === 'duckdb-direct');
    if (!t || !d) continue;
    const ratio = d.ms / t.ms;
    out.push(
      `- ${corpus.result.events.toLocaleString('en-US')} events: ingest ratio vs DuckDB direct ${fmt(ratio, 2)} (target ≥ 1.0: ${ratio >= 1 ? 'met' : 'not met'}); peak RSS ${t.peakRssBytes === null ? 'n/a' : `${fmt(t.peakRssBytes / MB, 0)} MB`} (target < 1000 MB at 1M events)`,
    );
    const load = runs.find((r) => r.contender === 'duckdb-ingest');
    if (load) {
      // Issue 18: a cold ingest at least as fast as DuckDB's own full load; moonshot within 1.5× of DuckDB direct.
      const vsC = load.ms / t.ms;
      out.push(
        `  - vs DuckDB's own load (reference C): ${fmt(vsC, 2)} (target ≥ 1.0: ${vsC >= 1 ? 'met' : 'not met'}); within 1.5× of DuckDB direct (moonshot): ${ratio >= 1 / 1.5 ? 'met' : 'not met'} (${fmt(t.ms / d.ms, 1)}×)`,
      );
    }
    const floor = runs.find((r) => r.contender === 'store-floor');
    const gzip = runs.find((r) => r.contender === 'gzip');
    if (floor && gzip) {
      out.push(unavoidableWorkLine({ decompress: 'A', store: 'D', baseline: 'B' }, { decompress: gzip.ms, store: floor.ms, baseline: d.ms }));
    }
  }
  const rss = sizes.map((s) => s.runs.find((r) => r.contender === 'trailbook')?.peakRssBytes).filter((n): n is number => typeof n === 'number');
  if (rss.length >= 2) {
    const growth = (rss[rss.length - 1] as number) / (rss[0] as number);
    out.push(`- trailbook peak RSS, largest ÷ smallest corpus: ${fmt(growth, 2)}× (target: flat, i.e. close to 1)`);
    if (rss.length >= 3) {
      // DuckDB's memory cap fills up on the way; past it, growth is what matters.
      const last = (rss[rss.length - 1] as number) / (rss[rss.length - 2] as number);
      const [a, b] = sizes.slice(-2).map((s) => s.corpus.result.events.toLocaleString('en-US'));
      out.push(`- trailbook peak RSS, largest ÷ second-largest corpus (${b} vs ${a} events): ${fmt(last, 2)}×`);
    }
  }
  return out.join('\n');
}

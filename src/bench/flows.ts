/**
 * VPC Flow Logs ingest benchmark (issue 4, item 6): trailbook's `ingestPaths` against
 * DuckDB `read_csv` of the same files directly, with `gzip -dc` as the floor. Registered in
 * main.ts; writes the `vpcflow-ingest` section of docs/benchmarks.md.
 *
 * Sizes: 1M and 10M rows (quick: 200k); `TRAILBOOK_BENCH_FLOW_SIZES=1000000,5000000` overrides.
 * Corpora are generated (flows-generate.ts) under `TRAILBOOK_BENCH_DATA` (default `bench-data`)
 * and reused while the generator and its parameters are unchanged.
 */
import { runJsonChild } from './child.js';
import { unavoidableWorkLine } from './floor.js';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowContender, FlowRunResult } from './flows-contenders.js';
import { FLOW_DEFAULTS, FLOW_GENERATOR_VERSION, generateFlowCorpus, type FlowCorpusOptions, type FlowCorpusResult } from './flows-generate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTENDERS: readonly FlowContender[] = ['gzip', 'read-csv', 'store-floor', 'trailbook'];
const MB = 1_000_000;

function log(message: string): void {
  process.stderr.write(`[bench:vpcflow] ${message}\n`);
}

export interface FlowCorpus {
  root: string;
  rows: number;
  result: FlowCorpusResult;
  reused: boolean;
  generateMs: number;
}

/** A flow corpus laid out like another corpus's organisation (FlowCorpusOptions), named by `tag`. */
export interface FlowLayout {
  tag: string;
  options: Omit<FlowCorpusOptions, 'root' | 'records'>;
}

export async function ensureFlowCorpus(dataDir: string, rows: number, layout?: FlowLayout): Promise<FlowCorpus> {
  const p = { rows, ...FLOW_DEFAULTS, ...layout?.options };
  const name = `vpcflow-n${rows}-${layout ? layout.tag : `a${p.accounts}-r${p.regions}-d${p.days}`}-s${p.seed}`;
  const root = join(dataDir, name);
  const manifestPath = join(dataDir, `${name}.manifest.json`);
  if (existsSync(manifestPath) && existsSync(root)) {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { version: number; params: unknown; result: FlowCorpusResult; generateMs: number };
    if (m.version === FLOW_GENERATOR_VERSION && JSON.stringify(m.params) === JSON.stringify(p))
      return { root, rows, result: m.result, reused: true, generateMs: m.generateMs };
  }
  await rm(manifestPath, { force: true });
  await rm(root, { recursive: true, force: true });
  const started = performance.now();
  const result = await generateFlowCorpus({ ...layout?.options, root, records: rows });
  const generateMs = performance.now() - started;
  await writeFile(manifestPath, `${JSON.stringify({ version: FLOW_GENERATOR_VERSION, params: p, result, generateMs }, null, 2)}\n`);
  return { root, rows, result, reused: false, generateMs };
}

function runChild(contender: FlowContender, root: string, db: string): Promise<FlowRunResult> {
  return runJsonChild<FlowRunResult>(join(HERE, 'flows-run-one.js'), [contender, root, db]);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const LABELS: Record<FlowContender, string> = {
  gzip: '`gzip -dc` (floor)',
  'read-csv': 'DuckDB `read_csv` of the files (baseline)',
  'store-floor': "DuckDB writing the baseline's rows, already in memory, to a store file (floor)",
  trailbook: 'trailbook `ingestPaths` (`trailbook ingest`) into a fresh store',
};

function notes(corpus: FlowCorpus, run: FlowRunResult): string {
  const d = run.detail;
  if (run.contender === 'gzip') return `${d['files']} files; RSS is gzip's own`;
  if (run.contender === 'store-floor')
    return `${fmt(Number(run.rows))} rows copied from in-memory tables into a fresh database file, checkpoint included; no reading or parsing (RSS: the process holds the corpus by design)`;
  if (run.contender === 'read-csv') return `${d['formats']} header groups, one \`read_csv\` each, every column typed and aggregated; in memory`;
  const f = (k: string) => Number(d[k]);
  const ok =
    f('lines') === corpus.result.lines && f('lines') === f('records') + f('nodata') + f('skipdata') + f('headers') + f('bad') && f('stored') === f('appended');
  return (
    `${fmt(Number(d['lines']))} lines = ${fmt(Number(d['records']))} records + ${fmt(Number(d['nodata']))} NODATA + ${fmt(Number(d['skipdata']))} SKIPDATA + ` +
    `${fmt(Number(d['headers']))} headers + ${fmt(Number(d['bad']))} bad; ${fmt(Number(d['appended']))} rows stored, ${fmt(Number(d['duplicates']))} duplicates; ` +
    `${fmt(Number(d['bulkLoaded']))} of ${fmt(Number(d['files']))} files loaded in bulk by \`read_csv\`; ` +
    `${fmt(Number(d['port8443']))} rows on 8443 (planted ${fmt(corpus.result.port8443Records)})${ok ? '' : ' — ACCOUNTING MISMATCH'}`
  );
}

export function flowResultsMarkdown(done: { corpus: FlowCorpus; runs: FlowRunResult[] }[]): string {
  const lines = ['| Rows | Contender | Time (s) | Records/s | MB/s | trailbook ÷ this | Peak RSS (MB) | Notes |', '|---:|---|---:|---:|---:|---:|---:|---|'];
  const targets: string[] = [];
  for (const { corpus, runs } of done) {
    const tb = runs.find((r) => r.contender === 'trailbook');
    const rate = (r: FlowRunResult) => corpus.result.rows / (r.ms / 1000);
    for (const run of runs) {
      const ratio = tb && run !== tb ? fmt(rate(tb) / rate(run), 2) : '';
      const rss = run.peakRssBytes === null ? 'n/a' : fmt(run.peakRssBytes / MB);
      lines.push(
        `| ${fmt(corpus.rows)} | ${LABELS[run.contender]} | ${fmt(run.ms / 1000, 2)} | ${fmt(rate(run))} | ${fmt(corpus.result.bytesUncompressed / MB / (run.ms / 1000), 1)} | ${ratio} | ${rss} | ${notes(corpus, run)} |`,
      );
    }
    const csv = runs.find((r) => r.contender === 'read-csv');
    if (tb && csv) {
      const ratio = rate(tb) / rate(csv);
      targets.push(
        `- ${fmt(corpus.rows)} rows: trailbook ÷ \`read_csv\` ${fmt(ratio, 2)} (target ≥ 0.9: ${ratio >= 0.9 ? 'met' : 'not met'}); trailbook peak RSS ${tb.peakRssBytes === null ? 'n/a' : `${fmt(tb.peakRssBytes / MB)} MB`}`,
      );
      const floor = runs.find((r) => r.contender === 'store-floor');
      const gzip = runs.find((r) => r.contender === 'gzip');
      if (floor && gzip) {
        targets.push(
          unavoidableWorkLine({ decompress: '`gzip -dc`', store: 'floor', baseline: '`read_csv`' }, { decompress: gzip.ms, store: floor.ms, baseline: csv.ms }),
        );
      }
    }
  }
  const peaks = done.map((d) => d.runs.find((r) => r.contender === 'trailbook')?.peakRssBytes ?? null);
  if (peaks.length > 1 && peaks[0] && peaks[peaks.length - 1]) {
    targets.push(`- trailbook peak RSS, largest ÷ smallest corpus: ${fmt(peaks[peaks.length - 1]! / peaks[0]!, 2)}× (target: flat, close to 1)`);
  }
  const corpora = done.map(
    ({ corpus: c }) =>
      `- ${fmt(c.rows)} rows: ${c.result.files} files (${fmt(c.result.v2Rows)} rows default v2, ${fmt(c.result.v5Rows)} custom v5), ${fmt(c.result.nodata)} NODATA, ${fmt(c.result.skipdata)} SKIPDATA, ` +
      `${fmt(c.result.bytesCompressed / MB, 1)} MB gzip, ${fmt(c.result.bytesUncompressed / MB, 1)} MB text; generated in ${fmt(c.generateMs / 1000, 1)} s${c.reused ? ' (cached)' : ''}`,
  );
  return [lines.join('\n'), '', 'Corpora:', '', ...corpora, '', 'Targets:', '', ...targets].join('\n');
}

export async function benchmarkFlows(options: { quick: boolean }): Promise<{ title: string; markdown: string }> {
  const sizes = options.quick
    ? [200_000]
    : (process.env['TRAILBOOK_BENCH_FLOW_SIZES'] ?? '1000000,10000000').split(',').map((s) => Number(s.replaceAll('_', '').trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`flow sizes: positive integers expected, got ${sizes.join(',')}`);
  const dataDir = resolve(process.env['TRAILBOOK_BENCH_DATA'] ?? 'bench-data');
  await mkdir(dataDir, { recursive: true });
  const done: { corpus: FlowCorpus; runs: FlowRunResult[] }[] = [];
  for (const rows of sizes) {
    log(`corpus of ${rows} rows...`);
    const corpus = await ensureFlowCorpus(dataDir, rows);
    log(`${corpus.reused ? 'reused' : 'generated'} ${corpus.result.files} files, ${(corpus.result.bytesUncompressed / MB).toFixed(1)} MB text`);
    const runs: FlowRunResult[] = [];
    for (const contender of CONTENDERS) {
      const db = join(dataDir, `trailbook-flowbench-${rows}.duckdb`);
      const result = await runChild(contender, corpus.root, db);
      await rm(db, { force: true });
      await rm(`${db}.wal`, { force: true });
      log(`${contender}: ${(result.ms / 1000).toFixed(2)} s, peak RSS ${result.peakRssBytes === null ? 'n/a' : `${(result.peakRssBytes / MB).toFixed(0)} MB`}`);
      runs.push(result);
    }
    done.push({ corpus, runs });
  }
  const markdown = [
    `One run per contender, each in its own process. Rows are data rows (records + NODATA + SKIPDATA); records/s and MB/s are the corpus's rows and uncompressed bytes over each contender's measured time; "trailbook ÷ this" is trailbook's rate over the other's (≥ 1.0: trailbook is at least as fast).`,
    '',
    flowResultsMarkdown(done),
  ].join('\n');
  return { title: 'VPC Flow Logs ingest', markdown };
}

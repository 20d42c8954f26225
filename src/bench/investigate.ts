/**
 * `trailbook investigate` benchmark (issue 6, item 6): cold and warm, on the synthetic corpora of
 * the other benchmarks. Registered in main.ts; writes the `investigate` section of
 * docs/benchmarks.md.
 *
 * Per size (CloudTrail events N; flow records N from flows-generate.ts, in two layouts):
 * - **baseline**: contender B of the ingest benchmark (`contenders.ts`, run by `run-one.js`): a
 *   fresh in-memory DuckDB running the classic query over the same CloudTrail files.
 * - **candidates floor**: a fresh in-memory DuckDB reading only the exposure candidates (the
 *   columns their judgement needs) from the same files: what any cold answer must read at least,
 *   stored or not (`duckdb-candidates` in contenders.ts).
 * - **cold**: `trailbook investigate --db <fresh store> <CloudTrail folder>`: ingest, then the
 *   runbook; the same files as the baseline (the classic query reads no flow logs).
 * - **warm**: `trailbook investigate --db <that store>` (nothing to ingest), CloudTrail only; then
 *   N flow records of other accounts and days (the flow benchmark's layout) are ingested into the
 *   store and it is run again. Median of 3 process runs each.
 * - **cold with flows**: `trailbook investigate --db <fresh store> <CloudTrail> <flows>` with N
 *   flow records laid out like the trail's organisation (`trailFlowLayout`: its accounts, regions
 *   and days, the port's few connections on few interfaces, every other record on other ports),
 *   then **warm** on that store: the issue's 1M events + 1M flow records.
 * - **library**: the `investigate()` call itself on that store, 3 runs in one process (no Node
 *   start-up, no report rendering).
 *
 * Times of the CLI runs are wall-clock from spawn to exit (Node start-up included: what an analyst
 * waits for); peak RSS is the CLI process's own (`peak-rss.js`, preloaded). Sizes: 100k and 1M
 * (quick: 20k); `--sizes`, else `TRAILBOOK_BENCH_INVESTIGATE_SIZES`, overrides. Corpora are
 * generated once under `--data` (default `bench-data`) and reused.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './contenders.js';
import { corpusName, corpusParams, ensureCorpus, type Corpus, type CorpusParams } from './corpus.js';
import { ensureFlowCorpus, type FlowCorpus, type FlowLayout } from './flows.js';
import { processStatsOf } from './peak-rss-marker.js';
import { buildAccount, REGIONS } from './generate/accounts.js';
import { CORPUS_START } from './generate/cloudtrail.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', 'cli', 'main.js');
const WARM_RUNS = 3;
/** Preloaded into each CLI run: prints the process's peak RSS on stderr at exit. */
const PEAK_RSS = join(HERE, 'peak-rss.js');
/** The issue's sizes are 1M and 5M; 5M is not run by default (see LARGEST_NOTE). */
const DEFAULT_SIZES = '100000,1000000';
const LARGEST_NOTE =
  '5,000,000 events are not in the default sizes: generating that corpus and ingesting it for the cold run take ~10–15 minutes on a 2-core machine. Run them with `--sizes 100000,1000000,5000000`.';

/** Interfaces per flow log that the planted port connections land on, in the trail-shaped flow corpus. */
const PORT_INTERFACES = 2;

/**
 * Flow records shaped like one organisation's with its trail: the trail's accounts, regions and
 * days, most records on other ports, the port's few connections on few interfaces per flow log.
 */
export function trailFlowLayout(p: CorpusParams): FlowLayout {
  return {
    tag: `trail-a${p.accounts}-r${p.regions}-d${p.days}-p${PORT_INTERFACES}`,
    options: {
      accountIds: Array.from({ length: p.accounts }, (_, i) => buildAccount(p.seed, i).id),
      regionNames: REGIONS.slice(0, p.regions),
      startDate: new Date(CORPUS_START).toISOString().slice(0, 10),
      days: p.days,
      portInterfaces: PORT_INTERFACES,
    },
  };
}

function log(message: string): void {
  process.stderr.write(`[bench:investigate] ${message}\n`);
}

interface Spawned {
  ms: number;
  stdout: string;
  load: number;
  /** The child's peak RSS and CPU time (user + system, all threads) when it was started with `peak-rss.js`. */
  peakRssBytes: number | null;
  cpuMs: number | null;
  /** Wall-clock from spawn to the first stderr line matching `mark` (null: none, or not asked). */
  markMs: number | null;
}

/**
 * Runs a child to completion; `ms` is wall-clock from spawn to exit; `load` the 1-minute load
 * average at the start; `mark`: a stderr line to time (the answer-first report written, before the
 * logs are stored).
 */
function runNode(args: string[], mark?: RegExp): Promise<Spawned> {
  return new Promise((resolvePromise, reject) => {
    const load = loadavg()[0] ?? 0;
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let markMs: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (mark && markMs === null && mark.test(stderr)) markMs = performance.now() - started;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(-2000)}`));
      resolvePromise({ ms, stdout, load, markMs, ...processStatsOf(stderr) });
    });
  });
}

/** A trailbook command as the analyst runs it, with its peak RSS reported. */
function runCli(args: string[], mark?: RegExp): Promise<Spawned> {
  return runNode(['--import', PEAK_RSS, CLI, ...args], mark);
}

interface ReportFacts {
  findings: number;
  /** Null in a report answered first (not counted). */
  events: number | null;
  flowRecords: number | null;
  answeredFrom: string | null;
  actions: Record<string, number>;
}

function reportFacts(path: string): ReportFacts {
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    findings: { decision: { action: string } }[];
    inputs: { cloudtrail: { events: number | null }; vpcflow: { records: number | null }; answeredFrom?: string };
  };
  const actions: Record<string, number> = {};
  for (const f of report.findings) actions[f.decision.action] = (actions[f.decision.action] ?? 0) + 1;
  return {
    findings: report.findings.length,
    events: report.inputs.cloudtrail.events,
    flowRecords: report.inputs.vpcflow.records,
    answeredFrom: report.inputs.answeredFrom ?? null,
    actions,
  };
}

interface CliRun {
  ms: number;
  /** When the report was written (answered first, before the logs were stored); the exit otherwise. */
  reportMs: number;
  load: number;
  peakRssBytes: number | null;
  cpuMs: number | null;
  facts: ReportFacts;
}

const REPORT_WRITTEN = /report written to /;

async function investigateCli(db: string, out: string, paths: string[]): Promise<CliRun> {
  await rm(out, { force: true });
  const run = await runCli(['investigate', '--db', db, '--format', 'json', '--out', out, '--no-progress', ...paths], REPORT_WRITTEN);
  return { ms: run.ms, reportMs: run.markMs ?? run.ms, load: run.load, peakRssBytes: run.peakRssBytes, cpuMs: run.cpuMs, facts: reportFacts(out) };
}

async function warmRuns(db: string, out: string): Promise<CliRun[]> {
  const runs: CliRun[] = [];
  for (let i = 0; i < WARM_RUNS; i++) runs.push(await investigateCli(db, out, []));
  return runs;
}

function median<T>(runs: T[], key: (t: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

async function removeStore(db: string): Promise<void> {
  await rm(db, { force: true });
  await rm(`${db}.wal`, { force: true });
}

interface SizeResult {
  events: number;
  corpus: Corpus;
  /** N flow records of other accounts and days (the flow benchmark's layout). */
  otherFlows: FlowCorpus;
  /** N flow records of the trail's accounts, regions and days (`trailFlowLayout`). */
  trailFlows: FlowCorpus;
  baseline: RunResult & { load: number };
  /** DuckDB reading only the exposure candidates from the files: what any cold answer reads at least. */
  candidates: RunResult & { load: number };
  cold: CliRun;
  warm: CliRun[];
  otherFlowIngest: Spawned;
  warmOtherFlows: CliRun[];
  coldWithFlows: CliRun;
  warmTrailFlows: CliRun[];
  library: { ms: number[]; openMs: number; findings: number; changes: number; load: number };
}

async function benchmarkSize(dataDir: string, events: number): Promise<SizeResult> {
  log(`CloudTrail corpus of ${events} events...`);
  const corpus = await ensureCorpus(dataDir, corpusParams(events));
  log(`flow corpora of ${events} rows...`);
  const otherFlows = await ensureFlowCorpus(dataDir, events);
  const trailFlows = await ensureFlowCorpus(dataDir, events, trailFlowLayout(corpus.params));

  log('baseline: DuckDB read_json + classic query...');
  const b = await runNode([join(HERE, 'run-one.js'), 'duckdb-direct', corpus.root]);
  const baseline = { ...(JSON.parse(b.stdout.trim().split('\n').pop() ?? '{}') as RunResult), load: b.load };
  log(`baseline: ${(baseline.ms / 1000).toFixed(2)} s, ${baseline.rows} rows`);
  const e = await runNode([join(HERE, 'run-one.js'), 'duckdb-candidates', corpus.root]);
  const candidates = { ...(JSON.parse(e.stdout.trim().split('\n').pop() ?? '{}') as RunResult), load: e.load };
  log(`candidates floor: ${(candidates.ms / 1000).toFixed(2)} s, ${candidates.rows} rows`);

  const db = join(dataDir, `investigate-${corpusName(corpus.params)}.duckdb`);
  const out = join(dataDir, `investigate-${events}.report.json`);
  await removeStore(db);
  log('cold: trailbook investigate <CloudTrail folder> into a fresh store...');
  const cold = await investigateCli(db, out, [corpus.root]);
  log(
    `cold: report at ${(cold.reportMs / 1000).toFixed(2)} s (${cold.facts.answeredFrom ?? 'store'}), done at ${(cold.ms / 1000).toFixed(2)} s, ${cold.facts.findings} findings`,
  );
  const warm = await warmRuns(db, out);
  if (warm[0]!.facts.events !== events) throw new Error(`the store holds ${warm[0]!.facts.events} events, expected ${events}`);
  if (warm[0]!.facts.findings !== cold.facts.findings)
    throw new Error(`the warm run found ${warm[0]!.facts.findings} findings, the cold one ${cold.facts.findings}`);
  log(`warm (CloudTrail only): ${warm.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s`);

  const otherFlowIngest = await runCli(['ingest', '--db', db, '--no-progress', otherFlows.root]);
  log(`flows of other accounts ingested in ${(otherFlowIngest.ms / 1000).toFixed(1)} s`);
  const warmOtherFlows = await warmRuns(db, out);
  log(`warm (CloudTrail + flows of other accounts): ${warmOtherFlows.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s`);
  await removeStore(db);

  log("cold with flows: trailbook investigate <CloudTrail folder> <the trail's flow folder> into a fresh store...");
  const coldWithFlows = await investigateCli(db, out, [corpus.root, trailFlows.root]);
  log(
    `cold with flows: report at ${(coldWithFlows.reportMs / 1000).toFixed(2)} s, done at ${(coldWithFlows.ms / 1000).toFixed(2)} s, ${coldWithFlows.facts.findings} findings`,
  );
  const warmTrailFlows = await warmRuns(db, out);
  if (warmTrailFlows[0]!.facts.findings !== coldWithFlows.facts.findings) throw new Error('the warm run with flows found other findings than the cold one');
  log(`warm (CloudTrail + the trail's flows): ${warmTrailFlows.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s`);

  const lib = await runNode([join(HERE, 'investigate-run-one.js'), db, String(WARM_RUNS)]);
  const library = { ...(JSON.parse(lib.stdout.trim().split('\n').pop() ?? '{}') as SizeResult['library']), load: lib.load };
  log(`library investigate(): ${library.ms.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);

  await rm(out, { force: true });
  await removeStore(db);
  return { events, corpus, otherFlows, trailFlows, baseline, candidates, cold, warm, otherFlowIngest, warmOtherFlows, coldWithFlows, warmTrailFlows, library };
}

const int = (n: number) => n.toLocaleString('en-US');
const secs = (ms: number) => (ms / 1000).toFixed(2);
const load = (n: number) => n.toFixed(2);
const mb = (bytes: number | null) => (bytes === null ? '' : (bytes / 1e6).toFixed(0));
/** The worst peak RSS of the runs. */
const peak = (runs: readonly { peakRssBytes: number | null }[]) => Math.max(...runs.map((r) => r.peakRssBytes ?? 0)) || null;

function actionsText(facts: ReportFacts): string {
  return Object.entries(facts.actions)
    .sort()
    .map(([a, n]) => `${n} ${a}`)
    .join(', ');
}

const UNDER_1GB = 1e9;

function memoryTarget(bytes: number | null): string {
  return bytes === null ? '' : `; RSS < 1 GB: ${bytes < UNDER_1GB ? 'met' : 'not met'}`;
}

function table(results: SizeResult[]): string {
  const lines = [
    '| Events | Flow records | Run | Time (s) | ÷ DuckDB direct | Peak RSS (MB) | Target | Load (1 min) | Result |',
    '|---:|---:|---|---:|---:|---:|---|---:|---|',
  ];
  for (const r of results) {
    const base = r.baseline.ms;
    const warmRow = (flows: number, label: string, runs: CliRun[]) => {
      const m = median(runs, (x) => x.ms);
      const rss = peak(runs);
      return `| ${int(r.events)} | ${int(flows)} | ${label}, median of ${runs.length} | ${secs(m.ms)} | ${(m.ms / base).toFixed(2)}× | ${mb(rss)} | < 1 s: ${m.ms < 1000 ? 'met' : 'not met'}${memoryTarget(rss)} | ${load(m.load)} | ${m.facts.findings} findings (${actionsText(m.facts)}); runs ${runs.map((x) => secs(x.ms)).join(', ')} s; CPU (user + system, every thread) ${runs.map((x) => (x.cpuMs === null ? '?' : secs(x.cpuMs))).join(', ')} s |`;
    };
    const coldRatio = r.cold.reportMs / base;
    const coldFlowsRatio = r.coldWithFlows.reportMs / base;
    const flowRecords = r.warmTrailFlows[0]?.facts.flowRecords ?? 0;
    const coldRow = (flows: number, label: string, run: CliRun, ratio: number) =>
      `| ${int(r.events)} | ${int(flows)} | ${label} | ${secs(run.reportMs)} | ${ratio.toFixed(2)}× | ${mb(run.peakRssBytes)} | ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'not met'}; ≤ 1.0×: ${ratio <= 1 ? 'met' : 'not met'}${memoryTarget(run.peakRssBytes)} | ${load(run.load)} | ${run.facts.findings} findings (${actionsText(run.facts)}), answered from ${run.facts.answeredFrom ?? 'the store'}; every log stored at ${secs(run.ms)} s (${(run.ms / base).toFixed(1)}×) |`;
    const libMedian = median(r.library.ms, (x) => x);
    lines.push(
      `| ${int(r.events)} | 0 | DuckDB \`read_json\` + classic query (contender B), fresh in-memory instance | ${secs(base)} | 1.0 | ${mb(r.baseline.peakRssBytes)} |  | ${load(r.baseline.load)} | ${r.baseline.rows} rows (wrong in both directions, see above) |`,
      `| ${int(r.events)} | 0 | DuckDB \`read_json\` of the exposure candidates only (the columns their judgement reads, no store, no judging): the least any cold answer reads | ${secs(r.candidates.ms)} | ${(r.candidates.ms / base).toFixed(2)}× | ${mb(r.candidates.peakRssBytes)} |  | ${load(r.candidates.load)} | ${r.candidates.rows} candidate events |`,
      coldRow(0, '**cold**: `trailbook investigate <CloudTrail folder>`, fresh store: the report (answered first), then the logs stored', r.cold, coldRatio),
      warmRow(0, '**warm**: `trailbook investigate` on that store', r.warm),
      warmRow(
        r.warmOtherFlows[0]?.facts.flowRecords ?? 0,
        `**warm** with N flow records of other accounts and days ingested (+${secs(r.otherFlowIngest.ms)} s \`trailbook ingest\`, ${mb(r.otherFlowIngest.peakRssBytes)} MB)`,
        r.warmOtherFlows,
      ),
      coldRow(
        flowRecords,
        "**cold with flows**: `trailbook investigate <CloudTrail folder> <flow folder>`, the trail's accounts and days, fresh store",
        r.coldWithFlows,
        coldFlowsRatio,
      ),
      warmRow(flowRecords, "**warm** on that store (the trail's flows: the issue's N events + N flow records)", r.warmTrailFlows),
      `| ${int(r.events)} | ${int(flowRecords)} | \`investigate()\` library call on the same store, ${r.library.ms.length} runs in one process (no Node start-up, no rendering) | ${secs(libMedian)} | ${(libMedian / base).toFixed(2)}× |  |  | ${load(r.library.load)} | median; runs ${r.library.ms.map(secs).join(', ')} s (the first is also the JIT's first) |`,
    );
  }
  return lines.join('\n');
}

function flowLine(f: FlowCorpus, what: string): string {
  return `flows (${what}) ${int(f.rows)} rows in ${f.result.files} files, ${(f.result.bytesUncompressed / 1e6).toFixed(1)} MB text, ${f.result.port8443Records} planted 8443 records (${f.reused ? 'cached' : `generated in ${(f.generateMs / 1000).toFixed(0)} s`})`;
}

function corpora(results: SizeResult[]): string {
  return results
    .map(
      (r) =>
        `- ${int(r.events)} events: CloudTrail ${r.corpus.result.files} files, ${(r.corpus.result.bytesUncompressed / 1e6).toFixed(1)} MB JSON (${r.corpus.reused ? 'cached' : `generated in ${((r.corpus.generateMs ?? 0) / 1000).toFixed(0)} s`}); ` +
        `${flowLine(r.otherFlows, 'other accounts and days')}; ${flowLine(r.trailFlows, "the trail's accounts, regions and days")}`,
    )
    .join('\n');
}

export async function benchmarkInvestigate(options: { quick: boolean; sizes?: number[]; dataDir?: string }): Promise<{ title: string; markdown: string }> {
  const sizesText = options.quick ? '20000' : (process.env['TRAILBOOK_BENCH_INVESTIGATE_SIZES'] ?? DEFAULT_SIZES);
  const sizes = options.sizes ?? sizesText.split(',').map((s) => Number(s.replaceAll('_', '').trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`investigate sizes: positive integers expected, got ${sizes.join(',')}`);
  const dataDir = options.dataDir ?? resolve(process.env['TRAILBOOK_BENCH_DATA'] ?? 'bench-data');
  await mkdir(dataDir, { recursive: true });
  const results: SizeResult[] = [];
  for (const events of sizes) results.push(await benchmarkSize(dataDir, events));
  const markdown = [
    "The port runbook (port 8443, bundled `runbooks/port-exposure`, no intel feeds) over the synthetic CloudTrail corpus of the ingest benchmark, then with N VPC flow records of `flows-generate.ts` in two layouts: other accounts and days than the trail's (their 8443 connections are traffic findings), and the trail's own accounts, regions and days with the port's few connections on two interfaces per flow log and every other record on other ports (`trailFlowLayout`). " +
      "CLI times are wall-clock from spawn to exit, Node start-up and the JSON report included; a cold run's time is when its report was written (answered first, docs/report.md: before the logs are stored), and the Result column says when the process exited with every log stored. DuckDB direct is timed inside its process. \"÷ DuckDB direct\" is the time over the baseline's (target for cold: ≤ 1.5×, moonshot ≤ 1.0×, issue 18). Peak RSS is each process's own, over the whole run (the worst of the warm runs).",
    '',
    table(results),
    '',
    'Corpora:',
    '',
    corpora(results),
    ...(options.quick || sizes.some((n) => n >= 5_000_000) ? [] : ['', LARGEST_NOTE]),
  ].join('\n');
  return { title: 'investigate: cold and warm (port 8443 runbook)', markdown };
}

/**
 * `npm run bench`: CloudTrail ingest benchmark (trailbook vs DuckDB read_json vs gzip -dc on the
 * same generated corpus), plus any extra benchmarks registered below; results go to stdout and to
 * their own marked sections of docs/benchmarks.md.
 *
 *   --sizes 100000,1000000   corpus sizes in events (default)
 *   --quick                  20000 events only
 *   --out docs/benchmarks.md where the tables go
 *   --data bench-data        where corpora are generated and cached (git-ignored)
 *   --repeat N               runs per contender and size; the median time is reported
 *   --only cloudtrail,intel  run only these sections
 */
import { runJsonChild } from './child.js';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { INGEST_CONTENDERS, type Contender, type RunResult } from './contenders.js';
import { corpusParams, ensureCorpus } from './corpus.js';
import { describeMachine, machineLine } from './machine.js';
import { updateSectionInFile } from './markdown-section.js';
import { corpusLines, resultsTable, targetLines, type SizeResult } from './report.js';

/** Other benchmarks, loaded only if their module was built: each owns one section of the doc. */
interface ExtraBenchmark {
  section: string;
  module: string;
  exportName: string;
}

/** `sizes` when `--sizes` was given; `dataDir`: `--data`, resolved. */
type ExtraFn = (options: { quick: boolean; sizes?: number[]; dataDir: string }) => Promise<{ title: string; markdown: string }>;

const EXTRA_BENCHMARKS: readonly ExtraBenchmark[] = [
  { section: 'intel', module: './intel.js', exportName: 'benchmarkIntel' },
  { section: 'exposures', module: './exposures.js', exportName: 'benchmarkExposures' },
  { section: 'vpcflow-ingest', module: './flows.js', exportName: 'benchmarkFlows' },
  { section: 'investigate', module: './investigate.js', exportName: 'benchmarkInvestigate' },
];

const HERE = dirname(fileURLToPath(import.meta.url));

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function runChild(contender: Contender, root: string, db: string): Promise<RunResult> {
  return runJsonChild<RunResult>(join(HERE, 'run-one.js'), [contender, root, db]);
}

function median(runs: RunResult[]): RunResult {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)] as RunResult;
  // Peak RSS: the worst seen over the repeats, not the median run's.
  const peaks = runs.map((r) => r.peakRssBytes).filter((n): n is number => n !== null);
  return { ...mid, peakRssBytes: peaks.length ? Math.max(...peaks) : null };
}

async function benchmarkCloudTrail(sizes: number[], dataDir: string, repeat: number, onSize: (done: SizeResult[]) => Promise<void>): Promise<SizeResult[]> {
  const done: SizeResult[] = [];
  for (const events of sizes) {
    log(`corpus of ${events} events...`);
    const corpus = await ensureCorpus(dataDir, corpusParams(events));
    log(
      `${corpus.reused ? 'reused' : 'generated'} ${corpus.result.files} files, ${(corpus.result.bytesUncompressed / 1e6).toFixed(1)} MB JSON at ${corpus.root}`,
    );
    const runs: RunResult[] = [];
    for (const contender of INGEST_CONTENDERS) {
      const attempts: RunResult[] = [];
      for (let i = 0; i < repeat; i++) {
        const db = join(dataDir, `trailbook-bench-${events}.duckdb`);
        const result = await runChild(contender, corpus.root, db);
        await rm(db, { force: true });
        await rm(`${db}.wal`, { force: true });
        log(
          `${contender}: ${(result.ms / 1000).toFixed(2)} s, peak RSS ${result.peakRssBytes === null ? 'n/a' : `${(result.peakRssBytes / 1e6).toFixed(0)} MB`}${result.rows === null ? '' : `, ${result.rows} rows`}`,
        );
        attempts.push(result);
      }
      runs.push(median(attempts));
    }
    done.push({ corpus, runs });
    await onSize(done);
  }
  return done;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'docs/benchmarks.md' },
      data: { type: 'string', default: 'bench-data' },
      repeat: { type: 'string', default: '1' },
      only: { type: 'string' },
    },
  });
  const sizesText = values.sizes ?? '100000,1000000';
  const sizes = values.quick ? [20_000] : sizesText.split(',').map((s) => Number(s.replaceAll('_', '').trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--sizes: positive integers expected, got ${sizesText}`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat: a positive integer expected');
  const only = values.only?.split(',').map((s) => s.trim());
  const out = resolve(values.out);
  const dataDir = resolve(values.data);
  await mkdir(dataDir, { recursive: true });
  await mkdir(dirname(out), { recursive: true });
  const machine = machineLine(await describeMachine());
  let failed = false;

  if (!only || only.includes('cloudtrail')) {
    // The doc is rewritten after each size, so a long run that dies at 1M still records 100k.
    await benchmarkCloudTrail(sizes, dataDir, repeat, async (done) => {
      const body = [
        '### CloudTrail ingest',
        '',
        `Measured on ${machine}.${repeat > 1 ? ` Median of ${repeat} runs.` : ' One run per contender.'}`,
        '',
        resultsTable(done),
        '',
        'Corpora:',
        '',
        corpusLines(done),
        '',
        'Targets:',
        '',
        targetLines(done),
      ].join('\n');
      await updateSectionInFile(out, 'cloudtrail-ingest', body);
      process.stdout.write(`\n${body}\n\n`);
    });
  }

  for (const extra of EXTRA_BENCHMARKS) {
    if (only && !only.includes(extra.section)) continue;
    const url = new URL(extra.module, import.meta.url);
    if (!existsSync(fileURLToPath(url))) {
      log(`${extra.section}: ${extra.module} not built, skipped`);
      continue;
    }
    try {
      const mod = (await import(url.href)) as Record<string, unknown>;
      const fn = mod[extra.exportName];
      if (typeof fn !== 'function') throw new Error(`${extra.module} does not export ${extra.exportName}()`);
      const { title, markdown } = await (fn as ExtraFn)({ quick: values.quick, ...(values.sizes && !values.quick ? { sizes } : {}), dataDir });
      const body = `### ${title}\n\nMeasured on ${machine}.\n\n${markdown.trim()}`;
      await updateSectionInFile(out, extra.section, body);
      process.stdout.write(`\n${body}\n\n`);
    } catch (error) {
      failed = true;
      log(`${extra.section} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }
  log(`results written to ${out}`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});

/**
 * Benchmark of `findExposures` (SQL narrows by event name, TypeScript judges the few candidate
 * rows) against the two other ways to ask "who opened port 8443" of the same store:
 *
 * - **full scan**: every row of `SELECT * FROM cloudtrail_logs` streamed through the same
 *   TypeScript judge (`normalizeEvent`); the rows that yield changes then go through the same
 *   window and port logic. What a tool that judges everything in TypeScript would do.
 * - **classic query**: the `LIKE '%8443%'` query (`SELECT * FROM cloudtrail_logs WHERE requestParameters LIKE '%8443%'`, README.md), verbatim: fast and wrong.
 *
 * The store is the synthetic corpus of `generate/cloudtrail.ts`, ingested once with
 * `ingestPaths` into a database file under `bench-data/` and reused while the corpus is
 * unchanged (ingest takes ~90 s at 1M events). The narrowed and full-scan answers must be
 * identical (asserted), and both must find exactly the planted 8443 changes (asserted against
 * the generator's planted counts); the classic query must return the rows the generator predicts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBEngine } from '../local-store.js';
import type { Dialect, Engine, Params, QueryResult, Row } from '../engines/engine.js';
import { ingestPaths } from '../ingest/ingest.js';
import { changeRow, findExposures, normalizeEvent, windowRow, type ExposureChange, type ExposureResult } from '../ports/index.js';
import type { CloudTrailRow } from '../tables/cloudtrail.js';
import { CLASSIC_QUERY } from './classic.js';
import { corpusName, corpusParams, ensureCorpus, type Corpus } from './corpus.js';
import { GENERATOR_VERSION, PLANTED, classicExpectation, plantedCounts, type PlantedKind } from './generate/cloudtrail.js';

const PORT = 8443;

function log(message: string): void {
  process.stderr.write(`[bench:exposures] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// The cached store

interface StoreManifest {
  generatorVersion: number;
  corpus: string;
  events: number;
  inserted: number;
  ingestMs: number;
}

interface Store {
  db: string;
  corpus: Corpus;
  reused: boolean;
  ingestMs: number;
}

async function tableRows(db: string): Promise<number | null> {
  try {
    const engine = await DuckDBEngine.open({ path: db, readOnly: true });
    try {
      const { rows } = await engine.all('SELECT count(*) AS n FROM cloudtrail_logs');
      return Number(rows[0]?.['n'] ?? -1);
    } finally {
      await engine.close();
    }
  } catch {
    return null;
  }
}

/**
 * The store for a corpus of `events` events: reused when its manifest (written last, after the
 * ingest committed) matches the corpus and the table still opens with the right row count;
 * otherwise rebuilt from scratch with `ingestPaths`.
 */
export async function ensureExposureStore(dataDir: string, events: number): Promise<Store> {
  const corpus = await ensureCorpus(dataDir, corpusParams(events));
  const name = corpusName(corpus.params);
  const db = join(dataDir, `exposures-${name}.duckdb`);
  const manifestPath = `${db}.manifest.json`;
  if (corpus.reused && existsSync(manifestPath) && existsSync(db)) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as StoreManifest;
    if (manifest.generatorVersion === GENERATOR_VERSION && manifest.corpus === name && manifest.events === events && (await tableRows(db)) === events) {
      return { db, corpus, reused: true, ingestMs: manifest.ingestMs };
    }
  }
  await rm(manifestPath, { force: true });
  await rm(db, { force: true });
  await rm(`${db}.wal`, { force: true });
  log(`ingesting ${events.toLocaleString('en-US')} events into ${db} (once; reused afterwards)...`);
  const engine = await DuckDBEngine.open({ path: db });
  let inserted: number;
  let ingestMs: number;
  try {
    const summary = await ingestPaths(engine, [corpus.root]);
    inserted = summary.events.inserted;
    ingestMs = summary.durationMs;
  } finally {
    await engine.close();
  }
  if (inserted !== events) throw new Error(`ingest inserted ${inserted} events, expected ${events}`);
  const manifest: StoreManifest = { generatorVersion: GENERATOR_VERSION, corpus: name, events, inserted, ingestMs };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`ingested in ${(ingestMs / 1000).toFixed(1)} s`);
  return { db, corpus, reused: false, ingestMs };
}

// ---------------------------------------------------------------------------------------------
// The contenders

/** JSON columns as text, as `findExposures` hands them to the normalizers. */
function asCloudTrailRow(row: Row): CloudTrailRow {
  const json = (value: unknown) => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));
  return { ...(row as unknown as CloudTrailRow), requestparameters: json(row['requestparameters']), responseelements: json(row['responseelements']) };
}

/**
 * An engine that answers `findExposures`' candidate query with rows already chosen elsewhere
 * (here: by judging every row in TypeScript). Any other query is a mistake in this benchmark.
 */
function preselected(rows: Row[]): Engine {
  const dialect: Dialect = { family: 'duckdb', parameterStyle: 'dollar-named', nativeAthenaFunctions: false, localStore: false, historyDays: null };
  return {
    name: 'preselected',
    dialect,
    async *query(): AsyncIterable<Row> {
      yield* rows;
    },
    async all(sql: string, _params?: Params): Promise<QueryResult> {
      if (!/FROM cloudtrail_logs\s+WHERE eventname IN/i.test(sql)) throw new Error(`unexpected query: ${sql}`);
      return { columns: Object.keys(rows[0] ?? {}), rows };
    },
    async close(): Promise<void> {},
  };
}

export interface FullScanResult extends ExposureResult {
  /** Rows read and judged in TypeScript (the whole table). */
  scanned: number;
}

/** Every row of the table judged in TypeScript; the rows that yield changes go through the same window and port logic. */
export async function fullScanExposures(engine: Engine, port: number): Promise<FullScanResult> {
  let scanned = 0;
  const kept: Row[] = [];
  for await (const row of engine.query('SELECT * FROM cloudtrail_logs')) {
    scanned++;
    if (normalizeEvent(asCloudTrailRow(row)).length > 0) kept.push(row);
  }
  const key = (r: Row) => `${String(r['eventtime'] ?? '')}\u0000${String(r['eventid'] ?? '')}`;
  kept.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const result = await findExposures(preselected(kept), { port });
  return { ...result, scanned };
}

// ---------------------------------------------------------------------------------------------
// Checks against the planted ground truth

/** Which planted kind a change is (the generator plants each as one security-group rule). */
function plantedKindOf(change: ExposureChange): PlantedKind | 'other' {
  const range = `${change.fromPort ?? '*'}-${change.toPort ?? '*'}`;
  switch (change.eventName) {
    case 'AuthorizeSecurityGroupIngress':
      if (change.fromPort === null && change.toPort === null) return 'ingress-all-traffic';
      if (range === '8443-8443') return 'ingress-8443';
      if (range === '8000-9000') return 'ingress-range-8000-9000';
      if (range === '18443-18443') return 'decoy-port-18443';
      return 'other';
    case 'AuthorizeSecurityGroupEgress':
      return range === '8443-8443' ? 'egress-8443' : 'other';
    case 'RevokeSecurityGroupIngress':
      return range === '8443-8443' ? 'revoke-ingress-8443' : 'other';
    case 'ModifySecurityGroupRules':
      return range === '8443-8443' ? 'modify-rules-8443' : 'other';
    default:
      return 'other';
  }
}

interface Truth {
  expected: number;
  found: number;
  missed: number;
  falsePositives: number;
}

/** Compares the changes found with the planted counts, kind by kind; throws on any difference. */
function checkAgainstPlanted(changes: readonly ExposureChange[], events: number): Truth {
  const counts = plantedCounts(events);
  const found = new Map<string, number>();
  for (const change of changes) {
    const kind = plantedKindOf(change);
    found.set(kind, (found.get(kind) ?? 0) + 1);
  }
  let expected = 0;
  let missed = 0;
  let falsePositives = found.get('other') ?? 0;
  for (const p of PLANTED) {
    const got = found.get(p.kind) ?? 0;
    if (p.relevant) {
      expected += counts[p.kind];
      missed += Math.max(0, counts[p.kind] - got);
      falsePositives += Math.max(0, got - counts[p.kind]);
    } else {
      falsePositives += got;
    }
  }
  assert.equal(falsePositives, 0, `changes that are not planted 8443 exposures: ${JSON.stringify(Object.fromEntries(found))}`);
  assert.equal(missed, 0, `planted 8443 exposures missed: ${JSON.stringify(Object.fromEntries(found))} vs ${JSON.stringify(counts)}`);
  return { expected, found: changes.length, missed, falsePositives };
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Timed<T> {
  /** Median over the runs, ms. */
  ms: number;
  runs: number;
  value: T;
}

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<Timed<T>> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    value = await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor((times.length - 1) / 2)] as number, runs, value };
}

interface SizeResult {
  events: number;
  store: Store;
  narrowed: Timed<ExposureResult>;
  fullScan: Timed<FullScanResult>;
  classic: Timed<number>;
  truth: Truth;
  windows: number;
  classicExpected: ReturnType<typeof classicExpectation>;
}

async function measure(dataDir: string, events: number, quick: boolean): Promise<SizeResult> {
  const store = await ensureExposureStore(dataDir, events);
  log(`${events.toLocaleString('en-US')} events: store ${store.reused ? 'reused' : 'built'} at ${store.db}`);
  const engine = await DuckDBEngine.open({ path: store.db, readOnly: true });
  try {
    // Warm the database file's pages so the first contender does not pay for the cold read alone.
    await engine.all('SELECT count(*), max(length(requestparameters)), max(eventname) FROM cloudtrail_logs');
    const fast = quick ? 5 : 5;
    const narrowed = await timed(fast, () => findExposures(engine, { port: PORT }));
    log(`narrowed: ${(narrowed.ms / 1000).toFixed(3)} s, ${narrowed.value.candidates} candidates, ${narrowed.value.changes.length} changes`);
    const classic = await timed(fast, async () => (await engine.all(CLASSIC_QUERY)).rows.length);
    log(`classic: ${(classic.ms / 1000).toFixed(3)} s, ${classic.value} rows`);
    const fullScan = await timed(quick ? 3 : 1, () => fullScanExposures(engine, PORT));
    log(`full scan: ${(fullScan.ms / 1000).toFixed(3)} s, ${fullScan.value.scanned} rows judged, ${fullScan.value.changes.length} changes`);

    // Agreement: the narrowed answer is the full scan's answer, change for change, window for window.
    assert.deepEqual(narrowed.value.changes.map(changeRow), fullScan.value.changes.map(changeRow), 'narrowed and full-scan changes differ');
    assert.deepEqual(narrowed.value.windows.map(windowRow), fullScan.value.windows.map(windowRow), 'narrowed and full-scan windows differ');
    assert.equal(fullScan.value.scanned, events, 'the full scan did not read every event');
    const truth = checkAgainstPlanted(narrowed.value.changes, events);
    const classicExpected = classicExpectation(events);
    assert.equal(classic.value, classicExpected.matches, 'the classic query returned other rows than the generator predicts');
    return { events, store, narrowed, fullScan, classic, truth, windows: narrowed.value.windows.length, classicExpected };
  } finally {
    await engine.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const int = (n: number) => n.toLocaleString('en-US');
const secs = (ms: number) => (ms / 1000).toFixed(ms < 1000 ? 3 : 2);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : '');

function table(results: readonly SizeResult[]): string {
  const lines = [
    '| Events | Method | Time (s) | Rows read by SQL | Rows judged in TypeScript | Rows / changes returned | Correct 8443 changes (planted) | False positives | Missed | Full scan ÷ this |',
    '|---:|---|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const r of results) {
    const full = r.fullScan.ms;
    const t = r.truth;
    lines.push(
      `| ${int(r.events)} | \`findExposures\` (SQL narrows by event name, TypeScript judges) | ${secs(r.narrowed.ms)} | ${int(r.events)} | ${int(r.narrowed.value.candidates)} | ${int(t.found)} changes, ${int(r.windows)} windows | ${int(t.found - t.falsePositives)} (${int(t.expected)}) | ${t.falsePositives} | ${t.missed} | ${ratio(full, r.narrowed.ms)} |`,
      `| ${int(r.events)} | full scan (\`SELECT *\`, every event through \`normalizeEvent\`) | ${secs(full)} | ${int(r.events)} | ${int(r.fullScan.value.scanned)} | ${int(r.fullScan.value.changes.length)} changes, ${int(r.fullScan.value.windows.length)} windows | ${int(r.fullScan.value.changes.length)} (${int(t.expected)}) | 0 | 0 | 1.0× |`,
      `| ${int(r.events)} | classic \`LIKE '%8443%'\` query | ${secs(r.classic.ms)} | ${int(r.events)} | 0 | ${int(r.classic.value)} rows | ${int(r.classicExpected.truePositives)} (${int(t.expected)}) | ${int(r.classicExpected.falsePositives)} | ${int(r.classicExpected.falseNegatives)} | ${ratio(full, r.classic.ms)} |`,
    );
  }
  return lines.join('\n');
}

function notes(results: readonly SizeResult[]): string {
  return results
    .map((r) => {
      const c = r.store.corpus;
      return `- ${int(r.events)} events: ${c.result.files} files (${(c.result.bytesUncompressed / 1e6).toFixed(1)} MB JSON), ingested once with \`ingestPaths\` in ${(r.store.ingestMs / 1000).toFixed(1)} s into \`bench-data/exposures-${corpusName(c.params)}.duckdb\`${r.store.reused ? ' (cached store reused)' : ''}; median of ${r.narrowed.runs} runs (narrowed, classic) and ${r.fullScan.runs} (full scan); narrowed and full-scan answers identical (${int(r.truth.found)} changes, ${int(r.windows)} windows).`;
    })
    .join('\n');
}

export async function benchmarkExposures(options: { quick: boolean }): Promise<{ title: string; markdown: string }> {
  const dataDir = resolve('bench-data');
  const sizes = options.quick ? [20_000] : [100_000, 1_000_000];
  const results: SizeResult[] = [];
  for (const events of sizes) results.push(await measure(dataDir, events, options.quick));
  const largest = results[results.length - 1] as SizeResult;
  const markdown = [
    `Who changed a path to port ${PORT}, asked three ways of the same ingested store (the synthetic`,
    'corpus above: 1 event in 2,000 is a planted 8443 change or decoy). "Rows read by SQL" is what the',
    'engine reads (no index: every row); "rows judged in TypeScript" is what reaches the port semantics.',
    'Correctness is checked, not assumed: the narrowed and full-scan answers are compared change for',
    "change and window for window, and both against the planted counts; the classic query's rows",
    "against the generator's prediction. The classic query's split into correct, false positive and",
    "missed is the generator's ground truth (its rows carry no rule to judge).",
    '',
    table(results),
    '',
    notes(results),
    '',
    `At ${int(largest.events)} events the narrowed query is ${ratio(largest.fullScan.ms, largest.narrowed.ms)} faster than judging every event in TypeScript, with the same answer; the classic query is ${largest.classic.ms <= largest.narrowed.ms ? `${ratio(largest.narrowed.ms, largest.classic.ms)} faster` : `${ratio(largest.classic.ms, largest.narrowed.ms)} slower`} than the narrowed one and returns ${int(largest.classicExpected.falsePositives)} false positives and misses ${int(largest.classicExpected.falseNegatives)} of ${int(largest.truth.expected)} real changes.`,
  ].join('\n');
  return { title: `Exposures: narrowed SQL + TypeScript vs full scan vs classic query (port ${PORT})`, markdown };
}

import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS, GENERATOR_VERSION, generateCloudTrailCorpus, type CloudTrailCorpusResult } from './generate/cloudtrail.js';

/**
 * Benchmark corpora are cached under the data directory, one folder per parameter set, with a
 * manifest beside it (not inside: the contenders read the whole folder). The manifest is written
 * last, so an interrupted generation is never mistaken for a complete one.
 */
export interface CorpusParams {
  events: number;
  accounts: number;
  regions: number;
  days: number;
  seed: number;
}

export interface Corpus {
  root: string;
  params: CorpusParams;
  result: CloudTrailCorpusResult;
  reused: boolean;
  generateMs: number | null;
}

interface Manifest {
  generatorVersion: number;
  params: CorpusParams;
  result: CloudTrailCorpusResult;
  generateMs: number;
}

export function corpusParams(events: number): CorpusParams {
  return { events, accounts: DEFAULTS.accounts, regions: DEFAULTS.regions, days: DEFAULTS.days, seed: DEFAULTS.seed };
}

export function corpusName(p: CorpusParams): string {
  return `cloudtrail-e${p.events}-a${p.accounts}-r${p.regions}-d${p.days}-s${p.seed}`;
}

export async function ensureCorpus(dataDir: string, params: CorpusParams): Promise<Corpus> {
  const name = corpusName(params);
  const root = join(dataDir, name);
  const manifestPath = join(dataDir, `${name}.manifest.json`);
  if (existsSync(manifestPath) && existsSync(root)) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    if (manifest.generatorVersion === GENERATOR_VERSION && JSON.stringify(manifest.params) === JSON.stringify(params)) {
      return { root, params, result: manifest.result, reused: true, generateMs: manifest.generateMs };
    }
  }
  await rm(manifestPath, { force: true });
  await rm(root, { recursive: true, force: true });
  const started = performance.now();
  const result = await generateCloudTrailCorpus({ root, ...params });
  const generateMs = performance.now() - started;
  const manifest: Manifest = { generatorVersion: GENERATOR_VERSION, params, result, generateMs };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { root, params, result, reused: false, generateMs };
}

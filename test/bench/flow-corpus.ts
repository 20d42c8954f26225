import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowFiles } from '../../src/bench/flows-contenders.js';
import { generateFlowCorpus } from '../../src/bench/flows-generate.js';

export async function generate(records: number) {
  const root = await mkdtemp(join(tmpdir(), 'trailbook-flowgen-'));
  const result = await generateFlowCorpus({ root, records, days: 1 });
  const files = await flowFiles(root);
  return { root, result, files };
}

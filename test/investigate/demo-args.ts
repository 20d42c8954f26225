import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';

/** A file of the bundled sample. */
export const sample = (p: string) => join(REPO_ROOT, 'sample', p);

/** `npm run demo`'s investigate on the sample, into the store `db`, in `format`. */
export const demoArgs = (db: string, format: string) => [
  'investigate',
  sample('cloudtrail'),
  sample('vpcflow'),
  '--intel',
  sample('intel/threat-feed.txt'),
  '--trusted',
  sample('trusted-networks.yaml'),
  '--db',
  db,
  '--format',
  format,
  '--to',
  '2024-05-15T00:00:00Z',
];

/** The demo's intel, trusted networks and window, as `run`, `watch` and `respond` take them. */
export const demoSettings = (): string[] => [
  '--intel',
  sample('intel/threat-feed.txt'),
  '--trusted',
  sample('trusted-networks.yaml'),
  '--param',
  'to=2024-05-15T00:00:00Z',
];

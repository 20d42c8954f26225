// Rewrites the peer-conformance table of docs/port-semantics.md from the peers' test cases in
// ../shared/corpus (test/ports/peer-conformance.ts asks each case in trailbook's terms).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_ROOT, REPO_ROOT } from '../test/helpers/corpus.js';
import { conformanceRows, conformanceTable, TABLE_END, TABLE_START } from '../test/ports/peer-conformance.js';

const path = join(REPO_ROOT, 'docs', 'port-semantics.md');
const doc = readFileSync(path, 'utf8');
const { rows, missing } = conformanceRows(CORPUS_ROOT);
if (missing.length) throw new Error(`peer test files missing under ${CORPUS_ROOT}: ${missing.join(', ')}`);
const start = doc.indexOf(TABLE_START);
const end = doc.indexOf(TABLE_END);
if (start < 0 || end < start) throw new Error(`${path}: the peer-conformance markers are missing`);
writeFileSync(path, `${doc.slice(0, start + TABLE_START.length)}\n${conformanceTable(rows)}\n${doc.slice(end)}`);
console.log(`wrote ${rows.length} peer cases to docs/port-semantics.md`);

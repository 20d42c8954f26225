import assert from 'node:assert/strict';
import type { ingestAll } from './fast-fixtures.js';

export function compare(files: string[], fast: Awaited<ReturnType<typeof ingestAll>>, slow: Awaited<ReturnType<typeof ingestAll>>): void {
  for (let i = 0; i < files.length; i++) {
    const f = fast.results[i]!;
    const s = slow.results[i]!;
    assert.deepEqual(f.stats, s.stats, `stats of ${files[i]}`);
    assert.deepEqual([f.appended, f.duplicates, f.format], [s.appended, s.duplicates, s.format], `counts of ${files[i]}`);
    const st = f.stats;
    assert.equal(st.records + st.nodata + st.skipdata + st.headers + st.bad, st.lines, `accounting of ${files[i]}`);
  }
  assert.equal(fast.rows.length, slow.rows.length);
  assert.deepEqual(fast.rows, slow.rows, 'the stored rows are identical, byte for byte');
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { FindingDetail } from '../../src/web/components/finding.js';
import { sampleReport } from '../report/fixtures.js';

/** The workspace's finding view rendered to a string (no browser): what it draws of many rows. */
test('a finding with thousands of rows draws the first 200 and a button for the rest', () => {
  const finding = sampleReport().findings.find((f) => f.evidence.length > 1)!;
  const row = finding.evidence[0]!;
  finding.evidence = Array.from({ length: 2500 }, (_, i) => ({ ...row, source_ref: `${row.source_ref}-${i}` }));
  const page = renderToString(h(FindingDetail, { finding, flows: true, openRef: null, onRow: () => {} }));
  assert.equal(page.match(/data-testid="evidence-row"/g)?.length, 200);
  assert.match(page, /data-testid="evidence-more"[^>]*>Show the other 2300 rows</);
  const few = renderToString(h(FindingDetail, { finding: sampleReport().findings[0]!, flows: true, openRef: null, onRow: () => {} }));
  assert.doesNotMatch(few, /evidence-more/);
});

// Slow suite (`npm run test:slow`): the byte-flip property over every file of a bundle (~10 s); the rest of the bundle tests are in bundle.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { verifyEvidence } from '../../src/evidence/verify.js';
import { commit } from './bundle-fixture.js';

/**
 * Evidence bundles on the bundled sample, in a real git repository: the copied records are the
 * bytes AWS delivered, verify passes on an untouched bundle, and every kind of tampering is
 * named (a flipped byte anywhere, a file removed or added, the manifest edited, history rewritten).
 */

test('property: flipping any one byte of any file of a bundle is detected and names that file', async () => {
  const { repo, caseDir } = await commit();
  const files = (readdirSync(caseDir, { recursive: true }) as string[]).filter((f) => statSync(join(caseDir, f)).isFile()).sort();
  await fc.assert(
    fc.property(fc.nat({ max: files.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (fileIndex, offset, mask) => {
      const name = files[fileIndex]!;
      const path = join(caseDir, name);
      const original = readFileSync(path);
      if (original.length === 0) return;
      const flipped = Buffer.from(original);
      flipped[offset % flipped.length]! ^= mask;
      writeFileSync(path, flipped);
      try {
        const problems = verifyEvidence(repo).problems;
        const named = name.split('\\').join('/');
        assert.ok(
          problems.some((p) => p.path === named || (named === 'manifest.json' && p.kind === 'manifest-invalid') || p.path === `${named}`),
          `${named}: ${JSON.stringify(problems)}`,
        );
      } finally {
        writeFileSync(path, original);
      }
    }),
    { numRuns: 25, seed: 8443 },
  );
  assert.deepEqual(verifyEvidence(repo).problems, [], 'restored: verifies again');
});

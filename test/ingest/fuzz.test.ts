import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { CloudTrailDecoder, decodeCloudTrailFile, type DecodeEnd } from '../../src/ingest/cloudtrail/decode.js';
import { FlowLogParser } from '../../src/ingest/vpcflow/parser.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { CORPUS_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';

/**
 * Issue 12: random bytes, truncations and mutations of the real corpus never make the CloudTrail
 * decoder or the flow-log parser throw, and every record they see is accounted for (read or
 * skipped with a reason). Runs are bounded (seeded) so the test stays fast and repeatable.
 */

function corpusFiles(t: TestContext, kind: 'cloudtrail' | 'vpcflow'): Buffer[] {
  const root = join(CORPUS_ROOT, kind);
  if (!existsSync(root)) {
    t.skip(`shared corpus not found at ${root}: clone with ../shared beside the checkout`);
    return [];
  }
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return files.map((f) => readFileSync(f)).filter((b) => b.length < 256 * 1024);
}

/** A corpus file changed the way damage and attackers change files. */
function mutated(files: Buffer[]): fc.Arbitrary<Buffer> {
  const file = fc.integer({ min: 0, max: files.length - 1 }).map((i) => files[i]!);
  return fc.oneof(
    // truncated anywhere
    fc.tuple(file, fc.double({ min: 0, max: 1, noNaN: true })).map(([b, f]) => b.subarray(0, Math.floor(b.length * f))),
    // bytes overwritten
    fc
      .tuple(file, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
      .map(([b, edits]) => {
        const copy = Buffer.from(b);
        for (const [at, byte] of edits) if (copy.length) copy[Math.floor(at * (copy.length - 1))] = byte;
        return copy;
      }),
    // structural characters inserted (unbalancing brackets and strings)
    fc
      .tuple(file, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('{', '}', '[', ']', '"', '\\', '\n', ',', '{"a":'.repeat(300)))
      .map(([b, at, text]) => {
        const i = Math.floor(at * b.length);
        return Buffer.concat([b.subarray(0, i), Buffer.from(text), b.subarray(i)]);
      }),
    // gzip, then damaged or followed by junk
    fc.tuple(file, fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 16 })).map(([b, cut, junk]) => {
      const gz = gzipSync(b);
      return Buffer.concat([gz.subarray(0, Math.max(0, gz.length - cut)), Buffer.from(junk)]);
    }),
  );
}

/** The decoder over chunks of the given sizes; found = accepted + skipped. */
function decodeInChunks(bytes: Buffer, sizes: number[]): { end: DecodeEnd; events: string[] } {
  const events: string[] = [];
  const decoder = new CloudTrailDecoder({ maxRecordBytes: 4096, maxDepth: 16 }, (e) => events.push(JSON.stringify(e)));
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = sizes.length ? sizes[k % sizes.length]! : bytes.length;
    decoder.push(bytes.subarray(at, at + size));
    at += size;
  }
  const end = decoder.end();
  if (end.ok) assert.equal(decoder.recordsFound, end.accepted + end.recordSkips.length, 'every record accounted for');
  return { end, events };
}

test('the CloudTrail decoder: random bytes and mutated corpus files never throw, every record is accounted for, chunking changes nothing', (t) => {
  const files = corpusFiles(t, 'cloudtrail');
  if (files.length === 0) return;
  const input = fc.oneof(
    mutated(files),
    fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
  );
  fc.assert(
    fc.property(input, fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }), (bytes, sizes) => {
      const whole = decodeInChunks(bytes, []);
      const chunked = decodeInChunks(bytes, sizes);
      assert.deepEqual(chunked, whole, 'the same records and skips whatever the chunk sizes');
      // The buffer API (with gzip) never throws either, and its totals add up the same way.
      const result = decodeCloudTrailFile(bytes, { maxRecordBytes: 4096, maxDepth: 16 });
      if (result.ok) assert.ok(result.file.records.length + result.file.recordSkips.length >= 0);
    }),
    { numRuns: 400, seed: 12 },
  );
});

test('the CloudTrail decoder: a JSON array of anything has each element read or skipped', () => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue({ maxDepth: 20 }), { maxLength: 30 }), fc.boolean(), (items, wrapped) => {
      const text = wrapped ? JSON.stringify({ Records: items }) : JSON.stringify(items);
      const { end } = decodeInChunks(Buffer.from(text), [97]);
      if (end.ok) assert.equal(end.accepted + end.recordSkips.length, items.length);
      else assert.match(end.skip.code, /^(not-cloudtrail|invalid-json|empty-file)$/);
    }),
    { numRuns: 300, seed: 12 },
  );
});

test('the flow-log parser: mutated corpus lines and random text never throw, and its lines add up', (t) => {
  const files = corpusFiles(t, 'vpcflow');
  if (files.length === 0) return;
  const lines = files.flatMap((b) => b.toString('utf8').split('\n'));
  const line = fc.oneof(
    fc.constantFrom(...lines),
    fc.tuple(fc.constantFrom(...lines), fc.integer({ min: 0, max: 200 }), fc.string({ maxLength: 24 })).map(([l, at, s]) => l.slice(0, at) + s + l.slice(at)),
    fc.tuple(fc.constantFrom(...lines), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })).map(([l, n]) => l.replace(/\b\d{3,}\b/, n.toString())),
    fc.string({ maxLength: 200 }),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), (text) => {
      const parser = new FlowLogParser();
      for (const l of text) {
        const record = parser.parseLine(l);
        // What is returned is what the store can hold.
        for (const [column, value] of Object.entries(record?.values ?? {})) {
          if (typeof value === 'number') assert.ok(Number.isSafeInteger(value) && value >= 0, `${column} ${value}`);
          if ((column === 'start' || column === 'end') && typeof value === 'number') assert.ok(value <= 253402300799);
        }
      }
      const s = parser.stats;
      assert.equal(s.lines, text.length);
      assert.equal(s.lines, s.records + s.nodata + s.skipdata + s.headers + s.bad);
    }),
    { numRuns: 300, seed: 12 },
  );
});

test('ingest of mutated corpus files (streamed, gzip or not): no throw, totals add up', async (t) => {
  const cloudtrail = corpusFiles(t, 'cloudtrail');
  const flows = corpusFiles(t, 'vpcflow');
  if (cloudtrail.length === 0 || flows.length === 0) return;
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  t.after(() => engine.close());
  const dir = tempDir(t);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutated([...cloudtrail, ...flows]), { minLength: 1, maxLength: 4 }), async (inputs) => {
      const paths = inputs.map((bytes, i) => {
        const path = join(dir, `run${run}-${i}.json`);
        writeFileSync(path, bytes);
        return path;
      });
      run++;
      const s = await ingestPaths(engine, paths, { limits: { maxRecordBytes: 64 * 1024, maxDepth: 32 } });
      assert.equal(s.files.seen, s.files.read + s.files.unchanged + s.files.duplicateContent + s.files.skipped + s.files.pruned);
      assert.equal(s.events.found, s.events.accepted + s.events.skipped);
      assert.equal(s.events.accepted, s.events.inserted + s.events.duplicates + s.events.insights + s.events.filtered);
      assert.equal(s.flows.lines, s.flows.records + s.flows.nodata + s.flows.skipdata + s.flows.headers + s.flows.bad);
    }),
    { numRuns: 25, seed: 12 },
  );
});

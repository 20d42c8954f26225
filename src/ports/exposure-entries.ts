import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CandidateRow, NormalizedEvent } from '../ports/candidates.js';
import { eventColumns, type EventColumns, type ExposureChange } from '../ports/change.js';
import type { CloudTrailRow } from '../tables/cloudtrail.js';

/**
 * How one chunk of kept exposure changes is written (ports/exposure-changes.ts): JSON that
 * decodes to `NormalizedEvent`s equal to the ones encoded, key order included, in about half the
 * text of the plain JSON array — a warm run parses every chunk, so its size is time.
 *
 * - Every row of a chunk has the same keys (the candidate query's columns) and `useridentity` the
 *   same nested struct: their keys are written once per chunk (`row`, a shape), each row as the
 *   nested arrays of its values.
 * - A change leaves out the event columns it shares with its row (`eventColumns`: event id, time,
 *   caller, ...), and points at its key order in a table of the chunk (`changes`): the normalizers
 *   write their fields in a few orders, and which columns were left out is part of the entry.
 *
 * `encodeChunk` decodes what it wrote and compares the JSON text with the events': a chunk that
 * would not come back identical is written as the plain JSON array instead, which `decodeChunk`
 * also reads (and which stores written before this format hold).
 */

/** A digest of this module's code: kept chunks are read only by the code that wrote them. */
export const CODEC_DIGEST = createHash('sha256')
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex')
  .slice(0, 32);

/** The keys of an object and the shape of each value: null for a value written as it is. */
interface Shape {
  keys: string[];
  children: (Shape | null)[];
}

/** A change's key order, and which of its keys are the row's event columns (left out). */
type ChangeShape = [keys: string[], shared: string[]];

interface CompactChunk {
  row: Shape;
  changes: ChangeShape[];
  events: [row: unknown, changes: unknown[][]][];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function shapeOf(value: Record<string, unknown>): Shape {
  const keys = Object.keys(value);
  return { keys, children: keys.map((k) => (isPlainObject(value[k]) ? shapeOf(value[k] as Record<string, unknown>) : null)) };
}

/** Thrown when a value does not fit the chunk's shape: the chunk is then written plainly. */
class DoesNotFit extends Error {}

function encodeShaped(value: unknown, shape: Shape | null): unknown {
  if (shape === null || value === null) return value;
  if (!isPlainObject(value)) throw new DoesNotFit();
  return shape.keys.map((k, i) => encodeShaped(value[k], shape.children[i]!));
}

/**
 * A function that builds the objects of a shape from their nested arrays. Generated once per
 * shape, so that every object is an object literal with fixed keys: V8 builds those several times
 * faster than objects filled key by key. The keys are written as JSON string literals, so no text
 * of the store can become code.
 */
function compileShape(shape: Shape): (value: unknown) => unknown {
  const helpers: string[] = [];
  const literal = (s: Shape, v: string): string => {
    const fields = s.keys.map((key, i) => {
      const child = s.children[i]!;
      if (child === null) return `${JSON.stringify(key)}: ${v}[${i}]`;
      const inner = literal(child, 'x');
      const name = `h${helpers.length}`;
      helpers.push(`const ${name} = (x) => x === null ? null : ${inner};`);
      return `${JSON.stringify(key)}: ${name}(${v}[${i}])`;
    });
    return `({ ${fields.join(', ')} })`;
  };
  const body = literal(shape, 'v');
  return new Function(`${helpers.join('\n')}\nreturn (v) => v === null ? null : ${body};`)() as (value: unknown) => unknown;
}

function encodeCompact(events: readonly NormalizedEvent[]): CompactChunk {
  const row = shapeOf(events[0]!.row as unknown as Record<string, unknown>);
  const changeShapes: ChangeShape[] = [];
  const shapeIndex = new Map<string, number>();
  const encoded = events.map(({ row: candidate, changes }): [unknown, unknown[][]] => {
    const shared = eventColumns(candidate as CloudTrailRow) as unknown as Record<string, unknown>;
    const compactChanges = changes.map((change) => {
      const fields = change as unknown as Record<string, unknown>;
      const keys = Object.keys(fields);
      const left = keys.filter((k) => Object.hasOwn(shared, k) && fields[k] === shared[k]);
      const id = JSON.stringify([keys, left]);
      let index = shapeIndex.get(id);
      if (index === undefined) {
        index = changeShapes.push([keys, left]) - 1;
        shapeIndex.set(id, index);
      }
      return [index, ...keys.filter((k) => !left.includes(k)).map((k) => fields[k])];
    });
    return [encodeShaped(candidate, row), compactChanges];
  });
  return { row, changes: changeShapes, events: encoded };
}

function decodeCompact(chunk: CompactChunk): NormalizedEvent[] {
  const buildRow = compileShape(chunk.row);
  // Per change shape: a literal taking each key from the row's event columns or from the next value.
  const buildChange = chunk.changes.map(([keys, shared]) => {
    let next = 1;
    const fields = keys.map((k) => `${JSON.stringify(k)}: ${shared.includes(k) ? `c[${JSON.stringify(k)}]` : `v[${next++}]`}`);
    return new Function('v', 'c', `return { ${fields.join(', ')} };`) as (values: unknown[], columns: EventColumns) => ExposureChange;
  });
  return chunk.events.map(([encodedRow, encodedChanges]) => {
    const row = buildRow(encodedRow) as CandidateRow;
    if (encodedChanges.length === 0) return { row, changes: [] };
    const columns = eventColumns(row as CloudTrailRow);
    return { row, changes: encodedChanges.map((values) => buildChange[values[0] as number]!(values, columns)) };
  });
}

/** The text kept for one chunk of events (see the module comment). */
export function encodeChunk(events: readonly NormalizedEvent[]): string {
  const plain = JSON.stringify(events);
  if (events.length === 0) return plain;
  try {
    const text = JSON.stringify(encodeCompact(events));
    if (JSON.stringify(decodeChunk(text)) === plain) return text;
  } catch (error) {
    if (!(error instanceof DoesNotFit)) throw error;
  }
  return plain;
}

/** The events of a chunk's text, compact or plain. */
export function decodeChunk(text: string): NormalizedEvent[] {
  const parsed = JSON.parse(text) as NormalizedEvent[] | CompactChunk;
  return Array.isArray(parsed) ? parsed : decodeCompact(parsed);
}

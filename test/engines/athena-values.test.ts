import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromAthena, isoUtc } from '../../src/engines/athena/values.js';

/** Athena's text values typed as the DuckDB engine returns the same SQL (src/engines/duckdb/values.ts). */
test('integers: safe ones as numbers, larger bigints as their digits, as the DuckDB engine gives them', () => {
  assert.equal(fromAthena('integer', { VarCharValue: '-42' }), -42);
  assert.equal(fromAthena('bigint', { VarCharValue: '9007199254740993' }), '9007199254740993');
  assert.equal(fromAthena('decimal(10,2)', { VarCharValue: '12.50' }), 12.5);
  assert.ok(Number.isNaN(fromAthena('double', { VarCharValue: 'NaN' }) as number));
});

test('NULL is an absent VarCharValue; an empty string is a value', () => {
  assert.equal(fromAthena('varchar', {}), null);
  assert.equal(fromAthena('varchar', undefined), null);
  assert.equal(fromAthena('varchar', { VarCharValue: '' }), '');
  assert.equal(fromAthena('boolean', { VarCharValue: 'false' }), false);
});

test('timestamps become ISO-8601 UTC; an offset is applied; a named zone other than UTC is kept as written', () => {
  assert.equal(fromAthena('timestamp(3)', { VarCharValue: '2024-05-01 10:00:00.000' }), '2024-05-01T10:00:00.000Z');
  assert.equal(fromAthena('timestamp(3) with time zone', { VarCharValue: '2024-05-01 10:00:00.000 UTC' }), '2024-05-01T10:00:00.000Z');
  assert.equal(isoUtc('2024-05-01 12:00:00.000 +02:00'), '2024-05-01T10:00:00.000Z');
  assert.equal(isoUtc('2024-05-01 12:00:00.000 Europe/Paris'), '2024-05-01 12:00:00.000 Europe/Paris');
  assert.equal(fromAthena('date', { VarCharValue: '2024-05-01' }), '2024-05-01');
});

test('json is parsed; array/map/row are parsed when Athena’s text is JSON, else kept as text (never guessed)', () => {
  assert.deepEqual(fromAthena('json', { VarCharValue: '{"a":[1,"x"]}' }), { a: [1, 'x'] });
  assert.deepEqual(fromAthena('array(varchar)', { VarCharValue: '["a","b"]' }), ['a', 'b']);
  assert.equal(fromAthena('row(arn varchar, type varchar)', { VarCharValue: '{arn=x, type=IAMUser}' }), '{arn=x, type=IAMUser}');
});

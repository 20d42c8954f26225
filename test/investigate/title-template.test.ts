import { test } from 'node:test';
import assert from 'node:assert/strict';
import { title } from '../../src/investigate/assemble.js';
import { templateNames } from '../../src/runbook/lint.js';

// Titles are read first at 3 a.m.: a field a log did not carry must not leave a hole in the sentence.
const flowRow = { direction: 'inbound', resource: null, actor: null };
const template = '{{direction}} traffic on port {{$port}} at {{resource ?? an interface the flow log does not name}} with no exposure';

test('title: `{{column ?? words}}` gives the words where the value is missing, the value where it is present', () => {
  assert.equal(title(template, [flowRow], 1, { port: 22 }), 'inbound traffic on port 22 at an interface the flow log does not name with no exposure');
  assert.equal(title(template, [{ ...flowRow, resource: 'eni-0abc' }], 1, { port: 22 }), 'inbound traffic on port 22 at eni-0abc with no exposure');
  assert.equal(title('at {{resource}} with', [flowRow], 1, {}), 'at  with', 'without a fallback a missing value stays empty (the runbook chose)');
  assert.equal(title('{{actor[] ?? nobody}} / {{$missing ?? no parameter}}', [flowRow], 1, {}), 'nobody / no parameter');
});

test('lint reads the column name of a placeholder with a fallback, so an unknown column is still refused', () => {
  assert.deepEqual(templateNames(template), ['direction', '$port', 'resource']);
  assert.deepEqual(templateNames('{{rows|one|many}} by {{actorr ?? someone}}'), ['rows|one|many', 'actorr']);
});

import { type TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { AthenaEngine, queryCost } from '../../src/engines/athena/engine.js';
import { AthenaClient } from '../../src/engines/athena/client.js';
import { TrailbookError } from '../../src/errors.js';
import { MOTO_CREDENTIALS, startMoto, type Moto } from '../helpers/moto.js';

/**
 * The Athena engine against a real moto_server on 127.0.0.1. moto does not run SQL: it returns the
 * results queued on it (`/moto-api/static/athena/query-results`), so these tests check the
 * request lifecycle (start → poll → results → stop), what is sent (the translated text, the
 * ExecutionParameters) and how returned text becomes values — never whether the SQL is right on
 * Trino (that rests on test/engines/trino-grammar.test.ts and the dialect table).
 */
function engineOn(moto: Moto, extra: Partial<ConstructorParameters<typeof AthenaEngine>[0]> = {}): AthenaEngine {
  return new AthenaEngine({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
    outputLocation: 's3://results-bucket/trailbook/',
    pollMs: 5,
    maxPollMs: 20,
    ...extra,
  });
}

async function queueResults(moto: Moto, results: { columns: [string, string][]; rows: (string | null)[][] }[]): Promise<void> {
  const body = {
    results: results.map((r) => ({
      column_info: r.columns.map(([Name, Type]) => ({ Name, Label: Name, Type })),
      rows: [r.columns.map(([name]) => name), ...r.rows].map((values) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) })),
    })),
  };
  const response = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(response.status, 201);
}

/** moto's executions go QUEUED → RUNNING → SUCCEEDED one step per GetQueryExecution; `times` polls per step instead. */
async function holdExecutions(moto: Moto, times: number): Promise<void> {
  const response = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'athena::execution', transition: { progression: 'manual', times } }),
  });
  assert.equal(response.status, 201);
}

type MotoCase = [string, (t: TestContext, moto: Moto) => Promise<void>];
const MOTO_CASES: MotoCase[] = [];
function motoCase(name: string, body: MotoCase[1]): void {
  MOTO_CASES.push([name, body]);
}

motoCase(
  'athena lifecycle (moto, canned results): parameters go as ExecutionParameters literals, the header row is skipped, values typed by column',
  async (t, moto) => {
    await queueResults(moto, [
      {
        columns: [
          ['eventname', 'varchar'],
          ['n', 'bigint'],
          ['ratio', 'double'],
          ['denied', 'boolean'],
          ['at', 'timestamp'],
          ['doc', 'json'],
          ['missing', 'varchar'],
        ],
        rows: [['GetObject', '3', '0.5', 'true', '2024-05-01 10:00:00.000', '{"a":[1]}', null]],
      },
    ]);
    const engine = engineOn(moto);
    t.after(() => engine.close());
    const { columns, rows } = await engine.all('SELECT eventname FROM cloudtrail_logs WHERE eventname = $name AND x > $n AND ok = $ok AND gone IS $none', {
      name: "o'brien; DROP TABLE x",
      n: 7,
      ok: true,
      none: null,
    });
    assert.deepEqual(columns, ['eventname', 'n', 'ratio', 'denied', 'at', 'doc', 'missing']);
    assert.deepEqual(rows, [{ eventname: 'GetObject', n: 3, ratio: 0.5, denied: true, at: '2024-05-01T10:00:00.000Z', doc: { a: [1] }, missing: null }]);

    const id = engine.stats[0]!.queryExecutionId;
    const sent = await new AthenaClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS }).getQueryExecution(id);
    assert.equal(sent.Query, 'SELECT eventname FROM cloudtrail_logs WHERE eventname = ? AND x > ? AND ok = ? AND gone IS ?');
    assert.deepEqual(sent.ExecutionParameters, ["'o''brien; DROP TABLE x'", '7', 'TRUE', 'NULL']);
    assert.equal(sent.Status.State, 'SUCCEEDED');
    // moto reports 0 bytes scanned: the 10 MB minimum is what Athena would bill.
    assert.deepEqual(
      engine.stats.map((s) => [s.state, s.dataScannedBytes, s.billedBytes]),
      [['SUCCEEDED', 0, 10 * 1024 * 1024]],
    );
  },
);

motoCase('athena lifecycle (moto): polls until SUCCEEDED, and query() streams the same rows as all()', async (t, moto) => {
  await holdExecutions(moto, 3);
  await queueResults(moto, [{ columns: [['k', 'integer']], rows: [['1'], ['2']] }]);
  const engine = engineOn(moto);
  t.after(() => engine.close());
  const rows = [];
  for await (const row of engine.query('SELECT k FROM t')) rows.push(row);
  assert.deepEqual(rows, [{ k: 1 }, { k: 2 }]);
});

motoCase('athena lifecycle (moto): an abort while the query runs sends StopQueryExecution, and the query ends CANCELLED', async (t, moto) => {
  await holdExecutions(moto, 1_000_000);
  const interrupt = new AbortController();
  const engine = engineOn(moto, { signal: interrupt.signal });
  t.after(() => engine.close());
  const running = engine.all('SELECT 1');
  setTimeout(() => interrupt.abort(), 100);
  await assert.rejects(running, (error: unknown) => error instanceof TrailbookError && /stopped/.test(error.message));
  const id = engine.stats.at(-1)!.queryExecutionId;
  const after = await new AthenaClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS }).getQueryExecution(id);
  assert.equal(after.Status.State, 'CANCELLED');
  assert.equal(engine.stats.at(-1)!.costUsd, 0);
});

motoCase('athena lifecycle (moto): close() during a running query stops it', async (_t, moto) => {
  await holdExecutions(moto, 1_000_000);
  const engine = engineOn(moto);
  const running = engine.all('SELECT 1');
  await new Promise((r) => setTimeout(r, 100));
  await engine.close();
  await assert.rejects(running, TrailbookError);
  const id = engine.stats.at(-1)!.queryExecutionId;
  const after = await new AthenaClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS }).getQueryExecution(id);
  assert.equal(after.Status.State, 'CANCELLED');
});

motoCase('athena errors (moto): an unknown workgroup is a TrailbookError naming the operation and the Athena error code', async (t, moto) => {
  const engine = engineOn(moto, { workgroup: 'no-such-workgroup' });
  t.after(() => engine.close());
  await assert.rejects(engine.all('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof TrailbookError);
    assert.match(error.message, /StartQueryExecution failed: InvalidRequestException: WorkGroup does not exist/);
    assert.match(error.hint ?? '', /--athena-workgroup/);
    return true;
  });
});

test('cost: $5 per TB scanned, rounded up to the megabyte, 10 MB minimum', () => {
  const MB = 1024 * 1024;
  assert.deepEqual(queryCost(0), { billedBytes: 10 * MB, costUsd: (10 * MB * 5) / 1024 ** 4 });
  assert.equal(queryCost(10 * MB + 1).billedBytes, 11 * MB);
  assert.equal(queryCost(1024 ** 4).costUsd, 5);
});

test('athena engine on moto_server (request lifecycle only: moto returns canned results, it runs no SQL)', async (t) => {
  const moto = await startMoto(t);
  if (!moto) return;
  for (const [name, body] of MOTO_CASES) {
    await t.test(name, async (st) => {
      await moto.reset();
      await holdExecutions(moto, 1);
      await body(st, moto);
    });
  }
});

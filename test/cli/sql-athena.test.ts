import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInProcess } from '../helpers/in-process.js';
import { startMoto, type Moto } from '../helpers/moto.js';

/**
 * `trailbook sql --engine athena` against a real moto_server on 127.0.0.1. moto runs no SQL and
 * answers with the results queued on it, so this checks the command's path only: the statement
 * check before anything is sent, the query sent, the answer printed, the cost line on stderr.
 */
async function listExecutions(moto: Moto): Promise<string[]> {
  const response = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonAthena.ListQueryExecutions',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/athena/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: '{}',
  });
  return ((await response.json()) as { QueryExecutionIds: string[] }).QueryExecutionIds;
}

test('trailbook sql --engine athena (moto_server: request lifecycle only, canned results)', async (t) => {
  const moto = await startMoto(t);
  if (!moto) return;
  const env = { ...moto.env, AWS_ENDPOINT_URL_ATHENA: moto.endpoint };

  await t.test('a query runs on Athena: the answer on stdout, the scan and cost on stderr', async () => {
    const queued = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({
        results: [
          {
            column_info: [
              { Name: 'eventname', Type: 'varchar' },
              { Name: 'n', Type: 'bigint' },
            ],
            rows: [{ Data: [{ VarCharValue: 'eventname' }, { VarCharValue: 'n' }] }, { Data: [{ VarCharValue: 'GetObject' }, { VarCharValue: '42' }] }],
          },
        ],
      }),
    });
    assert.equal(queued.status, 201);
    const result = await runInProcess(
      ['sql', '--engine', 'athena', '--athena-output', 's3://results/x/', '--format', 'csv', 'SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1'],
      { env },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'eventname,n\r\nGetObject,42\r\n');
    assert.match(result.stderr, /athena: 1 query, scanned 0\.0 MB, billed 10\.0 MB, about \$0\.0000\d+/);
  });

  await t.test('a statement that is not a query is refused before anything is sent to Athena', async () => {
    const before = (await listExecutions(moto)).length;
    const result = await runInProcess(['sql', '--engine', 'athena', 'DROP TABLE cloudtrail_logs'], { env });
    assert.equal(result.status, 11, result.stderr);
    assert.equal((await listExecutions(moto)).length, before);
  });

  await t.test('without a region --engine athena is a usage error', async () => {
    const result = await runInProcess(['sql', '--engine', 'athena', 'SELECT 1'], { env: { AWS_ENDPOINT_URL: moto.endpoint } });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /needs a region/);
  });
});

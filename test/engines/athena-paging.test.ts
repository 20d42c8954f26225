import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AthenaEngine } from '../../src/engines/athena/engine.js';
import { TrailbookError } from '../../src/errors.js';

/**
 * What moto_server does not do: page GetQueryResults (it ignores NextToken) and answer with the
 * error-type header. A small HTTP server on 127.0.0.1 answers as Athena documents it (JSON 1.1,
 * `NextToken`, the header row on the first page only), and records each request, so the test
 * sees what the client really sent: target, content type, a SigV4 authorization for athena.
 */
interface Seen {
  target: string;
  authorization: string;
  contentType: string;
  body: Record<string, unknown>;
}

async function athenaLike(
  t: { after: (fn: () => void) => void },
  answer: (target: string, body: Record<string, unknown>) => [number, unknown, Record<string, string>?],
) {
  const seen: Seen[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    const target = String(request.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
    const body = JSON.parse(text) as Record<string, unknown>;
    seen.push({ target, authorization: String(request.headers['authorization']), contentType: String(request.headers['content-type']), body });
    const [status, json, headers] = answer(target, body);
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
    response.end(JSON.stringify(json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const COLUMNS = [{ Name: 'n', Type: 'integer' }];
const page = (values: string[], next?: string) => ({
  ResultSet: { Rows: values.map((v) => ({ Data: [{ VarCharValue: v }] })), ResultSetMetadata: { ColumnInfo: COLUMNS } },
  ...(next ? { NextToken: next } : {}),
});

test('GetQueryResults is paged by NextToken; only the first page carries the header row; requests are signed JSON 1.1', async (t) => {
  const { endpoint, seen } = await athenaLike(t, (target, body) => {
    if (target === 'StartQueryExecution') return [200, { QueryExecutionId: 'q-1' }];
    if (target === 'GetQueryExecution')
      return [
        200,
        { QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 52_428_801 } } },
      ];
    if (target === 'GetQueryResults' && !body['NextToken']) return [200, page(['n', '1', '2'], 'page-2')];
    if (target === 'GetQueryResults' && body['NextToken'] === 'page-2') return [200, page(['n', '3'], 'page-3')];
    if (target === 'GetQueryResults' && body['NextToken'] === 'page-3') return [200, page(['4'])];
    return [400, { __type: 'InvalidRequestException', Message: `unexpected ${target}` }];
  });
  const engine = new AthenaEngine({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, pollMs: 1 });
  const { rows } = await engine.all('SELECT n FROM t');
  // A value equal to the header on a later page ('n' on page 2) is data — here not an integer, so kept as text.
  assert.deepEqual(rows, [{ n: 1 }, { n: 2 }, { n: 'n' }, { n: 3 }, { n: 4 }]);
  assert.deepEqual(
    seen.map((s) => s.target),
    ['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults', 'GetQueryResults', 'GetQueryResults'],
  );
  for (const s of seen) {
    assert.equal(s.contentType, 'application/x-amz-json-1.1');
    assert.match(
      s.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/athena\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/,
    );
  }
  assert.equal(seen[0]!.body['QueryString'], 'SELECT n FROM t');
  assert.deepEqual(seen[0]!.body['QueryExecutionContext'], { Database: 'default', Catalog: 'AwsDataCatalog' });
  // 50 MiB + 1 byte scanned: billed as 51 MiB.
  assert.equal(engine.stats[0]!.billedBytes, 51 * 1024 * 1024);
});

test('a FAILED query is a SQL error with Athena’s reason; throttling is retried, then named by its code from the header form', async (t) => {
  let throttleStarts = false;
  let pollsThrottled = 0;
  const { endpoint, seen } = await athenaLike(t, (target) => {
    if (target === 'StartQueryExecution' && throttleStarts) return [400, {}, { 'x-amzn-errortype': 'TooManyRequestsException:http://internal' }];
    if (target === 'StartQueryExecution') return [200, { QueryExecutionId: 'q-2' }];
    // The first poll is throttled once: retried, not a failure.
    if (pollsThrottled++ === 0) return [400, { __type: 'ThrottlingException', message: 'Rate exceeded' }];
    return [
      200,
      {
        QueryExecution: {
          QueryExecutionId: 'q-2',
          Status: { State: 'FAILED', AthenaError: { ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" } },
          Statistics: { DataScannedInBytes: 0 },
        },
      },
    ];
  });
  const engine = new AthenaEngine({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, pollMs: 1 });
  await assert.rejects(
    engine.all('SELECT nope FROM t'),
    (e: unknown) => e instanceof TrailbookError && e.code === 'SQL' && /FAILED: COLUMN_NOT_FOUND/.test(e.message),
  );
  assert.equal(seen.filter((s) => s.target === 'GetQueryExecution').length, 2);
  throttleStarts = true;
  const before = seen.length;
  await assert.rejects(
    engine.all('SELECT 1'),
    (e: unknown) => e instanceof TrailbookError && /StartQueryExecution failed: TooManyRequestsException/.test(e.message) && /throttling/.test(e.hint ?? ''),
  );
  // Four tries, all with the same client request token (idempotent on Athena).
  const starts = seen.slice(before);
  assert.equal(starts.length, 4);
  assert.equal(new Set(starts.map((s) => s.body['ClientRequestToken'])).size, 1);
});

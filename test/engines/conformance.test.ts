import { type TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import NSP from 'node-sql-parser/build/trino.js';
import type { Engine, QueryResult } from '../../src/engines/engine.js';
import { DuckDBEngine } from '../../src/local-store.js';
import { AthenaEngine } from '../../src/engines/athena/engine.js';
import { AthenaClient } from '../../src/engines/athena/client.js';
import { translateSql } from '../../src/engines/dialects.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { ctEvent, records, tempDir, writeTree } from '../helpers/fixtures.js';
import { MOTO_CREDENTIALS, startMoto } from '../helpers/moto.js';

/**
 * One conformance suite for every Engine (`src/engines/engine.ts`; ARCHITECTURE.md): the same Athena SQL, the same answers.
 * Each engine says which cases it cannot run, by name and with a reason; nothing is skipped
 * silently. Each engine is opened once for all the cases (they only read).
 *
 * Athena runs on moto_server, which executes no SQL and answers with canned results: there a case
 * checks the request lifecycle only (the query, translated by src/engines/dialects.ts, parses on
 * Trino's grammar, is sent as that text with the parameters as ExecutionParameters literals, and
 * ends SUCCEEDED), never the answer. That the answers agree on real Athena rests on the grammar
 * check and the dialect table (docs/athena.md).
 */
interface EngineUnderTest {
  name: string;
  /** The engine, or undefined when the test was skipped (with its reason) because it cannot be set up here. */
  open(t: TestContext): Promise<Engine | undefined>;
  cannotRun: Record<string, string>;
  /** How a case's result is judged when not by the case's own expectation. */
  judge?: (engine: Engine, c: Case, result: QueryResult) => Promise<void>;
}

const ENGINES: EngineUnderTest[] = [
  {
    name: 'duckdb',
    cannotRun: {},
    async open(t) {
      const dir = tempDir(t);
      writeTree(dir, {
        'a.json': records(
          ctEvent({
            eventID: 'e-1',
            eventTime: '2024-05-01T10:00:00Z',
            eventName: 'AuthorizeSecurityGroupIngress',
            requestParameters: { groupId: 'sg-1', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443 }] } },
          }),
          ctEvent({
            eventID: 'e-2',
            eventTime: '2024-05-01T11:00:00Z',
            eventName: 'GetObject',
            eventSource: 's3.amazonaws.com',
            requestParameters: { bucketName: "o'brien; DROP TABLE x" },
          }),
        ),
      });
      const engine = await DuckDBEngine.open({ path: join(dir, 'store.duckdb') });
      await ingestPaths(engine, [join(dir, 'a.json')]);
      t.after(() => engine.close());
      return engine;
    },
  },
  {
    name: 'athena (moto_server: request lifecycle only, canned results)',
    cannotRun: {},
    async open(t) {
      const moto = await startMoto(t);
      if (!moto) return undefined;
      const engine = new AthenaEngine({
        region: 'us-east-1',
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
        outputLocation: 's3://results/conformance/',
        database: 'trailbook',
        pollMs: 5,
      });
      t.after(() => engine.close());
      return engine;
    },
    async judge(engine, c) {
      const athena = engine as AthenaEngine;
      const expected = translateSql(c.sql, c.params ?? {}, 'trino');
      assert.doesNotThrow(() => trinoParser.astify(expected.sql, { database: 'trino' }), 'the translated SQL parses on Trino');
      const id = athena.stats.at(-1)!.queryExecutionId;
      const sent = await new AthenaClient(athena.options).getQueryExecution(id);
      assert.equal(sent.Query, expected.sql);
      assert.deepEqual(sent.ExecutionParameters ?? [], expected.positional);
      assert.equal(sent.Status.State, 'SUCCEEDED');
    },
  },
];

const trinoParser = new (NSP as unknown as { Parser: new () => { astify(sql: string, options: { database: string }): unknown } }).Parser();

interface Case {
  name: string;
  sql: string;
  params?: Record<string, string | number>;
  expect: (rows: Record<string, unknown>[], columns: string[]) => void;
}

const CASES: Case[] = [
  {
    name: 'unquoted identifiers are case-insensitive and come back lowercase, as in Athena',
    sql: 'SELECT eventTime, eventName FROM cloudtrail_logs ORDER BY eventTime',
    expect: (rows, columns) => {
      assert.deepEqual(columns, ['eventtime', 'eventname']);
      assert.deepEqual(
        rows.map((r) => r['eventname']),
        ['AuthorizeSecurityGroupIngress', 'GetObject'],
      );
    },
  },
  {
    name: 'struct fields of useridentity',
    sql: "SELECT useridentity.arn AS arn, useridentity.accesskeyid AS k FROM cloudtrail_logs WHERE eventid = 'e-1'",
    expect: (rows) => assert.deepEqual(rows, [{ arn: 'arn:aws:iam::111122223333:user/alice', k: 'AKIAEXAMPLEKEY000001' }]),
  },
  {
    name: 'json_extract_scalar: scalars as text, objects and arrays as NULL',
    sql: "SELECT json_extract_scalar(requestparameters, '$.groupId') AS g, json_extract_scalar(requestparameters, '$.ipPermissions') AS o, json_extract_scalar(requestparameters, '$.ipPermissions.items[0].fromPort') AS p FROM cloudtrail_logs WHERE eventid = 'e-1'",
    expect: (rows) => assert.deepEqual(rows, [{ g: 'sg-1', o: null, p: '8443' }]),
  },
  {
    name: 'from_iso8601_timestamp and regexp_like',
    sql: "SELECT count(*) AS n FROM cloudtrail_logs WHERE from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2024-05-01T10:30:00Z') AND regexp_like(eventname, '^Get')",
    expect: (rows) => assert.equal(rows[0]!['n'], 1),
  },
  {
    name: 'json_parse, json_format, json_size, to_unixtime/from_unixtime round trip',
    sql: "SELECT json_size(json_parse(requestparameters), '$.ipPermissions.items') AS n, json_format(json_parse('{\"a\":1}')) AS f, to_unixtime(from_unixtime(1714557600)) AS t FROM cloudtrail_logs WHERE eventid = 'e-1'",
    expect: (rows) => assert.deepEqual(rows, [{ n: 1, f: '{"a":1}', t: 1714557600 }]),
  },
  {
    name: 'bound parameters are values, never SQL',
    sql: 'SELECT count(*) AS n FROM cloudtrail_logs WHERE json_extract_scalar(requestparameters, $path) = $bucket',
    params: { path: '$.bucketName', bucket: "o'brien; DROP TABLE x" },
    expect: (rows) => assert.equal(rows[0]!['n'], 1),
  },
];

for (const engineUnderTest of ENGINES) {
  test(engineUnderTest.name, async (t) => {
    const engine = await engineUnderTest.open(t);
    if (!engine) return;
    for (const c of CASES) {
      const reason = engineUnderTest.cannotRun[c.name];
      await t.test(c.name, reason ? { skip: `${engineUnderTest.name} cannot run this: ${reason}` } : {}, async () => {
        const result = await engine.all(c.sql, c.params);
        if (engineUnderTest.judge) await engineUnderTest.judge(engine, c, result);
        else c.expect(result.rows, result.columns);
      });
    }
  });
}

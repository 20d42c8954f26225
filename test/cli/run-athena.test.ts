import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import NSP from 'node-sql-parser/build/trino.js';
import { runInProcess } from '../helpers/in-process.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { tempDir } from '../helpers/fixtures.js';
import { validateReport } from '../../src/report/json-schema.js';
import { segments } from '../../src/engines/dialects.js';
import { AthenaEngine } from '../../src/engines/athena/engine.js';
import { lookupIdentities } from '../../src/investigate/identities.js';
import { MOTO_CREDENTIALS } from '../helpers/moto.js';

/**
 * `trailbook run|investigate --engine athena` against a real moto_server on 127.0.0.1. moto runs
 * no SQL: every query SUCCEEDs with the results queued on it, or none. So these tests check the
 * request lifecycle only — which queries the runbook sends, their text on the Trino grammar, the
 * ExecutionParameters and the day-partition filter, and that the (empty) report is a valid one —
 * and say so in their names. What the SQL answers is the local engine's tests' business.
 */

interface SentQuery {
  query: string;
  parameters: string[];
}

/** Every query started on the moto server, as moto recorded it (ListQueryExecutions, then GetQueryExecution). */
async function sentQueries(moto: Moto): Promise<SentQuery[]> {
  const call = async (target: string, body: unknown) => {
    const response = await fetch(moto.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AmazonAthena.${target}`,
        authorization: 'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/athena/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, `${target}: ${await response.clone().text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const { QueryExecutionIds: ids } = (await call('ListQueryExecutions', {})) as { QueryExecutionIds: string[] };
  const out: SentQuery[] = [];
  for (const id of ids) {
    const { QueryExecution: execution } = (await call('GetQueryExecution', { QueryExecutionId: id })) as {
      QueryExecution: { Query: string; ExecutionParameters?: string[] };
    };
    out.push({ query: execution.Query, parameters: execution.ExecutionParameters ?? [] });
  }
  return out;
}

/** Queries finish at their first GetQueryExecution (moto otherwise steps QUEUED → RUNNING → SUCCEEDED, one poll of 200 ms+ each). */
async function finishAtOnce(moto: Moto): Promise<void> {
  await moto.reset();
  const response = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'athena::execution', transition: { progression: 'immediate' } }),
  });
  assert.equal(response.status, 201);
}

const trino = new (NSP as unknown as { Parser: new () => { astify(sql: string, options: { database: string }): unknown } }).Parser();
const parsesOnTrino = (sql: string) => trino.astify(sql, { database: 'trino' });
/** The `?`s Athena binds: those in code, not in strings or comments. */
const questionMarks = (sql: string) =>
  segments(sql)
    .filter((s) => s.kind === 'code')
    .reduce((n, s) => n + (s.text.match(/\?/g) ?? []).length, 0);

test('run|investigate --engine athena (moto_server: request lifecycle only, canned empty results)', async (t) => {
  const moto = await startMoto(t);
  if (!moto) return;
  // A store path that does not exist: Athena needs no local store, and none may be made.
  const dir = tempDir(t, 'trailbook-run-athena-');
  const env = { ...moto.env, AWS_ENDPOINT_URL_ATHENA: moto.endpoint, TRAILBOOK_DB: join(dir, 'no-store.duckdb') };
  const athena = ['--engine', 'athena', '--athena-output', 's3://results/trailbook/', '--athena-database', 'trails'];
  const runWindow = ['run', 'port-exposure', ...athena, '--param', 'port=22', '--param', 'from=2024-05-01T10:00:00Z', '--param', 'to=2024-05-03T00:00:00Z'];
  const isCandidateQuery = (s: SentQuery) => /WHERE eventname IN \('ApplySecurityGroupsToLoadBalancer'/.test(s.query);

  await t.test('run port-exposure sends Trino-parsable queries with ExecutionParameters and the day-partition filter; the empty report is valid', async () => {
    await finishAtOnce(moto);
    const result = await runInProcess([...runWindow, '--athena-history', '0', '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(validateReport(report), { ok: true }, 'the report keeps the v2 contract');
    assert.deepEqual(report.inputs.cloudtrail, { files: null, events: null, skipped: [] });
    assert.deepEqual(report.inputs.vpcflow, { files: null, records: null, skipped: [] });
    assert.deepEqual(report.inputs.engine, { name: 'athena', catalog: 'AwsDataCatalog', database: 'trails', workgroup: null });
    assert.match(result.stderr, /note: on Athena the inputs are not counted/);
    assert.ok(!existsSync(env.TRAILBOOK_DB), 'no local store is made');

    const sent = await sentQueries(moto);
    assert.ok(sent.length >= 2, `the exposure and flow steps each send a query (sent ${sent.length})`);
    assert.match(result.stderr, new RegExp(`athena: ${sent.length} quer(y|ies), scanned 0\\.0 MB, billed ${sent.length * 10}\\.0 MB, about \\$`));
    for (const { query, parameters } of sent) {
      assert.doesNotThrow(() => parsesOnTrino(query), `parses on the Trino grammar: ${query}`);
      assert.doesNotMatch(query, /\$[a-z]/i, 'no $name is left in the text sent');
      assert.equal(parameters.length, questionMarks(query), `one ExecutionParameter per ?: ${query}`);
      // Only the bucket's tables: the store's caches and ledger are skipped on Athena (Dialect.localStore false).
      assert.doesNotMatch(query, /cloudtrail_exposure_|ingest_ledger|cloudtrail_events|trailbook_/, 'no local-store table is asked of Athena');
    }
    const candidates = sent.find(isCandidateQuery);
    assert.ok(candidates, `the exposure candidates are read:\n${sent.map((s) => s.query).join('\n---\n')}`);
    assert.match(candidates.query, /FROM \(SELECT \* FROM cloudtrail_logs WHERE "timestamp" >= \? AND "timestamp" <= \?\) AS cloudtrail_logs/);
    // No history asked: the window with a day's slack each side (late delivery), then the bound times.
    assert.deepEqual(candidates.parameters, ["'2024/04/30'", "'2024/05/04'", "'2024-05-01T10:00:00Z'", "'2024-05-03T00:00:00Z'"]);
    assert.match(candidates.query, /json_format\(CAST\(useridentity AS JSON\)\) AS useridentity/);
    const flows = sent.find((s) => /FROM \(SELECT \* FROM vpc_flow_logs WHERE day >= \? AND day <= \?\)/.test(s.query));
    assert.ok(flows, 'the flow query reads only the window days too');
    assert.ok(flows.parameters.includes('22'), 'the port is bound, not spliced');
    assert.doesNotMatch(flows.query, /\b22\b/);
  });

  await t.test('history: 90 days before the window by default, said beside the report; --athena-history all reads every day', async () => {
    await finishAtOnce(moto);
    const bounded = await runInProcess(runWindow, { env });
    assert.equal(bounded.status, 0, bounded.stderr);
    assert.match(bounded.stderr, /note: on Athena the history .* is read from 90 days before the window/);
    const candidates = (await sentQueries(moto)).find(isCandidateQuery);
    assert.deepEqual(candidates?.parameters, ["'2024/01/31'", "'2024/05/04'", "'2024-02-01T10:00:00Z'", "'2024-05-03T00:00:00Z'"]);

    await finishAtOnce(moto);
    const all = await runInProcess([...runWindow, '--athena-history', 'all'], { env });
    assert.equal(all.status, 0, all.stderr);
    assert.doesNotMatch(all.stderr, /note: on Athena the history/);
    const everything = (await sentQueries(moto)).find(isCandidateQuery);
    assert.match(everything?.query ?? '', /\nFROM cloudtrail_logs\n/, 'no partition filter: the whole trail');
    assert.deepEqual(everything?.parameters, ["'0000-01-01T00:00:00Z'", "'9999-12-31T23:59:59Z'"]);

    const wrong = await runInProcess([...runWindow, '--athena-history', 'forever'], { env });
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /not a number of days/);
  });

  await t.test('investigate --engine athena: the v1 report is valid and only Athena is asked', async () => {
    await finishAtOnce(moto);
    const result = await runInProcess(
      ['investigate', ...athena, '--port', '3389', '--from', '2024-05-01T00:00:00Z', '--to', '2024-05-02T00:00:00Z', '--format', 'json'],
      {
        env,
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(validateReport(JSON.parse(result.stdout)), { ok: true });
    const sent = await sentQueries(moto);
    // The runbook's steps and the unmodelled-changes note: each bounded to the window's days.
    for (const { query } of sent.filter((s) => /cloudtrail_logs/.test(s.query))) assert.match(query, /"timestamp" >= \?/);
  });

  await t.test('the SQL runbooks run on Athena: each query parses on Trino, binds its window to days, the empty reports are valid', async () => {
    for (const runbook of ['credential-compromise', 'logging-tampering']) {
      await finishAtOnce(moto);
      const result = await runInProcess(
        ['run', runbook, ...athena, '--param', 'from=2024-05-01T00:00:00Z', '--param', 'to=2024-05-02T00:00:00Z', '--format', 'json'],
        { env },
      );
      assert.equal(result.status, 0, `${runbook}: ${result.stderr}`);
      assert.deepEqual(validateReport(JSON.parse(result.stdout)), { ok: true }, runbook);
      const sent = await sentQueries(moto);
      assert.ok(sent.length >= 1, runbook);
      for (const { query, parameters } of sent) {
        assert.doesNotThrow(() => parsesOnTrino(query), `${runbook}: ${query}`);
        assert.equal(parameters.length, questionMarks(query), query);
        assert.match(query, /"timestamp" >= \? AND "timestamp" <= \?/, `${runbook}: ${query}`);
        assert.ok(parameters.includes("'2024/04/30'") && parameters.includes("'2024/05/03'"), `${runbook}: ${parameters.join(', ')}`);
      }
    }
  });

  await t.test('the identity lookup on Athena binds one ExecutionParameter per id and reads useridentity as JSON text (moto: a canned row)', async () => {
    await finishAtOnce(moto);
    const identity = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
      accesskeyid: 'ASIAEXAMPLE',
      sessioncontext: { attributes: { mfaauthenticated: 'true', creationdate: null }, sessionissuer: { arn: 'arn:aws:iam::111122223333:role/r' } },
    };
    const columns = ['eventid', 'useridentity', 'useragent', 'sourceipaddress', 'sessioncredentialfromconsole', 'additionaleventdata'];
    const queued = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({
        results: [
          {
            column_info: columns.map((Name) => ({ Name, Label: Name, Type: 'varchar' })),
            rows: [columns, ['e-1', JSON.stringify(identity), 'aws-cli/2', '198.51.100.7', null, null]].map((values) => ({
              Data: values.map((v) => (v === null ? {} : { VarCharValue: v })),
            })),
          },
        ],
      }),
    });
    assert.equal(queued.status, 201);
    const engine = new AthenaEngine({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, outputLocation: 's3://r/x/', pollMs: 5 });
    t.after(() => engine.close());
    const found = await lookupIdentities(engine, ['e-1', "e-2'; DROP TABLE x; --"]);
    assert.deepEqual(found.get('e-1'), {
      eventId: 'e-1',
      identityType: 'AssumedRole',
      arn: identity.arn,
      accessKeyId: 'ASIAEXAMPLE',
      mfa: true,
      via: 'api',
      issuer: 'arn:aws:iam::111122223333:role/r',
      instanceCredentials: false,
    });
    const [sent] = await sentQueries(moto);
    assert.match(sent!.query, /WHERE eventid IN \(\?, \?\)$/);
    assert.deepEqual(sent!.parameters, ["'e-1'", "'e-2''; DROP TABLE x; --'"]);
    assert.match(sent!.query, /json_format\(CAST\(useridentity AS JSON\)\) AS useridentity/);
    assert.doesNotThrow(() => parsesOnTrino(sent!.query));
  });

  await t.test('paths are refused with --engine athena before anything is sent (the logs are the bucket)', async () => {
    await finishAtOnce(moto);
    const result = await runInProcess(['run', 'port-exposure', dir, ...athena, '--param', 'port=22'], { env });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /nothing to ingest/);
    assert.equal((await sentQueries(moto)).length, 0);
  });

  await t.test('a text report on Athena says the inputs were not counted instead of printing 0', async () => {
    await finishAtOnce(moto);
    const result = await runInProcess(['run', 'port-exposure', ...athena, '--param', 'port=22', '--param', 'from=2024-05-01T00:00:00Z'], { env });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /CloudTrail and flow logs read on Athena in AwsDataCatalog\.trails \(not counted/);
    assert.doesNotMatch(result.stderr, /no start given/);
    const unbounded = await runInProcess(['run', 'port-exposure', ...athena, '--param', 'port=22'], { env });
    assert.equal(unbounded.status, 0, unbounded.stderr);
    assert.match(unbounded.stderr, /warning: no start given .* every day of the trail/);
    assert.doesNotMatch(result.stdout, /CloudTrail 0 events/);
  });
});

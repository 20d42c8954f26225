/**
 * The workspace's server (src/serve) in process: real HTTP on 127.0.0.1 (a free port), real
 * DuckDB on a store ingested from the bundled sample, real git for evidence. The security checks
 * first, then each endpoint against what the CLI says of the same store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultEvidenceRepo } from '../../src/serve/api.js';
import { runInProcess } from '../helpers/in-process.js';
import { demoSettings, sample } from '../investigate/demo-args.js';
import { type Client, DEMO_INTEL, sampleStore, serve } from './helpers.js';

let store: Awaited<ReturnType<typeof sampleStore>>;
let client: Client;
const TO = '2024-05-15T00:00:00Z';
const CONFIG = { file: null, from: { db: '--db', intel: '--intel', trusted: '--trusted' } };

before(async () => {
  store = await sampleStore();
  client = await serve({ db: store.db, ...DEMO_INTEL, config: CONFIG, webRoot: join(store.dir, 'no-web') });
});
after(async () => {
  await client?.close();
  assert.deepEqual(client?.bugs ?? [], [], 'no request hit a bug');
  store?.dispose();
});

/** fetch() will not send another Host: node:http does, as a rebinding page's browser would. */
function statusWithHost(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: client.server.port, path: '/api/session', headers: { Host: host, Authorization: `Bearer ${client.server.token}` } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('security', () => {
  test('no token, a wrong token: 401, JSON on /api and text elsewhere', async () => {
    const none = await fetch(`${client.base}/api/session`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const wrongBearer = await fetch(`${client.base}/api/session`, { headers: { Authorization: 'Bearer not-the-token' } });
    assert.equal(wrongBearer.status, 401);
    const wrongCookie = await fetch(`${client.base}/api/session`, { headers: { Cookie: `trailbook_session_${client.server.port}=${client.server.token}x` } });
    assert.equal(wrongCookie.status, 401);
    const page = await fetch(`${client.base}/`);
    assert.equal(page.status, 401);
    assert.match(page.headers.get('content-type') ?? '', /^text\/plain/);
    const wrongQuery = await fetch(`${client.base}/?token=${client.server.token.slice(1)}`, { redirect: 'manual' });
    assert.equal(wrongQuery.status, 401);
    // The query token opens a session only at `/`: an API URL with it in the query is refused.
    const queryOnApi = await fetch(`${client.base}/api/session?token=${client.server.token}`);
    assert.equal(queryOnApi.status, 401);
  });

  test('the query token becomes an HttpOnly SameSite=Strict cookie and a 303 to /; the cookie then works', async () => {
    const first = await fetch(`${client.base}/?token=${client.server.token}`, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/');
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, new RegExp(`^trailbook_session_${client.server.port}=${client.server.token}; HttpOnly; SameSite=Strict; Path=/$`));
    // Another workspace's cookie (another port) is not this one's session.
    const otherPort = await fetch(`${client.base}/api/session`, { headers: { Cookie: `trailbook_session_1=${client.server.token}` } });
    assert.equal(otherPort.status, 401);
    const withCookie = await fetch(`${client.base}/api/session`, { headers: { Cookie: cookie.split(';')[0]! } });
    assert.equal(withCookie.status, 200);
    const bearer = await client.json('/api/session');
    assert.equal(bearer.status, 200);
    assert.deepEqual(bearer.body, { version: '0.1.0', db: store.db, readOnly: true, features: { evidence: true } });
  });

  test('a foreign Host (DNS rebinding) is refused even with the token; the loopback names are not', async () => {
    const port = client.server.port;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.2:${port}`, `127.0.0.1:${port}.evil.example`]) {
      assert.equal(await statusWithHost(host), 421, host);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) assert.equal(await statusWithHost(host), 200, host);
  });

  test('a foreign Origin is refused (GET and POST); the own origin is not', async () => {
    for (const origin of ['http://evil.example', `https://127.0.0.1:${client.server.port}`, 'null', `http://127.0.0.1:${client.server.port + 1}`]) {
      assert.equal((await client.fetch('/api/session', { headers: { Origin: origin } })).status, 403, origin);
      const post = await client.fetch('/api/sql', {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: '{"sql":"SELECT 1"}',
      });
      assert.equal(post.status, 403, origin);
    }
    const own = await client.fetch('/api/session', { headers: { Origin: `http://127.0.0.1:${client.server.port}` } });
    assert.equal(own.status, 200);
  });

  test('a POST that is not JSON (a form, text/plain: no CORS preflight) is refused with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const response = await client.fetch('/api/runs', { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body: '{"runbook":"port-exposure"}' });
      assert.equal(response.status, 415, type);
    }
    assert.equal(client.server.settled !== undefined, true);
    assert.deepEqual(((await client.json<unknown[]>('/api/runs')).body as unknown[]).length, 0, 'no run was started by a refused request');
  });

  test('every response carries the CSP, nosniff and no-referrer; /api is no-store; no CORS header at all', async () => {
    const responses = [
      await client.fetch('/api/session'),
      await fetch(`${client.base}/api/session`),
      await client.fetch('/'),
      await client.fetch('/api/session', { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } }),
    ];
    for (const response of responses) {
      assert.equal(
        response.headers.get('content-security-policy'),
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      for (const [name] of response.headers) assert.doesNotMatch(name, /^access-control-/, name);
    }
    assert.equal(responses[0]!.headers.get('cache-control'), 'no-store');
    assert.notEqual(responses[3]!.status, 204, 'a preflight is never granted');
  });

  test('unknown API paths are 404 and wrong methods 405, in the error shape', async () => {
    const missing = await client.json<{ error: { code: string } }>('/api/nothing');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'INPUT');
    assert.equal((await client.fetch('/api/session', { method: 'DELETE', headers: { 'Content-Type': 'application/json' } })).status, 405);
  });
});

describe('store and runbooks', () => {
  test('GET /api/store: the ledger counts trailbook run reports, and the logs span', async () => {
    const { status, body } = await client.json('/api/store');
    assert.equal(status, 200);
    assert.deepEqual(body['cloudtrail'], { files: 86, events: 256, skipped: [] });
    assert.deepEqual(body['vpcflow'], { files: 6, records: 28, skipped: [] });
    assert.deepEqual(body['coverage'], { first: '2024-05-14T00:10:01Z', last: '2024-05-14T23:46:43Z' });
  });

  test('GET /api/runbooks lists the bundled runbooks with typed parameters', async () => {
    const { body } = await client.json<{ id: string; parameters: { name: string; type: string; required: boolean; default?: unknown }[] }[]>('/api/runbooks');
    assert.deepEqual(body.map((r) => r.id).sort(), ['credential-compromise', 'logging-tampering', 'port-exposure']);
    const port = body.find((r) => r.id === 'port-exposure')!;
    const parameter = port.parameters.find((p) => p.name === 'port')!;
    assert.equal(parameter.type, 'integer');
    assert.equal(parameter.default, 8443);
    assert.equal(parameter.required, false);
  });
});

describe('runs', () => {
  test('port-exposure goes queued → running → done, and its report is `trailbook run port-exposure --format json`', async () => {
    const { id, statuses, run } = await client.run('port-exposure', { to: TO });
    assert.equal(statuses.at(-1), 'done', JSON.stringify(run));
    const steps = (run['progress'] as { step: string }[]).map((p) => p.step);
    assert.deepEqual(steps, ['queued', 'start', 'exposures', 'connections', 'verdicts', 'identities', 'decide', 'done']);
    assert.match(String(run['summary']), /^OUTCOME: ISOLATE/);

    const { body: api } = await client.json<Record<string, unknown> & { findings: Record<string, unknown>[] }>(`/api/runs/${id}/report`);
    for (const finding of api.findings) {
      assert.equal((finding['decisionTree'] as { root: string }).root !== undefined, true, 'each finding carries its decision tree');
      assert.ok(Array.isArray(finding['takenPath']));
    }
    const cli = await runInProcess(['run', 'port-exposure', '--db', store.db, ...demoSettings(), '--format', 'json']);
    assert.equal(cli.status, 0, cli.stderr);
    const scrub = (report: Record<string, unknown>) => {
      const copy = structuredClone(report) as Record<string, unknown> & { findings: Record<string, unknown>[]; inputs: Record<string, unknown> };
      delete copy['generatedAt'];
      for (const f of copy.findings) {
        delete f['decisionTree'];
        delete f['takenPath'];
      }
      return copy;
    };
    assert.deepEqual(scrub(api), scrub(JSON.parse(cli.stdout)));
    assert.deepEqual((api['inputs'] as Record<string, unknown>)['config'], CONFIG);
  });

  test('runs wait their turn: three asked at once run one after another, each queued first, listed in order', async () => {
    const asked = await Promise.all(
      [8443, 22, 3389].map((port) => client.post<{ id: string }>('/api/runs', { runbook: 'port-exposure', parameters: { port, to: TO } })),
    );
    // In the order the server took them (the three requests race): run ids count up.
    const ids = asked.map((a) => a.body.id).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    await client.server.settled();
    const runs = await Promise.all(
      ids.map(async (id) => (await client.json<{ status: string; progress: { at: string; step: string }[] }>(`/api/runs/${id}`)).body),
    );
    for (const run of runs) {
      assert.equal(run.status, 'done');
      assert.equal(run.progress[0]!.step, 'queued');
    }
    const at = (run: (typeof runs)[number], step: string) => run.progress.find((p) => p.step === step)!.at;
    assert.ok(at(runs[1]!, 'start') >= at(runs[0]!, 'done') && at(runs[2]!, 'start') >= at(runs[1]!, 'done'), 'never two at once');
    const { body: list } = await client.json<{ id: string; parameters: { port: number } }[]>('/api/runs');
    assert.deepEqual(
      list.filter((r) => ids.includes(r.id)).map((r) => r.id),
      ids,
    );
    assert.deepEqual(
      list
        .filter((r) => ids.includes(r.id))
        .map((r) => r.parameters.port)
        .sort(),
      [22, 3389, 8443],
    );
  });

  test('bad parameters are a 400 with every problem; an unknown runbook a 404; a report of an unknown run a 404', async () => {
    const bad = await client.post<{ error: { code: string; problems: { parameter: string }[] } }>('/api/runs', {
      runbook: 'port-exposure',
      parameters: { port: 'eighty', nonsense: 1 },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'USAGE');
    assert.deepEqual(bad.body.error.problems.map((p) => p.parameter).sort(), ['nonsense', 'port']);
    assert.equal((await client.post('/api/runs', { runbook: 'no-such-runbook' })).status, 404);
    assert.equal((await client.fetch('/api/runs/run-999/report')).status, 404);
  });

  test('report.html: the static report of the run, under its own strict policy', async () => {
    const { id } = await client.run('port-exposure', { to: TO });
    const response = await client.fetch(`/api/runs/${id}/report.html`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(
      response.headers.get('content-security-policy') ?? '',
      /^default-src 'none'; style-src 'unsafe-inline'; img-src data:;.*frame-ancestors 'none'/,
    );
    const html = await response.text();
    assert.match(html, /Port 8443 opened on sg-0a1b2c3d4e5f60718/);
    assert.doesNotMatch(html, /<script/i);
    const download = await client.fetch(`/api/runs/${id}/report.html?download=1`);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="run-\d+-port-exposure\.html"$/);
  });
});

describe('records and pivots', () => {
  test('record: a flow line by file and line, and an evidence row by its source_ref', async () => {
    const { id } = await client.run('port-exposure', { to: TO });
    const { body: report } = await client.json<{ findings: { evidence: { source_ref: string }[] }[] }>(`/api/runs/${id}/report`);
    const refs = report.findings.flatMap((f) => f.evidence.map((e) => e.source_ref));
    const flowRef = refs.find((r) => r.startsWith('flow:'))!;
    const eventRef = refs.find((r) => !r.startsWith('flow:') && r !== '')!;

    const flow = await client.json<{ file: string; line: number; kind: string; text: string }>(`/api/record?ref=${encodeURIComponent(flowRef)}`);
    assert.equal(flow.status, 200);
    assert.equal(flow.body.kind, 'vpcflow');
    const [, , iface, , , clientPort] = flow.body.text.split(' ');
    assert.equal(`${iface}|${clientPort}`, `${flowRef.slice(5).split('|')[0]}|${flowRef.split('|')[3]}`);
    const byLine = await client.json(`/api/record?file=${encodeURIComponent(flow.body.file)}&line=${flow.body.line}`);
    assert.deepEqual(byLine.body, { file: flow.body.file, line: flow.body.line, kind: 'vpcflow', text: flow.body.text });

    const event = await client.json<{ kind: string; record: { eventID: string }; file: string; line: number; text: string }>(
      `/api/record?ref=${encodeURIComponent(eventRef)}`,
    );
    assert.equal(event.status, 200);
    assert.equal(event.body.kind, 'cloudtrail');
    assert.equal(event.body.record.eventID, eventRef);
    const sameByLine = await client.json<{ text: string }>(`/api/record?file=${encodeURIComponent(event.body.file)}&line=${event.body.line}`);
    assert.equal(sameByLine.body.text, event.body.text);
  });

  test('record refuses /etc/passwd, a path outside the ledger, a line past the end, and bad input', async () => {
    const outside = sample('trusted-networks.yaml');
    for (const file of ['/etc/passwd', outside, '../../../../etc/passwd', `${sample('vpcflow')}/../trusted-networks.yaml`]) {
      const response = await client.json<{ error: { code: string; message: string } }>(`/api/record?file=${encodeURIComponent(file)}&line=1`);
      assert.equal(response.status, 404, file);
      assert.doesNotMatch(response.body.error.message, /root:/);
    }
    const { body } = await client.json<{ cloudtrail: unknown }>('/api/store');
    assert.ok(body.cloudtrail);
    const sql = await client.post<{ rows: [string][] }>('/api/sql', { sql: "SELECT _file FROM vpc_flow_records WHERE _kind = 'vpc' LIMIT 1" });
    const flowFile = sql.body.rows[0]![0];
    assert.equal((await client.fetch(`/api/record?file=${encodeURIComponent(flowFile)}&line=99999`)).status, 404);
    assert.equal((await client.fetch(`/api/record?file=${encodeURIComponent(flowFile)}&line=0`)).status, 400);
    assert.equal((await client.fetch('/api/record?ref=no-such-event')).status, 404);
  });

  test('pivot on the sample attacker address: CloudTrail and flow rows, its intel verdict, the findings that name it', async () => {
    await client.run('port-exposure', { to: TO });
    const { status, body } = await client.json<{
      intel: { verdict: string; reasons: string[] };
      cloudtrail: { rows: Record<string, unknown>[]; total: number; truncated: boolean };
      flows: { rows: Record<string, unknown>[]; total: number; truncated: boolean };
      findings: { findingId: string; action: string }[];
    }>('/api/pivot?kind=address&value=198.51.100.23');
    assert.equal(status, 200);
    assert.equal(body.intel.verdict, 'suspicious');
    assert.match(body.intel.reasons.join(' '), /threat-feed/);
    assert.ok(body.flows.total > 0 && body.flows.rows.length === body.flows.total);
    for (const row of body.flows.rows) assert.ok(row['srcaddr'] === '198.51.100.23' || row['dstaddr'] === '198.51.100.23');
    assert.equal(body.cloudtrail.rows.length, body.cloudtrail.total);
    for (const row of body.cloudtrail.rows) assert.equal(row['sourceipaddress'], '198.51.100.23');
    assert.ok(body.findings.some((f) => f.action === 'isolate'));
    // A quote in the value is a value, never SQL.
    const odd = await client.json<{ cloudtrail: { total: number } }>(`/api/pivot?kind=principal&value=${encodeURIComponent("x' OR '1'='1")}`);
    assert.equal(odd.status, 200);
    assert.equal(odd.body.cloudtrail.total, 0);
    assert.equal((await client.fetch('/api/pivot?kind=table&value=x')).status, 400);
  });
});

describe('SQL console', () => {
  test('a query: columns with types, rows as arrays', async () => {
    const { status, body } = await client.post('/api/sql', {
      sql: 'SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2',
    });
    assert.equal(status, 200);
    assert.deepEqual(body['columns'], [
      { name: 'eventname', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
    ]);
    assert.deepEqual(body['rows'], [
      ['Decrypt', 38],
      ['GetCallerIdentity', 32],
    ]);
    assert.equal(body['truncated'], false);
  });

  test('CSV: an attachment, formula cells defused, as `trailbook sql --format csv` writes it', async () => {
    const query = "SELECT '=HYPERLINK(\"http://evil.example\")' AS a, '+1' AS b, 'plain' AS c";
    const response = await client.fetch('/api/sql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql: query, format: 'csv' }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment/);
    const csv = await response.text();
    assert.equal(csv, `a,b,c\r\n"'=HYPERLINK(""http://evil.example"")",'+1,plain\r\n`);
    const cli = await runInProcess(['sql', query, '--db', store.db, '--format', 'csv', '--no-lint']);
    assert.equal(cli.stdout, csv);
  });

  test('a large result: JSON shows the first 10,000 rows and says so, CSV has every row', async () => {
    const json = await client.post<{ rows: [number][]; truncated: boolean }>('/api/sql', { sql: 'SELECT range AS n FROM range(25000)' });
    assert.equal(json.body.rows.length, 10_000);
    assert.equal(json.body.truncated, true);
    assert.deepEqual(json.body.rows.at(-1), [9999]);
    const response = await client.fetch('/api/sql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT range AS n FROM range(100000)', format: 'csv' }),
    });
    const lines = (await response.text()).split('\r\n');
    assert.equal(lines.length, 100_002, 'header, 100,000 rows, and the empty end');
    assert.equal(lines[100_000], '99999');
  });

  test('a query that fails after a million rows is an error, never a result cut short (JSON and CSV)', async () => {
    // DuckDB's streamed results end silently on such a failure: the console must not stream.
    const sql = "SELECT CAST(CASE WHEN range < 999000 THEN '1' ELSE 'x' END AS INTEGER) AS v FROM range(1000000)";
    for (const format of ['json', 'csv']) {
      const { status, body } = await client.post<{ error: { code: string; message: string } }>('/api/sql', { sql, format });
      assert.equal(status, 400, format);
      assert.equal(body.error.code, 'SQL');
      assert.match(body.error.message, /Conversion Error/);
    }
    assert.equal((await client.post('/api/sql', { sql: 'SELECT 1' })).status, 200, 'the console is free again');
  });

  test('refused: file and network access, writes, two statements, settings — 400 SQL_REFUSED', async () => {
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM read_json('http://127.0.0.1:1/x.json')",
      "COPY (SELECT 1) TO '/tmp/trailbook-serve-copy.csv'",
      'CREATE TABLE t AS SELECT 1',
      'SELECT 1; SELECT 2',
      'SET enable_external_access = true',
      "ATTACH '/tmp/other.duckdb'",
      'INSTALL httpfs',
    ]) {
      const { status, body } = await client.post<{ error: { code: string; hint?: string } }>('/api/sql', { sql });
      assert.equal(status, 400, sql);
      assert.equal(body.error.code, 'SQL_REFUSED', `${sql}: ${JSON.stringify(body)}`);
      assert.doesNotMatch(body.error.hint ?? '', /add --allow-files/);
    }
    const typo = await client.post<{ error: { code: string; message: string } }>('/api/sql', { sql: 'SELECT * FROM cloudtrail_logz' });
    assert.equal(typo.status, 400);
    assert.equal(typo.body.error.code, 'SQL');
    assert.match(typo.body.error.message, /its tables: .*cloudtrail_logs/);
  });
});

describe('evidence', () => {
  test("the default repository: .trailbook/evidence beside the store, the demo's for the default store", () => {
    assert.equal(defaultEvidenceRepo(join('.trailbook', 'trailbook.duckdb')), join('.trailbook', 'evidence'));
    assert.equal(defaultEvidenceRepo(join('cases', 'case.duckdb')), join('cases', '.trailbook', 'evidence'));
  });

  test('commit a run to a temp git repository, then verify it', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'trailbook-serve-evidence-'));
    try {
      const { id } = await client.run('port-exposure', { to: TO });
      const committed = await client.post<{ commit: string; caseId: string; files: number; path: string }>('/api/evidence/commit', {
        runId: id,
        repo,
        caseId: 'case-1',
      });
      assert.equal(committed.status, 200, JSON.stringify(committed.body));
      assert.match(committed.body.commit, /^[0-9a-f]{40}$/);
      assert.equal(committed.body.caseId, 'case-1');
      assert.ok(committed.body.files > 5);
      const verified = await client.post<{ cases: { caseId: string }[]; problems: unknown[] }>('/api/evidence/verify', { repo });
      assert.equal(verified.status, 200);
      assert.deepEqual(verified.body.problems, []);
      assert.deepEqual(
        verified.body.cases.map((c) => c.caseId),
        ['case-1'],
      );
      const badCase = await client.post<{ error: { code: string } }>('/api/evidence/commit', { runId: id, repo, caseId: '../escape' });
      assert.equal(badCase.status, 400);
      // No repository named: the store's own, beside it.
      const beside = await client.post<{ repo: string; commit: string }>('/api/evidence/commit', { runId: id });
      assert.equal(beside.status, 200, JSON.stringify(beside.body));
      assert.equal(beside.body.repo, join(store.dir, '.trailbook', 'evidence'));
      assert.deepEqual((await client.post<{ problems: unknown[] }>('/api/evidence/verify', {})).body.problems, []);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

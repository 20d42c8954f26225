import { gzipSync } from 'node:zlib';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestFlowLogFile, type FlowFileIngest } from '../../src/ingest/vpcflow/index.js';

export const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
export const R1 = '2 123456789012 eni-0aaa 198.51.100.7 10.0.0.5 50000 8443 6 3 180 1700000000 1700000060 ACCEPT OK';
export const R2 = '2 123456789012 eni-0aaa 10.0.0.5 198.51.100.7 8443 50000 6 2 120 1700000000 1700000060 ACCEPT OK';
export const ND = '2 123456789012 eni-0aaa - - - - - - - 1700000100 1700000160 - NODATA';
export const SK = '2 123456789012 eni-0aaa - - - - - - - 1700000200 1700000260 - SKIPDATA';

/** Fixtures: name → [content, the path the fast ingest must take]. */
export const FIXTURES: Record<string, [string | Buffer, 'csv' | 'records']> = {
  'clean.log': [[V2, R1, R2, ND, SK, ''].join('\n'), 'csv'],
  'clean-no-final-newline.log': [[V2, R1, ND].join('\n'), 'csv'],
  'clean.log.gz': [gzipSync([V2, R1, R2, ND, SK, ''].join('\n')), 'csv'],
  'headerless-v2.log': [[R1, R2, ND, ''].join('\n'), 'csv'],
  'repeat-in-file.log': [[V2, R1, R1, R2, R1, ''].join('\n'), 'csv'],
  'leading-zeros-and-dashes.log': [[V2, '2 000123 eni-1 - 10.0.0.1 0080 00443 06 - 0 1700000000 - REJECT OK', ''].join('\n'), 'csv'],
  'custom-no-start.log': [['interface-id srcaddr dstport action', 'eni-1 10.0.0.1 22 ACCEPT', 'eni-1 10.0.0.1 - -', ''].join('\n'), 'csv'],
  'dollar-header.log': [
    [
      V2.split(' ')
        .map((f) => '${' + f + '}')
        .join(' '),
      R1,
      ND,
      '',
    ].join('\n'),
    'csv',
  ],
  'lower-case-first-field.log': [['interface-id srcaddr log-status', 'eni-1 10.0.0.1 OK', 'eni-2 - NODATA', ''].join('\n'), 'csv'],
  'crlf.log': [[V2, R1, R2, ''].join('\r\n'), 'records'],
  'double-space.log': [[V2, R1.replace(' ', '  '), R2, ''].join('\n'), 'records'],
  'bad-port.log': [[V2, R1, R2.replace('50000', '70000'), ''].join('\n'), 'records'],
  'non-numeric.log': [[V2, R1, R2.replace('50000', '5x000'), ''].join('\n'), 'records'],
  'too-few.log': [[V2, R1, '2 123456789012 eni-0aaa', ''].join('\n'), 'records'],
  'repeated-header.log': [[V2, R1, V2, R2, ''].join('\n'), 'records'],
  'header-change.log': [[V2, R1, 'version srcaddr dstaddr', '2 10.0.0.1 10.0.0.2', ''].join('\n'), 'records'],
  'empty-line.log': [[V2, R1, '', R2, ''].join('\n'), 'records'],
  'json.log': [[JSON.stringify({ message: R1 }), ''].join('\n'), 'records'],
  'tgw-field.log': [['version tgw-id srcaddr', '6 tgw-1 10.0.0.1', ''].join('\n'), 'records'],
  'unknown-field.log': [['version srcaddr frobnicate', '2 10.0.0.1 x', ''].join('\n'), 'records'],
  'int-overflow.log': [['version srcaddr', '4294967296 10.0.0.1', ''].join('\n'), 'records'],
  'non-ascii.log': [[V2, R1.replace('ACCEPT', 'ACCEPTé'), ''].join('\n'), 'records'],
  'header-only.log': [[V2, ''].join('\n'), 'records'],
  'empty.log': ['', 'records'],
  'timestamp-prefix.log': [['2024-05-10T00:00:00.000Z ' + R1, ''].join('\n'), 'records'],
};

export async function ingestAll(files: string[], fast: boolean): Promise<{ results: FlowFileIngest[]; rows: unknown[] }> {
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const results: FlowFileIngest[] = [];
    for (const file of files) results.push(await ingestFlowLogFile(engine, file, { fast }));
    // Every column, the internal ones included (key, its hash, file, line, kind, start_ts, extra).
    const { rows } = await engine.all('SELECT * FROM vpc_flow_records ORDER BY _key, _file, _line');
    return { results, rows };
  } finally {
    await engine.close();
  }
}

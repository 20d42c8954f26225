import { h } from 'preact';
import { sanitizeForTerminal } from '../../report/escape.js';
import { api } from '../api.js';
import { useApi } from '../use-api.js';
import { ErrorNote, Loading, shown } from './text.js';

/**
 * The raw CloudTrail record or flow-log line behind an evidence row, read from its source file by
 * the server (only files the store's ledger knows). Shown as text: the record's JSON pretty-printed
 * when the server parsed it, else the exact line.
 */
/** An evidence row's `source_ref`, or a pivot row's file and line. */
export type RecordSource = { ref: string } | { file: string; line: number };

export function RawRecord({ source, onClose }: { source: RecordSource; onClose: () => void }) {
  const key = 'ref' in source ? source.ref : `${source.file}\u0000${source.line}`;
  const { data, error, loading } = useApi(() => ('ref' in source ? api.record(source.ref) : api.recordAt(source.file, source.line)), [key]);
  return h(
    'div',
    { class: 'raw-record', 'data-testid': 'raw-record' },
    h(
      'div',
      { class: 'raw-head' },
      data
        ? h('span', null, `${data.kind === 'vpcflow' ? 'Flow log line' : 'CloudTrail record'} ${data.line} of `, h('code', null, shown(data.file)))
        : 'Raw record',
      h('button', { type: 'button', class: 'close', onClick: onClose, 'aria-label': 'Close the raw record' }, '×'),
    ),
    loading ? h(Loading, { what: 'the raw record' }) : null,
    error ? h(ErrorNote, { error }) : null,
    data ? h('pre', null, data.record === undefined ? shown(data.text) : prettyJson(data.record)) : null,
  );
}

/**
 * Pretty JSON with invisible and reordering characters (U+202E…) and C1 controls made visible, as
 * the terminal shows them; JSON.stringify already escapes the C0 controls.
 */
function prettyJson(value: unknown): string {
  return sanitizeForTerminal(JSON.stringify(value, null, 2));
}

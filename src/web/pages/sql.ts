import { h } from 'preact';
import { useState } from 'preact/hooks';
import { api, type SqlResult } from '../api.js';
import { DataTable } from '../components/table.js';
import { ErrorNote } from '../components/text.js';

const EXAMPLE = `SELECT eventtime, eventname, sourceipaddress, useridentity.arn
FROM cloudtrail_logs
ORDER BY eventtime
LIMIT 100`;

/** The SQL console: one query over the Athena-shaped tables, locked as `trailbook sql` is. */
export function SqlPage() {
  const [sql, setSql] = useState(EXAMPLE);
  const [state, setState] = useState<{ busy: boolean; result?: SqlResult; error?: unknown }>({ busy: false });
  const run = async (event: Event) => {
    event.preventDefault();
    setState({ busy: true });
    try {
      setState({ busy: false, result: await api.sql(sql) });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const csv = async () => {
    try {
      const text = await api.sqlCsv(sql);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      link.download = 'trailbook-query.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const result = state.result;
  return h(
    'form',
    { class: 'sql-page', onSubmit: run },
    h('h2', null, 'SQL console'),
    h('p', { class: 'meta' }, 'One query over cloudtrail_logs, vpc_flow_logs and the other Athena-shaped tables; no file or network access.'),
    h('textarea', {
      'data-testid': 'sql-input',
      rows: 8,
      spellcheck: false,
      value: sql,
      onInput: (e: Event) => setSql((e.target as HTMLTextAreaElement).value),
      // Ctrl+Enter (⌘+Enter) runs the query without leaving the keyboard.
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
      },
    }),
    h(
      'div',
      { class: 'sql-actions' },
      h('button', { type: 'submit', 'data-testid': 'sql-run', disabled: state.busy }, state.busy ? 'Running…' : 'Run'),
      h('button', { type: 'button', 'data-testid': 'sql-csv', onClick: csv }, 'Download CSV'),
      h('span', { class: 'hint' }, 'Ctrl+Enter runs it.'),
    ),
    state.error ? h(ErrorNote, { error: state.error }) : null,
    result
      ? h(
          'div',
          { class: 'sql-result' },
          h('p', { class: 'meta' }, `${result.rows.length} rows${result.truncated ? ' (truncated)' : ''} in ${result.elapsedMs} ms`),
          h(DataTable, { rows: result.rows, columns: result.columns.map((c) => c.name), testid: 'sql-result' }),
        )
      : null,
  );
}

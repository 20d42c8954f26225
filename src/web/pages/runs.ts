import { h } from 'preact';
import { api } from '../api.js';
import { ErrorNote, Loading, shown } from '../components/text.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

/** This session's runs, newest first as the server lists them. */
export function RunsPage() {
  const { data, error, loading } = useApi(api.runs, []);
  if (loading && !data) return h(Loading, { what: 'the runs' });
  if (error) return h(ErrorNote, { error });
  if (!data?.length) return h('p', null, 'No run yet: pick a runbook and run it.');
  return h(
    'table',
    { class: 'data runs' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['run', 'runbook', 'status', 'started', 'summary'].map((n) => h('th', null, n)),
      ),
    ),
    h(
      'tbody',
      null,
      data.map((r) =>
        h(
          'tr',
          null,
          h('td', null, h('a', { href: href.run(r.id) }, shown(r.id))),
          h('td', null, shown(r.runbook)),
          h('td', null, shown(r.status)),
          h('td', null, h('time', null, shown(r.startedAt))),
          h('td', null, shown(r.summary ?? '')),
        ),
      ),
    ),
  );
}

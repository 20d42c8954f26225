import { h } from 'preact';
import { useState } from 'preact/hooks';
import { api, type Session } from './api.js';
import { PivotContext, PivotPanel, type PivotTarget } from './components/pivot.js';
import { shown } from './components/text.js';
import { RunPage } from './pages/run.js';
import { RunbooksPage } from './pages/runbooks.js';
import { RunsPage } from './pages/runs.js';
import { SqlPage } from './pages/sql.js';
import { href, useRoute, type Route } from './router.js';
import { useApi } from './use-api.js';

/** The workspace: a header with the store and the pages, the page of the route, the pivot panel. */
export function App() {
  const route = useRoute();
  const session = useApi(api.session, []);
  const store = useApi(api.store, []);
  const [pivot, setPivot] = useState<PivotTarget | null>(null);
  const counts = store.data ? `${store.data.cloudtrail.events ?? '?'} CloudTrail events · ${store.data.vpcflow.records ?? '?'} flow records` : '';
  return h(
    PivotContext.Provider,
    { value: setPivot },
    h(
      'div',
      { class: `workspace${pivot ? ' with-panel' : ''}` },
      h(
        'header',
        { class: 'top' },
        h('a', { class: 'brand', href: '#/' }, 'trailbook'),
        h(
          'nav',
          null,
          h('a', { href: href.runbooks(), class: route.page === 'runbooks' ? 'active' : '' }, 'Runbooks'),
          h('a', { href: href.runs(), class: route.page === 'runs' || route.page === 'run' ? 'active' : '' }, 'Runs'),
          h('a', { href: href.sql(), class: route.page === 'sql' ? 'active' : '' }, 'SQL'),
        ),
        h('span', { class: 'store', title: session.data ? shown(session.data.db) : '' }, counts, session.data?.readOnly ? ' · read-only' : ''),
      ),
      h('main', null, page(route, session.data)),
      pivot ? h(PivotPanel, { target: pivot, onClose: () => setPivot(null), key: `${pivot.kind}:${pivot.value}` }) : null,
    ),
  );
}

function page(route: Route, session: Session | undefined) {
  switch (route.page) {
    case 'runbooks':
      return h(RunbooksPage, { selected: route.runbook });
    case 'runs':
      return h(RunsPage, null);
    case 'run':
      return h(RunPage, { id: route.id, session, key: route.id, ...(route.finding ? { finding: route.finding } : {}) });
    case 'sql':
      return h(SqlPage, null);
    case 'not-found':
      return h('p', null, 'No such page: ', h('code', null, shown(route.path)));
  }
}

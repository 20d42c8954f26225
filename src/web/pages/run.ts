import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { api, type Session } from '../api.js';
import { ReportView } from '../components/report.js';
import { ErrorNote, Loading, shown } from '../components/text.js';
import { useApi } from '../use-api.js';

/** How often a queued or running run is asked about (the contract's 500 ms). */
const POLL_MS = 500;

/** A run: its progress while it runs (polled), then its report; or why it failed. */
export function RunPage({ id, session, finding }: { id: string; session: Session | undefined; finding?: string }) {
  const run = useApi(() => api.run(id), [id]);
  const finished = run.data?.status === 'done' || run.data?.status === 'failed';
  useEffect(() => {
    if (!run.data || finished) return;
    const timer = setTimeout(run.reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [run.data, finished, run.reload]);
  if (run.error) return h(ErrorNote, { error: run.error });
  if (!run.data) return h(Loading, { what: `run ${id}` });
  const { status, progress, error } = run.data;
  const steps = h(
    'ol',
    null,
    progress.map((p) => h('li', null, h('time', null, shown(p.at)), ' ', h('code', null, shown(p.step)), ' ', shown(p.message))),
  );
  return h(
    'div',
    { class: 'run-page' },
    status === 'done'
      ? // Once done, the steps stay one click away: what ran, in what order, when.
        h(
          'details',
          { class: 'run-log', 'data-testid': 'run-log' },
          h('summary', null, `Run ${shown(id)}: ${shown(run.data.runbook)} · done in ${progress.length} steps`),
          steps,
        )
      : h(
          'section',
          { class: `run-progress ${status}`, 'data-testid': 'run-progress', 'data-status': status },
          h('h2', null, `Run ${shown(id)}: ${shown(run.data.runbook)} · ${status}`),
          steps,
          status === 'failed' ? h(ErrorNote, { error: typeof error === 'string' ? error : (error?.message ?? 'the run failed') }) : null,
        ),
    status === 'done' ? h(RunReport, { id, session, finding }) : null,
  );
}

function RunReport({ id, session, finding }: { id: string; session: Session | undefined; finding: string | undefined }) {
  const { data, error } = useApi(() => api.report(id), [id]);
  if (error) return h(ErrorNote, { error });
  if (!data) return h(Loading, { what: 'the report' });
  return h(ReportView, { report: data, runId: id, session, initialFinding: finding, key: finding ?? '' });
}

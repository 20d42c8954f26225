import { h } from 'preact';
import { useState } from 'preact/hooks';
import { api, type Session, type VerifyResult } from '../api.js';
import { ErrorNote, shown } from './text.js';

/** Commit a run's evidence bundle to the store's evidence repository, and verify the repository. */
export function EvidenceActions({ runId, session }: { runId: string; session: Session | undefined }) {
  const [state, setState] = useState<{ busy: boolean; result?: string; error?: unknown }>({ busy: false });
  if (session && !session.features.evidence) return h('p', { class: 'meta' }, 'Evidence commits are not available in this workspace.');
  const act = (what: () => Promise<unknown>, describe: (result: never) => string) => async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, result: describe((await what()) as never) });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return h(
    'div',
    { class: 'evidence-actions' },
    h(
      'button',
      {
        type: 'button',
        'data-testid': 'evidence-commit',
        disabled: state.busy,
        onClick: act(
          () => api.commitEvidence(runId),
          (r: { commit: string; caseId: string; path: string }) => `Committed ${shown(r.commit).slice(0, 12)} as case ${shown(r.caseId)} in ${shown(r.path)}`,
        ),
      },
      'Commit evidence',
    ),
    h('button', { type: 'button', 'data-testid': 'evidence-verify', disabled: state.busy, onClick: act(api.verifyEvidence, verifyText) }, 'Verify evidence'),
    state.result ? h('p', { class: 'ok', 'data-testid': 'evidence-result' }, state.result) : null,
    state.error ? h(ErrorNote, { error: state.error }) : null,
  );
}

/** The verify result in a line: every case intact, or each problem (docs/evidence.md). */
function verifyText(result: VerifyResult): string {
  const cases = result.cases.map((c) => `${shown(c.caseId)} (${c.versions} version${c.versions === 1 ? '' : 's'}, ${c.files} files)`).join(', ');
  if (!result.problems.length) return `Verify: intact — ${cases || 'no case yet'}`;
  return `Verify: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} — ${result.problems
    .map((p) => `${p.kind}${p.caseId ? ` in ${shown(p.caseId)}` : ''}${p.path ? ` at ${shown(p.path)}` : ''}: ${shown(p.detail)}`)
    .join('; ')}`;
}

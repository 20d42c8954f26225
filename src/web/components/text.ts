import { h } from 'preact';
import { sanitizeForTerminal } from '../../report/escape.js';
import { plain } from '../../report/render/safe.js';
import { ApiError } from '../api.js';

/**
 * How the workspace shows values. Every log-derived string goes through `plain` (control and
 * invisible characters such as U+202E made visible, as in every other report) and reaches the
 * DOM as text through Preact, never as markup or a URL.
 */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return plain(JSON.stringify(value));
  return plain(String(value));
}

/** Prose (a runbook's description): lines kept, control and invisible characters made visible. */
export function shownProse(value: string | undefined): string {
  return value === undefined ? '' : sanitizeForTerminal(value).trim();
}

export function Code({ value }: { value: unknown }) {
  return h('code', null, shown(value));
}

export function ErrorNote({ error }: { error: unknown }) {
  if (error instanceof ApiError)
    return h(
      'div',
      { class: 'error', role: 'alert' },
      h('strong', null, shown(error.code)),
      ': ',
      shown(error.message),
      error.hint ? h('div', { class: 'hint' }, shown(error.hint)) : null,
      Array.isArray(error.problems)
        ? h(
            'ul',
            null,
            error.problems.map((p) => h('li', null, problemText(p))),
          )
        : null,
    );
  return h('div', { class: 'error', role: 'alert' }, shown(error instanceof Error ? error.message : error));
}

export function Loading({ what }: { what: string }) {
  return h('p', { class: 'loading' }, `Loading ${what}…`);
}

/** A runbook parameter problem (`{ parameter, message }`) as one line. */
function problemText(problem: unknown): string {
  if (typeof problem !== 'object' || problem === null) return shown(problem);
  const { parameter, message } = problem as { parameter?: unknown; message?: unknown };
  return parameter === undefined ? shown(message ?? problem) : `${shown(parameter)}: ${shown(message)}`;
}

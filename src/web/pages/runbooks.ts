import { h } from 'preact';
import { useState } from 'preact/hooks';
import { api, type RunbookEntry, type RunbookParameter } from '../api.js';
import { ErrorNote, Loading, shown, shownProse } from '../components/text.js';
import { href, navigate } from '../router.js';
import { useApi } from '../use-api.js';

/** Pick a runbook, fill its parameters (defaults filled in), run it; the run's page shows progress. */
export function RunbooksPage({ selected }: { selected: string | undefined }) {
  const { data, error, loading } = useApi(api.runbooks, []);
  const runbook = data?.find((r) => r.id === selected);
  return h(
    'div',
    { class: 'runbooks-page' },
    h(
      'nav',
      { class: 'runbook-list', 'data-testid': 'runbook-list' },
      h('h2', null, 'Runbooks'),
      loading ? h(Loading, { what: 'the runbooks' }) : null,
      error ? h(ErrorNote, { error }) : null,
      (data ?? []).map((r) =>
        h(
          'a',
          { href: href.runbook(r.id), class: `runbook${r.id === selected ? ' selected' : ''}`, 'data-testid': `runbook-${r.id}` },
          h('strong', null, shown(r.title)),
          h('span', { class: 'meta' }, ' ', h('code', null, shown(r.id)), ` ${shown(r.version)}`),
        ),
      ),
    ),
    runbook ? h(RunForm, { runbook, key: runbook.id }) : h('p', { class: 'pick' }, data?.length ? 'Pick a runbook to run it on the store.' : ''),
  );
}

/** A parameter's value as the form shows it (defaults may be numbers, lists or booleans). */
function initialValue(p: RunbookParameter): string {
  if (p.default === undefined || p.default === null) return '';
  return Array.isArray(p.default) ? p.default.join(', ') : String(p.default);
}

/** The values a parameter can only take (its enum, or true/false), as the select offers them. */
function choices(p: RunbookParameter): string[] | null {
  if (p.enum?.length) return p.enum.map(String);
  return p.type === 'boolean' ? ['true', 'false'] : null;
}

/** The form's text back to the parameter's type; empty optional fields are left to the runbook's default. */
function typedValue(p: RunbookParameter, text: string): unknown {
  const value = text.trim();
  if (/^(int|integer|number|port)$/.test(p.type) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (p.type === 'boolean') return value === 'true';
  if (/list|array|\[\]/.test(p.type))
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return value;
}

function RunForm({ runbook }: { runbook: RunbookEntry }) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(runbook.parameters.map((p) => [p.name, initialValue(p)])));
  const [state, setState] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const submit = async (event: Event) => {
    event.preventDefault();
    setState({ busy: true });
    const parameters: Record<string, unknown> = {};
    for (const p of runbook.parameters) {
      const text = values[p.name] ?? '';
      if (text.trim() === '' && !p.required) continue;
      parameters[p.name] = typedValue(p, text);
    }
    try {
      const { id } = await api.startRun(runbook.id, parameters);
      navigate(href.run(id));
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return h(
    'form',
    { class: 'run-form', onSubmit: submit },
    h('h2', null, shown(runbook.title)),
    h('p', { class: 'description' }, shownProse(runbook.description)),
    runbook.parameters.map((p) =>
      h(
        'label',
        { class: 'param' },
        h('span', { class: 'param-name' }, h('code', null, shown(p.name)), p.required ? ' (required)' : '', ` · ${shown(p.type)}`),
        choices(p)
          ? h(
              'select',
              {
                'data-testid': `param-${p.name}`,
                value: values[p.name],
                onChange: (e: Event) => setValues({ ...values, [p.name]: (e.target as HTMLSelectElement).value }),
              },
              choices(p)!.map((option) => h('option', { value: option }, shown(option))),
            )
          : h('input', {
              'data-testid': `param-${p.name}`,
              name: p.name,
              value: values[p.name],
              required: p.required,
              onInput: (e: Event) => setValues({ ...values, [p.name]: (e.target as HTMLInputElement).value }),
            }),
        h('span', { class: 'param-description' }, shownProse(p.description)),
      ),
    ),
    h('button', { type: 'submit', 'data-testid': 'run-button', disabled: state.busy }, state.busy ? 'Starting…' : 'Run'),
    state.error ? h(ErrorNote, { error: state.error }) : null,
  );
}

import { type ComponentChildren, h } from 'preact';
import type { Report } from '../../report/contract.js';
import { answersHeading, keyKindText, mfaText, questionViews, readRow, viaText, type AnswerView } from '../../report/render/model.js';
import { PivotLink } from './pivot.js';
import { Code, shown } from './text.js';

/** The runbook's questions and their answers, first on the report page (as in every report format). */
export function Answers({ report }: { report: Report }) {
  const heading = answersHeading(report);
  return h(
    'section',
    { class: 'answers', 'data-testid': 'answers' },
    h('h2', null, heading[0]!.toUpperCase() + heading.slice(1)),
    questionViews(report).map((q) =>
      h(
        'div',
        { class: 'q' },
        h('h3', null, `Q${q.n}. `, shown(q.label)),
        q.details.length
          ? h(
              'dl',
              null,
              h('dt', null, capitalized(q.answer.label ?? 'answer')),
              h('dd', null, h(AnswerValue, { view: q.answer })),
              q.details
                .filter((d) => !(d.type === 'time' && d.value === null))
                .map((d) => [h('dt', null, capitalized(d.label ?? '')), h('dd', null, h(AnswerValue, { view: d }))]),
            )
          : h('div', { class: 'answer' }, h(AnswerValue, { view: q.answer })),
      ),
    ),
  );
}

const capitalized = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

function AnswerValue({ view }: { view: AnswerView }) {
  switch (view.type) {
    case 'time': {
      if (view.value === null) return h('span', null, 'never (no finding)');
      const r = view.row;
      if (!r) return h('time', null, shown(view.value));
      return h(
        'span',
        null,
        h('time', null, shown(r.ts)),
        ' ',
        h(Code, { value: r.action }),
        readRow(r).kind === 'connection' ? ' from ' : ' by ',
        readRow(r).kind === 'connection' ? null : [r.actor ? h(PivotLink, { kind: 'principal', value: r.actor }) : '?', ' from '],
        r.source_ip ? h(PivotLink, { kind: 'address', value: r.source_ip }) : '?',
        ' on ',
        r.resource ? h(PivotLink, { kind: 'resource', value: r.resource }) : '?',
      );
    }
    case 'list':
      return h('span', null, view.value.length ? view.value.map((s, i) => [i ? ', ' : '', h(Code, { value: s })]) : 'none');
    case 'number':
    case 'direction':
      return h('span', null, String(view.value));
    case 'yes-no':
      return h('span', null, view.value ? 'yes' : 'no');
    case 'credentials':
      return h(CellTable, {
        heads: ['identity', 'ARN', 'access key', 'key', 'MFA', 'via'],
        rows: view.value.map((c) => [
          shown(c.identityType),
          c.arn ? h(PivotLink, { kind: 'principal', value: c.arn }) : '',
          c.accessKeyId ? h(PivotLink, { kind: 'key', value: c.accessKeyId }) : 'none',
          keyKindText(c),
          mfaText(c.mfa),
          viaText(c.via),
        ]),
      });
    case 'parties':
      return h(CellTable, {
        heads: ['verdict', 'source', 'role', 'reasons'],
        rows: view.value.map((s) => [
          h('span', { class: `verdict ${shown(s.verdict)}` }, shown(s.verdict)),
          h(PivotLink, { kind: 'address', value: s.ip }),
          shown(s.role ?? ''),
          s.reasons.map((r) => h('div', null, shown(r))),
        ]),
      });
  }
}

/** A small table of cells already made (text or pivots); `none` when there are no rows. */
function CellTable({ heads, rows }: { heads: string[]; rows: ComponentChildren[][] }) {
  if (!rows.length) return h('span', null, 'none');
  return h(
    'table',
    { class: 'data' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        heads.map((n) => h('th', null, n)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((cells) =>
        h(
          'tr',
          null,
          cells.map((cell) => h('td', null, cell)),
        ),
      ),
    ),
  );
}

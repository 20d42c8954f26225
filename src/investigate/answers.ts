import type { Row } from '../engines/engine.js';
import { conditionHolds, resolveField } from '../decide/evaluate.js';
import type { AnswerType, AnswerValue, Credentials, Finding, Report, ReportQuestion, SourceAssessment } from '../report/contract.js';
import type { Answer, Question, Reducer } from '../runbook/schema.js';
import { compareText } from '../text.js';
import { title } from './assemble.js';

/**
 * A runbook's answers over all findings of a run (pure), and its questions as the report asks
 * them. Each answer is a reducer over a field of the findings, or of their rows
 * (runbook/schema.ts REDUCERS); findings are read in report order, rows in time order, so the
 * first of equal times is the one a reader meets first.
 */
export interface FindingWithRows {
  finding: Finding;
  rows: readonly Row[];
}

export const ANSWER_TYPES: Record<Reducer, AnswerType> = {
  earliest: 'time',
  latest: 'time',
  distinct: 'list',
  count: 'number',
  exists: 'yes-no',
  sum: 'number',
  direction: 'direction',
  credentials: 'credentials',
  parties: 'parties',
};

export function computeAnswers(
  answers: Readonly<Record<string, Answer>>,
  findings: readonly FindingWithRows[],
  params: Readonly<Record<string, unknown>>,
): Pick<Report, 'answers' | 'answerRows'> {
  const out: Report['answers'] = {};
  const answerRows: Report['answerRows'] = {};
  for (const [id, answer] of Object.entries(answers)) {
    const chosen = answer.findings
      ? findings.filter((f) => conditionHolds(answer.findings!, f.finding as unknown as Record<string, unknown>, params))
      : findings;
    const { value, from } = reduce(answer, chosen, params);
    out[id] = value;
    if (from) answerRows[id] = from;
  }
  return { answers: out, answerRows };
}

interface Reduced {
  value: AnswerValue;
  from?: { finding: string; source_ref: string };
}

/** The values an answer reads: each with the finding (and row) it came from. */
function valuesOf(
  answer: Answer,
  findings: readonly FindingWithRows[],
  params: Readonly<Record<string, unknown>>,
): { value: unknown; finding: Finding; row?: Row }[] {
  const field = answer.field ?? '';
  const out: { value: unknown; finding: Finding; row?: Row }[] = [];
  for (const f of findings) {
    if (answer.rows) {
      for (const row of f.rows) {
        if (!conditionHolds(answer.rows, row, params)) continue;
        for (const value of resolveField(row, field).values) out.push({ value, finding: f.finding, row });
      }
    } else {
      for (const value of resolveField(f.finding, field).values) out.push({ value, finding: f.finding });
    }
  }
  return out.filter((v) => v.value !== undefined && v.value !== null && v.value !== '');
}

function reduce(answer: Answer, findings: readonly FindingWithRows[], params: Readonly<Record<string, unknown>>): Reduced {
  switch (answer.reduce) {
    case 'earliest':
    case 'latest': {
      let best: { value: unknown; finding: Finding; row?: Row } | undefined;
      for (const v of valuesOf(answer, findings, params)) {
        const cmp = best === undefined ? 0 : compareText(String(v.value), String(best.value));
        if (best === undefined || (answer.reduce === 'earliest' ? cmp < 0 : cmp > 0)) best = v;
      }
      if (!best) return { value: null };
      const ref = best.row?.['source_ref'];
      return { value: String(best.value), ...(typeof ref === 'string' ? { from: { finding: best.finding.id, source_ref: ref } } : {}) };
    }
    case 'distinct':
      return { value: [...new Set(valuesOf(answer, findings, params).map((v) => String(v.value)))].sort(compareText) };
    case 'count':
      return {
        value: answer.rows ? findings.reduce((n, f) => n + f.rows.filter((r) => conditionHolds(answer.rows!, r, params)).length, 0) : findings.length,
      };
    case 'exists':
      return { value: answer.rows ? findings.some((f) => f.rows.some((r) => conditionHolds(answer.rows!, r, params))) : findings.length > 0 };
    case 'sum':
      return { value: valuesOf(answer, findings, params).reduce((n, v) => n + (Number(v.value) || 0), 0) };
    case 'direction': {
      const seen = new Set(findings.flatMap(({ finding: f }) => (f.direction === 'both' ? ['inbound', 'outbound'] : f.direction ? [f.direction] : [])));
      return { value: seen.size === 2 ? 'both' : seen.size === 1 ? [...seen][0]! : 'none' };
    }
    case 'credentials': {
      const list: Credentials[] = [];
      const seen = new Set<string>();
      for (const { finding: f } of findings) {
        if (!f.credentials) continue;
        const key = `${f.credentials.arn}|${f.credentials.accessKeyId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push(f.credentials);
      }
      return { value: list };
    }
    case 'parties': {
      const list: SourceAssessment[] = [];
      const seen = new Set<string>();
      for (const { finding: f } of findings) {
        for (const s of f.sources) {
          if (seen.has(s.ip)) continue;
          seen.add(s.ip);
          list.push(s);
        }
      }
      const order = { suspicious: 0, known: 1, allowed: 2 } as const;
      return { value: list.sort((a, b) => order[a.verdict] - order[b.verdict] || compareText(a.ip, b.ip)) };
    }
  }
}

/** The runbook's questions with parameters filled in and each answer's type. */
export function reportQuestions(
  questions: readonly Question[],
  answers: Readonly<Record<string, Answer>>,
  params: Readonly<Record<string, unknown>>,
): ReportQuestion[] {
  const typeOf = (id: string): AnswerType => ANSWER_TYPES[answers[id]?.reduce ?? 'count'];
  return questions.map((q) => ({
    id: q.id,
    label: title(q.label, [], 0, params),
    answer: q.answer,
    type: typeOf(q.answer),
    ...(q.answerLabel ? { answerLabel: title(q.answerLabel, [], 0, params) } : {}),
    details: (q.details ?? []).map((d) => ({ label: title(d.label, [], 0, params), answer: d.answer, type: typeOf(d.answer) })),
  }));
}

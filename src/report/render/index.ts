import type { DecisionTree } from '../../decide/tree-schema.js';
import type { Report } from '../contract.js';
import { toV1 } from '../v1.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderOcsf } from './ocsf.js';
import { renderText, summaryLine, type TextOptions } from './text.js';

/**
 * The report surfaces of `trailbook investigate --format …`. All take the same `Report`
 * (contract.ts). Machine output: `json` is the contract itself, unchanged; `ocsf` is one OCSF
 * Detection Finding a line per finding (ocsf.ts, docs/ocsf.md).
 */

export const REPORT_FORMATS = ['text', 'json', 'md', 'html', 'ocsf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Options for the terminal (`full` also for Markdown); `schema` chooses the JSON contract:
 * v2 (default, any runbook) or v1 (the port runbook's, kept for its consumers until 2027-12-31);
 * `decisionTree` (the runbook's) lets the HTML report draw each finding's decision as the tree.
 */
export type RenderOptions = Partial<TextOptions> & { schema?: 'v1' | 'v2'; decisionTree?: DecisionTree };

export function renderReport(report: Report, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(report, {
        color: options.color ?? false,
        full: options.full ?? false,
        ...(options.width !== undefined ? { width: options.width } : {}),
        ...(options.coverage ? { coverage: options.coverage } : {}),
      });
    case 'json':
      return JSON.stringify(options.schema === 'v1' ? toV1(report) : report, null, 2) + '\n';
    case 'md':
      return renderMarkdown(report, { full: options.full ?? false, ...(options.coverage ? { coverage: options.coverage } : {}) });
    case 'html':
      return renderHtml(report, options.coverage, options.decisionTree);
    case 'ocsf':
      return renderOcsf(report);
  }
}

export type { Coverage } from './model.js';
export { renderHtml, renderMarkdown, renderOcsf, renderText, summaryLine, type TextOptions };
export { CONTENT_SECURITY_POLICY } from './html.js';

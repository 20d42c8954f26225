import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORT_SCHEMA } from '../../report/contract.js';
import { OCSF_ACTIVITY, OCSF_STATUS_RESOLVED, ocsfFinding } from '../../report/render/ocsf.js';
import type { Alert } from '../alert.js';
import { type Sink, SinkError } from '../sink.js';

export interface OcsfFolderOptions {
  name: string;
  /** Absolute: the configuration makes it so. Created when missing. */
  folder: string;
}

/** `trailbook-YYYYMMDD.ocsf.jsonl`, by the UTC day the alert was raised: one file a day, as Security Lake and log shippers pick them up. */
export function ocsfFileName(raisedAt: string): string {
  const day = new Date(Date.parse(raisedAt) || Date.now()).toISOString().slice(0, 10).replace(/-/g, '');
  return `trailbook-${day}.ocsf.jsonl`;
}

/**
 * The alert as one OCSF Detection Finding (class 2004), built by the report's own mapping
 * (src/report/render/ocsf.ts, docs/ocsf.md): a new finding is Create, an escalated one Update
 * (a consumer upserts on `finding_info.uid`), a resolved one Close with status Resolved.
 */
export function ocsfAlertLine(alert: Alert): string {
  const context = { schema: REPORT_SCHEMA as typeof REPORT_SCHEMA, generatedAt: alert.raisedAt, runbook: alert.runbook, subject: alert.subject };
  const options =
    alert.change === 'resolved'
      ? { activity: OCSF_ACTIVITY.close, status: OCSF_STATUS_RESOLVED }
      : { activity: alert.change === 'escalated' ? OCSF_ACTIVITY.update : OCSF_ACTIVITY.create };
  return `${JSON.stringify(ocsfFinding(context, alert.finding, options))}\n`;
}

/** Errors a retry cannot fix (the folder is not writable or not a folder); anything else (a full disk) may pass. */
const FINAL = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);

export function ocsfFolderSink(options: OcsfFolderOptions): Sink {
  return {
    name: options.name,
    async send(alert: Alert) {
      const path = join(options.folder, ocsfFileName(alert.raisedAt));
      try {
        await mkdir(options.folder, { recursive: true });
        // One append of the whole line: readers tailing the file never see half an event from this writer.
        await appendFile(path, ocsfAlertLine(alert), { flag: 'a' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new SinkError(`${options.name}: cannot append to ${path} (${code})`, !FINAL.has(code));
      }
    },
  };
}

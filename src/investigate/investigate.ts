import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import { classify, formatPrefix, type IntelIndex, summarizeFeed } from '../intel/index.js';
import { compile } from '../runbook/compile.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { gitSourceOf } from '../runbook/provenance.js';
import { evaluate } from '../decide/evaluate.js';
import { REPORT_SCHEMA, type Finding, type Report } from '../report/contract.js';
import { compareActions } from '../decide/actions.js';
import { assembleFindings, title, type AssembledFinding } from './assemble.js';
import { computeAnswers, reportQuestions } from './answers.js';
import { enrichRows, type JudgedSource } from './enrich.js';
import { lookupIdentities, type CallerIdentity } from './identities.js';
import { computeSignals } from './signals.js';
import { runSteps } from './steps.js';
import { compareText } from '../text.js';

export interface InvestigateOptions {
  runbook: LoadedRunbook;
  /** Parameter values as given (strings from the CLI are converted by the plan). */
  parameters: Record<string, unknown>;
  intel: IntelIndex;
  now?: Date;
  /** What ingest read, for the report's inputs section. */
  inputs?: Partial<Report['inputs']>;
  /** Told as the run moves on: each step before it runs, then the judging of its rows. */
  onProgress?: (progress: InvestigateProgress) => void;
}

/** One stage of a run: a plan step's id (or `identities`, `decide`) and what it does, in words. */
export interface InvestigateProgress {
  step: string;
  message: string;
}

/**
 * Load → compile → execute → enrich → group → signals → decide → answers → report: any runbook's
 * whole run on one engine. What the runbook asks, groups, tests and decides is its YAML's; this
 * function only runs it.
 */
export async function investigate(engine: Engine, options: InvestigateOptions): Promise<Report> {
  const { runbook, intel } = options;
  const content = runbook.runbook;
  const now = options.now ?? new Date();
  const plan = compile(content, options.parameters, { now });
  const params = Object.fromEntries(Object.entries(plan.parameters).map(([k, p]) => [k, p.value]));
  const vpcCidrs = intel.trusted.networks.filter((n) => n.kind === 'vpc').flatMap((n) => n.cidrs.map(formatPrefix));
  const known = new Map<string, CallerIdentity>();
  const tell = options.onProgress ?? (() => {});
  const steps = await runSteps(plan, {
    engine,
    intel,
    vpcCidrs,
    identities: known,
    onStep: (step, index, total) => tell({ step: step.id, message: `step ${index + 1} of ${total}: ${step.title}` }),
  });
  tell({ step: 'identities', message: 'looking up the callers of the evidence events' });
  const eventIds = [...steps.values()]
    .flat()
    .map((r) => r['source_ref'])
    .filter((v): v is string => typeof v === 'string' && !v.startsWith('flow:'));
  const identities = await lookupIdentities(engine, [...new Set(eventIds)], known);
  enrichRows(steps, {
    identities,
    judge: judgeWith(intel),
    isApprovedPrincipal: (arn) => classify(intel, '0.0.0.0', { principalArn: arn }).matches.some((m) => m.source === 'principal'),
  });

  tell({ step: 'decide', message: 'grouping rows into findings and walking the decision tree' });
  const decided = assembleFindings(content.findings, steps, { identities, params })
    .map((assembled) => ({ finding: decide(assembled, runbook, params), rows: assembled.rows }))
    .sort((a, b) => compareActions(a.finding.decision.action, b.finding.decision.action) || compareText(a.finding.firstSeen, b.finding.firstSeen));
  const findings = decided.map((d) => d.finding);

  return {
    schema: REPORT_SCHEMA,
    generatedAt: now.toISOString(),
    runbook: { ...runbookIdentity(runbook), title: content.title },
    subject: content.report ? title(content.report.subject, [], 0, params) : null,
    parameters: params,
    inputs: {
      cloudtrail: options.inputs?.cloudtrail ?? { files: 0, events: 0, skipped: [] },
      vpcflow: options.inputs?.vpcflow ?? { files: 0, records: 0, skipped: [] },
      intel: intel.feeds.map((f) => {
        const s = summarizeFeed(f);
        return { name: s.name, entries: s.entries, sha256: s.sha256 };
      }),
      ...(options.inputs?.engine ? { engine: options.inputs.engine } : {}),
      ...(options.inputs?.answeredFrom ? { answeredFrom: options.inputs.answeredFrom } : {}),
      ...(options.inputs?.config ? { config: options.inputs.config } : {}),
    },
    steps: plan.steps.map((step) => ({ id: step.id, kind: step.kind, title: step.title, rows: steps.get(step.id)?.length ?? 0 })),
    questions: reportQuestions(content.questions, content.answers, params),
    ...computeAnswers(content.answers, decided, params),
    findings,
  };
}

/** The runbook's id, version with content hash, and the git commit it came from when there is one. */
function runbookIdentity(loaded: LoadedRunbook): Omit<Report['runbook'], 'title'> {
  const identity: Omit<Report['runbook'], 'title'> = {
    id: loaded.runbook.id,
    version: `${loaded.runbook.version}+${createHash('sha256').update(loaded.text).digest('hex').slice(0, 12)}`,
  };
  const source = gitSourceOf(loaded);
  if (source) identity.git = source;
  return identity;
}

function decide({ finding, rows }: AssembledFinding, runbook: LoadedRunbook, params: Record<string, unknown>): Finding {
  const signals = computeSignals(runbook.runbook.signals, finding, rows, params);
  const decision = evaluate(runbook.runbook.decision, { ...finding, rows: rows.length, signals }, { params });
  return {
    ...finding,
    decision: {
      action: decision.action,
      path: decision.trace.map((t) => (t.label ? `${t.label} ${t.result === undefined ? '' : t.result ? 'yes' : 'no'}`.trim() : t.node)),
      reasons: decision.reasons,
      verify: decision.verify.trim(),
    },
    signals,
  };
}

/**
 * `judge`, remembered per address and caller when the intel is timeless (then the time cannot
 * change a verdict): a finding's evidence repeats the same few parties thousands of times.
 */
function judgeWith(intel: IntelIndex): (value: string, at: string | null, principalArn?: string) => JudgedSource {
  if (!intel.timeless) return (value, at, principalArn) => judge(intel, value, at, principalArn);
  const known = new Map<string, JudgedSource>();
  return (value, at, principalArn) => {
    const key = `${value}\u0000${principalArn ?? ''}`;
    let assessment = known.get(key);
    if (assessment === undefined) known.set(key, (assessment = judge(intel, value, at, principalArn)));
    return assessment;
  };
}

/** Threat-feed verdicts: the feed named the party (whatever the trusted file says of it). */
const HOSTILE_RULES: ReadonlySet<string> = new Set(['threat-intel', 'intel-over-trusted']);

function judge(intel: IntelIndex, value: string, at: string | null, principalArn?: string): JudgedSource {
  const verdict = classify(intel, value, { ...(at ? { at: new Date(at) } : {}), ...(principalArn ? { principalArn } : {}) });
  // One classification for intel check and reports: the verdict intel says a report gives it.
  const hostile = HOSTILE_RULES.has(verdict.rule) || (verdict.parts ?? []).some((part) => HOSTILE_RULES.has(part.rule));
  return { ip: value, verdict: verdict.reportedAs, reasons: [...verdict.reasons], hostile };
}

import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import { classify, formatPrefix, type IntelIndex, summarizeFeed } from '../intel/index.js';
import { compile } from '../runbook/compile.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { gitSourceOf } from '../runbook/provenance.js';
import { evaluate } from '../decide/evaluate.js';
import { REPORT_SCHEMA, type Finding, type Report, type SourceAssessment, type SourceVerdict } from '../report/contract.js';
import { compareActions } from '../decide/actions.js';
import { assembleFindings, type AssembledFinding, type CallerIdentity, type JudgedSource } from './assemble.js';
import { answersOf } from './answers.js';
import { lookupIdentities } from './identities.js';
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
}

/** Load → compile → execute → group → decide → report: the runbook's whole run on one engine. */
export async function investigate(engine: Engine, options: InvestigateOptions): Promise<Report> {
  const { runbook, intel } = options;
  const now = options.now ?? new Date();
  const plan = compile(runbook.runbook, options.parameters, { now });
  const params = Object.fromEntries(Object.entries(plan.parameters).map(([k, p]) => [k, p.value]));
  const vpcCidrs = intel.trusted.networks.filter((n) => n.kind === 'vpc').flatMap((n) => n.cidrs.map(formatPrefix));
  const known = new Map<string, CallerIdentity>();
  const steps = await runSteps(plan, { engine, intel, vpcCidrs, identities: known });
  const eventIds = [...steps.values()].flat().map((r) => r['source_ref']).filter((v): v is string => typeof v === 'string' && !v.startsWith('flow:'));
  const identities = await lookupIdentities(engine, [...new Set(eventIds)], known);

  const assembled = assembleFindings(runbook.runbook.findings, steps, {
    identities,
    params,
    judge: judgeWith(intel),
    isApprovedPrincipal: (arn) => classify(intel, '0.0.0.0', { principalArn: arn }).matches.some((m) => m.source === 'principal'),
  });
  const findings = assembled.map((f) => decide(f, runbook, params)).sort(
    (a, b) => compareActions(a.decision.action, b.decision.action) || compareText(a.firstSeen, b.firstSeen),
  );

  return {
    schema: REPORT_SCHEMA,
    generatedAt: now.toISOString(),
    runbook: runbookIdentity(runbook),
    parameters: { ...params, port: Number(params['port']), from: (params['from'] as string | undefined) ?? null, to: (params['to'] as string | undefined) ?? null },
    inputs: {
      cloudtrail: options.inputs?.cloudtrail ?? { files: 0, events: 0, skipped: [] },
      vpcflow: options.inputs?.vpcflow ?? { files: 0, records: 0, skipped: [] },
      intel: intel.feeds.map((f) => {
        const s = summarizeFeed(f);
        return { name: s.name, entries: s.entries, sha256: s.sha256 };
      }),
      ...(options.inputs?.config ? { config: options.inputs.config } : {}),
    },
    answers: answersOf(findings),
    findings,
  };
}

/** The runbook's id, version with content hash, and the git commit it came from when there is one. */
function runbookIdentity(loaded: LoadedRunbook): Report['runbook'] {
  const identity: Report['runbook'] = { id: loaded.runbook.id, version: `${loaded.runbook.version}+${createHash('sha256').update(loaded.text).digest('hex').slice(0, 12)}` };
  const source = gitSourceOf(loaded);
  if (source) identity.git = source;
  return identity;
}

function decide(finding: AssembledFinding, runbook: LoadedRunbook, params: Record<string, unknown>): Finding {
  const decision = evaluate(runbook.runbook.decision, finding as unknown as Record<string, unknown>, { params });
  // The signals are what the tree tested; the decision path says which held, in words.
  const { signals: _signals, ...contractFields } = finding;
  return {
    ...contractFields,
    decision: { action: decision.action, path: decision.trace.map((t) => (t.label ? `${t.label} ${t.result === undefined ? '' : t.result ? 'yes' : 'no'}`.trim() : t.node)), reasons: decision.reasons, verify: decision.verify.trim() },
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

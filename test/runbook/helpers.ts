import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes a fixture tree (relative path → content) to a fresh temp dir and returns the dir. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trailbook-runbook-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/**
 * The smallest complete runbook: one SQL step, one finding rule, two leaves. Tests break it one
 * way at a time with `replace`, so each lint test shows the one line that matters.
 */
export const MINIMAL = `id: minimal
title: Minimal
version: 1.0.0
description: Smallest valid runbook.
owner: security-engineering
reviewed: 2026-12-03
reviewInterval: 90d
parameters:
  port:
    type: integer
    description: Port.
    default: 8443
steps:
  - id: changes
    title: Changes
    kind: sql
    sql: |
      SELECT eventtime AS ts, useridentity.arn AS actor, sourceipaddress AS source_ip,
        eventname AS action, eventid AS resource, recipientaccountid AS account_id,
        awsregion AS region, eventid AS source_ref, eventsource AS event_source
      FROM cloudtrail_logs
      WHERE strpos(requestparameters, CAST($port AS VARCHAR)) > 0
findings:
  - id: changed
    kind: exposure
    step: changes
    groupBy: [actor]
    title: "{{actor}} changed port {{$port}}"
answers:
  firstSeen: { reduce: earliest, field: firstSeen }
  eventSources: { reduce: distinct, field: "eventSources[]" }
  sources: { reduce: parties }
questions:
  - { id: first, label: When was it first seen?, answer: firstSeen }
  - { id: logged, label: Which AWS service logged it?, answer: eventSources }
  - { id: from, label: "Known, allowed or suspicious?", answer: sources }
decision:
  root: external
  nodes:
    - id: external
      label: External?
      when: { field: "sources[].verdict", op: eq, value: suspicious }
      then: escalate
      else: ticket
    - id: escalate
      action: escalate
      reasons: [Suspicious source.]
      verify: Check the source.
    - id: ticket
      action: ticket
      reasons: [Known sources.]
      verify: Find the change request.
`;

/** A day on which MINIMAL's review is current, so lint results do not change with the calendar. */
export const REVIEW_CURRENT_ON = new Date('2026-12-10T00:00:00Z');

/** MINIMAL with one exact substring replaced (throws when absent, so a test cannot silently test nothing). */
export function minimalWith(from: string, to: string): string {
  if (!MINIMAL.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return MINIMAL.replace(from, to);
}

/** 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index === -1) throw new Error(`not found: ${needle}`);
  return text.slice(0, index).split('\n').length;
}

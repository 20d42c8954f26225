/**
 * The query linter's rules, pure: DuckDB's parse tree of a query (json_serialize_sql) in,
 * findings out. They catch the two ways the classic "8443 in CloudTrail" query goes wrong
 * (README.md, `lint-query`) and say what to run instead.
 */
export interface QueryFinding {
  rule: 'event-source-port' | 'substring-port';
  severity: 'error' | 'warning';
  /** 1-based line and column of the offending predicate in the query text. */
  line: number;
  column: number;
  message: string;
  why: string[];
  instead: string;
}

interface Node {
  class?: string;
  function_name?: string;
  column_names?: string[];
  query_location?: number;
  value?: { is_null?: boolean; value?: unknown };
  children?: Node[];
  [key: string]: unknown;
}

const MATCH_FUNCTIONS = new Set([
  '~~',
  '~~*',
  '!~~',
  '!~~*',
  'like',
  'ilike',
  'contains',
  'strpos',
  'instr',
  'position',
  'regexp_matches',
  'regexp_like',
  'regexp_full_match',
]);
/** The free-form JSON-text columns where a port appears as a number among many other numbers. */
const JSON_TEXT_COLUMNS = new Set(['requestparameters', 'responseelements', 'additionaleventdata', 'serviceeventdetails']);

export function lintQueryTree(tree: unknown, sql: string): QueryFinding[] {
  const findings: QueryFinding[] = [];
  visit(tree, (node) => {
    if (node.class !== 'FUNCTION' || !node.function_name || !MATCH_FUNCTIONS.has(node.function_name.toLowerCase())) return;
    const column = (node.children ?? []).find((c) => c.class === 'COLUMN_REF');
    const constant = (node.children ?? []).find((c) => c.class === 'CONSTANT');
    const name = column?.column_names?.at(-1)?.toLowerCase();
    const pattern = constant?.value?.value;
    if (!name || typeof pattern !== 'string') return;
    const port = /(?:^|[^0-9])(\d{1,5})(?:[^0-9]|$)/.exec(pattern)?.[1];
    if (!port) return;
    const { line, column: col } = position(sql, column?.query_location ?? node.query_location ?? 0);
    if (name === 'eventsource') {
      findings.push({
        rule: 'event-source-port',
        severity: 'error',
        line,
        column: col,
        message: `eventSource never contains a port: this predicate never matches`,
        why: [
          'eventSource is the AWS service that logged the call, always "<service>.amazonaws.com" (e.g. ec2.amazonaws.com).',
          `No CloudTrail event has "${pattern.replace(/%/g, '')}" in eventSource, so this condition is false for every row.`,
        ],
        instead: insteadText(port),
      });
    } else if (JSON_TEXT_COLUMNS.has(name)) {
      findings.push({
        rule: 'substring-port',
        severity: 'warning',
        line,
        column: col,
        message: `substring match for ${port} in ${name}: reports events that do not open port ${port} and misses events that do`,
        why: [
          `False hits: any number containing "${port}" matches — account ids, instance and group ids, bucket names, port 1${port}, a rule description mentioning ${port}.`,
          `Misses: a range such as 8000-9000 (fromPort/toPort), ipProtocol "-1" (all traffic, no port at all), ModifySecurityGroupRules (PascalCase, nested), rules that only appear in responseElements.`,
        ],
        instead: insteadText(port),
      });
    }
  });
  return findings;
}

function insteadText(port: string): string {
  return [
    `trailbook exposures --port ${port}        # exact port, range, protocol and CIDR semantics, with evidence`,
    `or, in SQL, narrow by the events that can open a port and judge the rules exactly:`,
    `SELECT eventtime, sourceipaddress, eventname, eventsource, requestparameters FROM cloudtrail_logs`,
    `WHERE eventname IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'ModifySecurityGroupRules',`,
    `  'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry', 'CreateListener', 'ModifyListener', 'CreateTargetGroup')`,
  ].join('\n');
}

function visit(value: unknown, onNode: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, onNode);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Node;
  if (typeof node.class === 'string') onNode(node);
  for (const child of Object.values(node)) if (child !== null && typeof child === 'object') visit(child, onNode);
}

function position(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

export function formatQueryFindings(findings: readonly QueryFinding[]): string {
  return (
    findings
      .map((f) =>
        [
          `${f.severity}: query:${f.line}:${f.column}: ${f.message} [${f.rule}]`,
          ...f.why.map((w) => `  why: ${w}`),
          '  instead:',
          ...f.instead.split('\n').map((l) => `    ${l}`),
        ].join('\n'),
      )
      .join('\n\n') + (findings.length ? '\n' : '')
  );
}

import { DuckDBEngine } from '../local-store.js';
import { installVpcFlowSchema } from '../store/vpcflow-schema.js';
import { lintQueryTree, type QueryFinding } from '../sqlcheck/rules.js';
import type { ParameterType } from './schema.js';
import { findSqlParameters } from './sql-params.js';

/**
 * Checks runbook SQL against the real table contract without running it: DuckDB prepares the
 * statement (parse + bind), which fails on syntax errors and on unknown tables, columns and
 * functions, on an in-memory store with the Athena-shaped `cloudtrail_logs` and `vpc_flow_logs`
 * (no data). The query linter's rules (src/sqlcheck) add the classic port-matching mistakes.
 */
export type SqlCheck =
  | { ok: true; statementType: number; columns: string[] | undefined; warnings: QueryFinding[] }
  | { ok: false; stage: 'parse' | 'bind' | 'types'; message: string; line: number | undefined; col: number | undefined };

const SELECT_STATEMENT = 1; // DuckDB StatementType.SELECT

/** A SQL literal of the parameter's bound type, so DuckDB can work out the result columns. */
const TYPED_NULL: Record<ParameterType, string> = {
  integer: 'CAST(NULL AS BIGINT)',
  string: 'CAST(NULL AS VARCHAR)',
  cidr: 'CAST(NULL AS VARCHAR)',
  timestamp: 'CAST(NULL AS VARCHAR)',
  boolean: 'CAST(NULL AS BOOLEAN)',
  'string-list': 'CAST(NULL AS VARCHAR)',
};

export class SqlChecker {
  private constructor(private readonly engine: DuckDBEngine) {}

  static async open(): Promise<SqlChecker> {
    const engine = await DuckDBEngine.open({ path: ':memory:' });
    await installVpcFlowSchema(engine);
    return new SqlChecker(engine);
  }

  /** `types`: declared parameter types by name; parameters not in it are left untyped. */
  async check(sql: string, types: Readonly<Record<string, ParameterType>>): Promise<SqlCheck> {
    const statements = await this.engine.connection.extractStatements(sql).catch((error: unknown) => error as Error);
    if (statements instanceof Error) return failure('parse', statements);
    if (statements.count !== 1) {
      return { ok: false, stage: 'parse', message: `a step holds exactly one statement, found ${statements.count}`, line: undefined, col: undefined };
    }
    let statementType: number;
    try {
      const prepared = await this.engine.connection.prepare(sql);
      statementType = prepared.statementType;
      prepared.destroySync();
    } catch (error) {
      return failure('bind', error);
    }
    // With untyped parameters DuckDB cannot name the result columns; a second prepare with typed
    // NULLs in their places gives them, and checks the SQL against the declared types. This text
    // is only ever prepared here, never run: execution binds the real values.
    let columns: string[] | undefined;
    try {
      const prepared = await this.engine.connection.prepare(withTypedNulls(sql, types));
      columns = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
      prepared.destroySync();
    } catch (error) {
      const failed = failure('types', error);
      return { ...failed, line: undefined, col: undefined };
    }
    return { ok: true, statementType, columns, warnings: await this.portRules(sql) };
  }

  private async portRules(sql: string): Promise<QueryFinding[]> {
    const { rows } = await this.engine.all('SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS tree', { sql });
    const tree = JSON.parse(String(rows[0]?.['tree'])) as { error?: boolean; statements?: unknown };
    return tree.error ? [] : lintQueryTree(tree.statements, sql);
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

export function isSelect(check: Extract<SqlCheck, { ok: true }>): boolean {
  return check.statementType === SELECT_STATEMENT;
}

function withTypedNulls(sql: string, types: Readonly<Record<string, ParameterType>>): string {
  let out = '';
  let last = 0;
  for (const ref of findSqlParameters(sql)) {
    const type = types[ref.name];
    if (!type) continue;
    out += sql.slice(last, ref.offset) + TYPED_NULL[type];
    last = ref.offset + 1 + ref.name.length;
  }
  return out + sql.slice(last);
}

/** DuckDB errors end with `LINE n: <text>` and a caret under the position. */
function failure(stage: 'parse' | 'bind' | 'types', error: unknown): Extract<SqlCheck, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n');
  const at = lines.findIndex((l) => /^LINE \d+: /.test(l));
  let line: number | undefined;
  let col: number | undefined;
  if (at !== -1) {
    const header = /^LINE (\d+): /.exec(lines[at]!)!;
    line = Number(header[1]);
    const caret = lines[at + 1]?.indexOf('^') ?? -1;
    // A long line is shown cut, starting with "...": the caret then no longer maps to a column.
    const cut = lines[at]!.slice(header[0].length).startsWith('...');
    if (caret >= header[0].length && !cut) col = caret - header[0].length + 1;
  }
  const summary = lines
    .slice(0, at === -1 ? undefined : at)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { ok: false, stage, message: summary, line, col };
}

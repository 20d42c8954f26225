/**
 * Just enough of the STIX 2.1 patterning language to pull IP indicators out of patterns:
 * comparisons on `ipv4-addr:value` / `ipv6-addr:value` (and the IP references of
 * `network-traffic` and `domain-name:resolves_to_refs`) with `=`, `ISSUBSET` or `IN (...)`,
 * combined with `OR`/`AND` inside an observation and `OR`/`AND`/`FOLLOWEDBY` between
 * observations, with qualifiers (`WITHIN`, `START/STOP`, `REPEATS`) skipped.
 *
 * An IP that is only part of a pattern (ANDed with another condition, e.g. a port) is still
 * extracted, marked `partial`: the verdict then says "pattern has further conditions".
 * Negations (`NOT`, `!=`) are never turned into indicators.
 */

export interface PatternIp {
  /** The literal from the pattern: an address or CIDR. */
  readonly value: string;
  /** True when the pattern also requires other conditions than this IP. */
  readonly partial: boolean;
}

type Token =
  | { kind: 'punct'; text: '[' | ']' | '(' | ')' | ',' }
  | { kind: 'op'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'path'; text: string }
  | { kind: 'string'; text: string; prefix: string }
  | { kind: 'number'; text: string };

export class PatternError extends Error {}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = pattern.length;
  const readQuoted = (): string => {
    // at the opening quote
    let out = '';
    i++;
    while (i < n) {
      const ch = pattern[i]!;
      if (ch === '\\') {
        const next = pattern[i + 1];
        if (next !== "'" && next !== '\\') throw new PatternError(`bad escape at ${i}`);
        out += next;
        i += 2;
        continue;
      }
      if (ch === "'") {
        i++;
        return out;
      }
      out += ch;
      i++;
    }
    throw new PatternError('unterminated string');
  };
  while (i < n) {
    const ch = pattern[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '[' || ch === ']' || ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    } else if (ch === "'") {
      tokens.push({ kind: 'string', text: readQuoted(), prefix: '' });
    } else if (/[htb]/.test(ch) && pattern[i + 1] === "'") {
      i++;
      tokens.push({ kind: 'string', text: readQuoted(), prefix: ch });
    } else if (ch === '!' || ch === '=' || ch === '<' || ch === '>') {
      const two = pattern.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'op', text: two });
        i += 2;
      } else if (ch === '=' || ch === '<' || ch === '>') {
        tokens.push({ kind: 'op', text: ch });
        i++;
      } else {
        throw new PatternError(`unexpected "!" at ${i}`);
      }
    } else if (/[-0-9]/.test(ch)) {
      const m = /^-?[0-9]+(?:\.[0-9]+)?/.exec(pattern.slice(i));
      if (!m) throw new PatternError(`bad number at ${i}`);
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      let text = '';
      while (i < n) {
        const c = pattern[i]!;
        if (/[A-Za-z0-9_\-:.]/.test(c)) {
          text += c;
          i++;
        } else if (c === '[' && text.includes(':')) {
          const close = pattern.indexOf(']', i);
          if (close < 0) throw new PatternError('unterminated list index in object path');
          text += pattern.slice(i, close + 1);
          i = close + 1;
        } else if (c === "'" && text.endsWith('.')) {
          text += `'${readQuoted()}'`;
        } else {
          break;
        }
      }
      tokens.push(text.includes(':') ? { kind: 'path', text } : { kind: 'word', text: text.toUpperCase() });
    } else {
      throw new PatternError(`unexpected "${ch}" at ${i}`);
    }
  }
  return tokens;
}

const IP_PATHS = new Set([
  'ipv4-addr:value',
  'ipv6-addr:value',
  'network-traffic:src_ref.value',
  'network-traffic:dst_ref.value',
  'domain-name:resolves_to_refs[*].value',
]);

interface Node {
  hits: PatternIp[];
  /** A type guard such as `network-traffic:dst_ref.type = 'ipv4-addr'`: not a further condition. */
  neutral?: boolean;
}

/** The IP literals a STIX pattern matches on (see the module comment for what is understood). */
export function extractPatternIps(pattern: string): PatternIp[] {
  const tokens = tokenize(pattern);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string) => {
    const t = tokens[pos];
    return t?.kind === 'word' && t.text === word;
  };
  const isPunct = (p: string) => {
    const t = tokens[pos];
    return t?.kind === 'punct' && t.text === p;
  };
  const expectPunct = (p: string) => {
    if (!isPunct(p)) throw new PatternError(`expected "${p}" at token ${pos + 1}`);
    pos++;
  };
  const combine = (children: Node[], conjunctive: boolean): Node => {
    const hits = children.flatMap((c) => c.hits);
    const conditions = children.filter((c) => !c.neutral).length;
    if (conjunctive && conditions > 1) return { hits: hits.map((h) => ({ value: h.value, partial: true })) };
    return { hits };
  };

  // observation level
  const observationExpression = (): Node => {
    const children: Node[] = [observationTerm()];
    let conjunctive = false;
    while (isWord('OR') || isWord('AND') || isWord('FOLLOWEDBY')) {
      if (!isWord('OR')) conjunctive = true;
      pos++;
      children.push(observationTerm());
    }
    return combine(children, conjunctive);
  };
  const observationTerm = (): Node => {
    let node: Node;
    if (isPunct('(')) {
      pos++;
      node = observationExpression();
      expectPunct(')');
    } else {
      expectPunct('[');
      node = comparisonOr();
      expectPunct(']');
    }
    qualifiers();
    return node;
  };
  const qualifiers = () => {
    for (;;) {
      if (isWord('WITHIN'))
        pos += 3; // WITHIN n SECONDS
      else if (isWord('START'))
        pos += 4; // START t'..' STOP t'..'
      else if (isWord('REPEATS'))
        pos += 3; // REPEATS n TIMES
      else return;
      if (pos > tokens.length) throw new PatternError('truncated qualifier');
    }
  };
  // comparison level
  const comparisonOr = (): Node => {
    const children: Node[] = [comparisonAnd()];
    while (isWord('OR')) {
      pos++;
      children.push(comparisonAnd());
    }
    return combine(children, false);
  };
  const comparisonAnd = (): Node => {
    const children: Node[] = [comparisonTerm()];
    while (isWord('AND')) {
      pos++;
      children.push(comparisonTerm());
    }
    return combine(children, true);
  };
  const comparisonTerm = (): Node => {
    if (isPunct('(')) {
      pos++;
      const node = comparisonOr();
      expectPunct(')');
      return node;
    }
    if (isWord('EXISTS')) {
      pos++;
      const t = peek();
      if (t?.kind !== 'path') throw new PatternError('EXISTS needs an object path');
      pos++;
      return { hits: [] };
    }
    const path = peek();
    if (path?.kind !== 'path') throw new PatternError(`expected an object path at token ${pos + 1}`);
    pos++;
    let negated = false;
    if (isWord('NOT')) {
      negated = true;
      pos++;
    }
    const op = peek();
    if (!op || (op.kind !== 'op' && op.kind !== 'word')) throw new PatternError(`expected an operator after ${path.text}`);
    pos++;
    const values: Token[] = [];
    if (op.text === 'IN') {
      expectPunct('(');
      while (!isPunct(')')) {
        const v = peek();
        if (!v) throw new PatternError('unterminated IN list');
        if (v.kind !== 'punct') values.push(v);
        else if (v.text !== ',') throw new PatternError('bad IN list');
        pos++;
      }
      pos++;
    } else {
      const v = peek();
      if (!v || (v.kind !== 'string' && v.kind !== 'number' && v.kind !== 'word')) {
        throw new PatternError(`expected a value after ${op.text}`);
      }
      values.push(v);
      pos++;
    }
    if (/(?:_ref|_refs\[\*\])\.type$/.test(path.text) && op.text === '=' && !negated) return { hits: [], neutral: true };
    const ipPath = IP_PATHS.has(path.text);
    const positive = !negated && (op.text === '=' || op.text === 'ISSUBSET' || op.text === 'IN');
    if (!ipPath || !positive) return { hits: [] };
    return {
      hits: values
        .filter((v): v is Extract<Token, { kind: 'string' }> => v.kind === 'string' && v.prefix === '')
        .map((v) => ({ value: v.text, partial: false })),
    };
  };

  const node = observationExpression();
  if (pos < tokens.length) throw new PatternError(`unexpected "${tokens[pos]!.text}" after the pattern`);
  return node.hits;
}

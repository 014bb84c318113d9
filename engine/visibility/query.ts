import { invalidArgument } from '../errors';

/**
 * The part of Temporal's visibility query language people use: comparisons
 * (= != <> > >= < <=), BETWEEN .. AND .., IN (..), STARTS_WITH, IS [NOT] NULL, AND / OR / NOT,
 * parentheses and ORDER BY. Parsed into a small tree that {@link evaluate} runs against a row.
 */
export type Value = string | number | boolean;
export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'cmp'; field: string; op: string; value: Value }
  | { kind: 'between'; field: string; low: Value; high: Value }
  | { kind: 'in'; field: string; values: Value[]; negate: boolean }
  | { kind: 'null'; field: string; negate: boolean };

export interface ParsedQuery {
  where?: Expr;
  orderBy: Array<{ field: string; desc: boolean }>;
  /** `GROUP BY` fields (count only). */
  groupBy: string[];
}

type Token = { t: 'id' | 'str' | 'num' | 'op' | 'punct'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j++];
      }
      if (j >= text.length) throw invalidArgument(`invalid query: unterminated string at ${i}`);
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j < 0) throw invalidArgument('invalid query: unterminated identifier');
      out.push({ t: 'id', v: text.slice(i + 1, j) });
      i = j + 1;
    } else if ('()[],'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = text.slice(i, i + 2);
      if (['!=', '<>', '>=', '<='].includes(two)) {
        out.push({ t: 'op', v: two === '<>' ? '!=' : two });
        i += 2;
      } else if (c === '!') {
        throw invalidArgument(`invalid query: unexpected "!" at ${i}`);
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else if (/[-0-9.]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i));
      if (!m) throw invalidArgument(`invalid query: unexpected "${c}" at ${i}`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      throw invalidArgument(`invalid query: unexpected "${c}" at ${i}`);
    }
  }
  return out;
}

/** Parses a visibility query; INVALID_ARGUMENT on anything outside the supported subset. */
export function parseQuery(text: string): ParsedQuery {
  const tokens = tokenize(text ?? '');
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (w: string) => peek()?.t === 'id' && peek()!.v.toUpperCase() === w;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw invalidArgument(`invalid query: expected ${w}`);
    pos++;
  };
  const expectPunct = (p: string) => {
    if (peek()?.t !== 'punct' || peek()!.v !== p) throw invalidArgument(`invalid query: expected "${p}"`);
    pos++;
  };
  const value = (): Value => {
    const tok = tokens[pos++];
    if (!tok) throw invalidArgument('invalid query: value expected');
    if (tok.t === 'str') return tok.v;
    if (tok.t === 'num') return Number(tok.v);
    if (tok.t === 'id' && /^(true|false)$/i.test(tok.v)) return tok.v.toLowerCase() === 'true';
    throw invalidArgument(`invalid query: unexpected "${tok.v}" where a value was expected`);
  };
  const field = (): string => {
    const tok = tokens[pos++];
    if (!tok || tok.t !== 'id') throw invalidArgument('invalid query: search attribute name expected');
    return tok.v;
  };
  const primary = (): Expr => {
    if (isWord('NOT')) {
      pos++;
      return { kind: 'not', expr: primary() };
    }
    if (peek()?.t === 'punct' && peek()!.v === '(') {
      pos++;
      const e = orExpr();
      expectPunct(')');
      return e;
    }
    const f = field();
    if (isWord('BETWEEN')) {
      pos++;
      const low = value();
      expectWord('AND');
      return { kind: 'between', field: f, low, high: value() };
    }
    let negate = false;
    if (isWord('NOT')) {
      pos++;
      negate = true;
      if (!isWord('IN')) throw invalidArgument('invalid query: expected IN after NOT');
    }
    if (isWord('IN')) {
      pos++;
      expectPunct('(');
      const values = [value()];
      while (peek()?.t === 'punct' && peek()!.v === ',') {
        pos++;
        values.push(value());
      }
      expectPunct(')');
      return { kind: 'in', field: f, values, negate };
    }
    if (isWord('IS')) {
      pos++;
      let neg = false;
      if (isWord('NOT')) {
        pos++;
        neg = true;
      }
      expectWord('NULL');
      return { kind: 'null', field: f, negate: neg };
    }
    if (isWord('STARTS_WITH')) {
      pos++;
      return { kind: 'cmp', field: f, op: 'starts_with', value: value() };
    }
    const op = tokens[pos++];
    if (!op || op.t !== 'op') throw invalidArgument(`invalid query: operator expected after ${f}`);
    return { kind: 'cmp', field: f, op: op.v, value: value() };
  };
  const andExpr = (): Expr => {
    let left = primary();
    while (isWord('AND')) {
      pos++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): Expr => {
    let left = andExpr();
    while (isWord('OR')) {
      pos++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const result: ParsedQuery = { orderBy: [], groupBy: [] };
  if (pos < tokens.length && !isWord('ORDER') && !isWord('GROUP')) result.where = orExpr();
  if (isWord('GROUP')) {
    pos++;
    expectWord('BY');
    result.groupBy.push(field());
    while (peek()?.t === 'punct' && peek()!.v === ',') {
      pos++;
      result.groupBy.push(field());
    }
  }
  if (isWord('ORDER')) {
    pos++;
    expectWord('BY');
    for (;;) {
      const f = field();
      let desc = false;
      if (isWord('DESC')) {
        pos++;
        desc = true;
      } else if (isWord('ASC')) pos++;
      result.orderBy.push({ field: f, desc });
      if (peek()?.t === 'punct' && peek()!.v === ',') pos++;
      else break;
    }
  }
  if (pos < tokens.length) throw invalidArgument(`invalid query: unexpected "${tokens[pos].v}"`);
  return result;
}

/** A row value: scalar, list (keyword lists) or absent. */
export type RowValue = string | number | boolean | Array<string | number | boolean> | undefined;

/** Evaluates a parsed expression; `get` returns a row's value already normalised for comparison. */
export function evaluate(expr: Expr, get: (field: string) => RowValue, normalise: (field: string, v: Value) => Value): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, get, normalise) && evaluate(expr.right, get, normalise);
    case 'or':
      return evaluate(expr.left, get, normalise) || evaluate(expr.right, get, normalise);
    case 'not':
      return !evaluate(expr.expr, get, normalise);
    case 'null': {
      const v = get(expr.field);
      const isNull = v === undefined || (Array.isArray(v) && v.length === 0);
      return expr.negate ? !isNull : isNull;
    }
    case 'in': {
      const v = get(expr.field);
      const vals = expr.values.map((x) => normalise(expr.field, x));
      const hit = Array.isArray(v) ? v.some((x) => vals.includes(x)) : v !== undefined && vals.includes(v);
      return expr.negate ? !hit : hit;
    }
    case 'between': {
      const v = get(expr.field);
      if (v === undefined || Array.isArray(v)) return false;
      return v >= normalise(expr.field, expr.low) && v <= normalise(expr.field, expr.high);
    }
    case 'cmp': {
      const v = get(expr.field);
      const want = normalise(expr.field, expr.value);
      const test = (x: string | number | boolean): boolean => {
        switch (expr.op) {
          case '=':
            return x === want;
          case '!=':
            return x !== want;
          case '>':
            return x > want;
          case '>=':
            return x >= want;
          case '<':
            return x < want;
          case '<=':
            return x <= want;
          case 'starts_with':
            return typeof x === 'string' && x.startsWith(String(want));
          default:
            return false;
        }
      };
      if (v === undefined) return expr.op === '!=';
      if (Array.isArray(v)) return expr.op === '!=' ? !v.some((x) => x === want) : v.some(test);
      return test(v);
    }
  }
}

/**
 * A small, safe expression language for workflow conditions, transforms and templates. It reads
 * values and computes with them; it cannot call anything but the functions listed in FUNCTIONS,
 * reach a prototype, loop or allocate without bound. Parsing and evaluating are separate, so a
 * workflow is checked (syntax and the paths it reads) when it is saved and only evaluated when it runs.
 *
 *   literals   12  4.5  'text'  "text"  true  false  null  [1, 'a']
 *   paths      inputs.topic  state.items[0].title  nodes.research.output
 *   operators  not !  * / %  + -  < <= > >=  == !=  in  and &&  or ||   (lowest last), ( )
 *   functions  len lower upper trim contains startsWith endsWith number string json round floor
 *              ceil abs min max exists default join split keys
 *
 * `+` adds numbers and concatenates when either side is text; comparisons need two numbers or two
 * texts; `==` compares JSON values structurally; `and`/`or` short-circuit and answer booleans
 * (truthiness as in JSON: null, false, 0, '' and missing are false). A path to nothing is null.
 */

export const MAX_EXPRESSION_CHARS = 4000;
const MAX_DEPTH = 64;

export type Expression =
  | { kind: 'literal'; value: unknown }
  | { kind: 'list'; items: Expression[] }
  | { kind: 'path'; root: string; segments: Array<string | number | Expression> }
  | { kind: 'unary'; op: 'not' | '-'; operand: Expression }
  | { kind: 'binary'; op: BinaryOp; left: Expression; right: Expression }
  | { kind: 'call'; name: FunctionName; args: Expression[] };

type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';

/** A syntax error, with the character position where it was found. */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position + 1}`);
  }
}

/** An evaluation that cannot go on (text compared with a number, a division by zero, ...). */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
}

type Token =
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'name'; value: string; at: number }
  | { type: 'op'; value: string; at: number }
  | { type: 'end'; at: number };

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', ',', '.'];
const KEYWORDS: Record<string, string> = { and: '&&', or: '||', not: '!', in: 'in' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== c; j += 1) {
        if (source[j] === '\\' && j + 1 < source.length) {
          j += 1;
          const escaped = source[j];
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        } else value += source[j];
      }
      if (j >= source.length) throw new ExpressionSyntaxError('unterminated text', i);
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const word = (/^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray)[0];
      const keyword = Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
      tokens.push(keyword ? { type: 'op', value: keyword, at: i } : { type: 'name', value: word, at: i });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new ExpressionSyntaxError(`unexpected "${c}"`, i);
    tokens.push({ type: 'op', value: op, at: i });
    i += op.length;
  }
  tokens.push({ type: 'end', at: source.length });
  return tokens;
}

/** Roots a path may start from; anything else is an unknown name. */
export const PATH_ROOTS = ['inputs', 'state', 'nodes'] as const;

const FUNCTIONS = {
  len: [1, 1],
  lower: [1, 1],
  upper: [1, 1],
  trim: [1, 1],
  contains: [2, 2],
  startsWith: [2, 2],
  endsWith: [2, 2],
  number: [1, 1],
  string: [1, 1],
  json: [1, 1],
  round: [1, 2],
  floor: [1, 1],
  ceil: [1, 1],
  abs: [1, 1],
  min: [1, 20],
  max: [1, 20],
  exists: [1, 1],
  default: [2, 2],
  join: [1, 2],
  split: [2, 2],
  keys: [1, 1],
} as const;
type FunctionName = keyof typeof FUNCTIONS;

const BINARY_LEVELS: Array<{ ops: string[]; as: Record<string, BinaryOp> }> = [
  { ops: ['||'], as: { '||': 'or' } },
  { ops: ['&&'], as: { '&&': 'and' } },
  { ops: ['==', '!='], as: { '==': '==', '!=': '!=' } },
  { ops: ['<', '<=', '>', '>=', 'in'], as: { '<': '<', '<=': '<=', '>': '>', '>=': '>=', in: 'in' } },
  { ops: ['+', '-'], as: { '+': '+', '-': '-' } },
  { ops: ['*', '/', '%'], as: { '*': '*', '/': '/', '%': '%' } },
];

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Expression {
    const expression = this.binary(0);
    const next = this.peek();
    if (next.type !== 'end') throw new ExpressionSyntaxError(`unexpected ${describe(next)}`, next.at);
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private take(): Token {
    return this.tokens[this.index++];
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.value === value;
  }

  private expectOp(value: string): void {
    const token = this.take();
    if (token.type !== 'op' || token.value !== value) throw new ExpressionSyntaxError(`expected "${value}" but found ${describe(token)}`, token.at);
  }

  private nested<T>(at: number, parse: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new ExpressionSyntaxError(`nested more than ${MAX_DEPTH} deep`, at);
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private binary(level: number): Expression {
    if (level === BINARY_LEVELS.length) return this.unary();
    const { ops, as } = BINARY_LEVELS[level];
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token.type !== 'op' || !ops.includes(token.value)) return left;
      this.take();
      const right = this.nested(token.at, () => this.binary(level + 1));
      left = { kind: 'binary', op: as[token.value], left, right };
    }
  }

  private unary(): Expression {
    const token = this.peek();
    if (token.type === 'op' && (token.value === '!' || token.value === '-')) {
      this.take();
      const operand = this.nested(token.at, () => this.unary());
      return { kind: 'unary', op: token.value === '!' ? 'not' : '-', operand };
    }
    return this.primary();
  }

  private primary(): Expression {
    const token = this.take();
    switch (token.type) {
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'end':
        throw new ExpressionSyntaxError('the expression ends too early', token.at);
      case 'op':
        if (token.value === '(') {
          const inner = this.nested(token.at, () => this.binary(0));
          this.expectOp(')');
          return inner;
        }
        if (token.value === '[') {
          const items: Expression[] = [];
          if (!this.isOp(']')) {
            do items.push(this.nested(token.at, () => this.binary(0)));
            while (this.isOp(',') && this.take());
          }
          this.expectOp(']');
          return { kind: 'list', items };
        }
        throw new ExpressionSyntaxError(`unexpected ${describe(token)}`, token.at);
      case 'name':
        return this.name(token);
    }
  }

  private name(token: Extract<Token, { type: 'name' }>): Expression {
    if (token.value === 'true' || token.value === 'false') return { kind: 'literal', value: token.value === 'true' };
    if (token.value === 'null') return { kind: 'literal', value: null };
    if (this.isOp('(')) {
      if (!Object.hasOwn(FUNCTIONS, token.value)) throw new ExpressionSyntaxError(`unknown function "${token.value}"`, token.at);
      const name = token.value as FunctionName;
      this.take();
      const args: Expression[] = [];
      if (!this.isOp(')')) {
        do args.push(this.nested(token.at, () => this.binary(0)));
        while (this.isOp(',') && this.take());
      }
      this.expectOp(')');
      const [least, most] = FUNCTIONS[name];
      if (args.length < least || args.length > most) {
        throw new ExpressionSyntaxError(`${name}() takes ${least === most ? least : `${least} to ${most}`} argument${most === 1 ? '' : 's'}`, token.at);
      }
      return { kind: 'call', name, args };
    }
    if (!(PATH_ROOTS as readonly string[]).includes(token.value)) {
      throw new ExpressionSyntaxError(`unknown name "${token.value}" (paths start with ${PATH_ROOTS.join(', ')})`, token.at);
    }
    const segments: Array<string | number | Expression> = [];
    for (;;) {
      if (this.isOp('.')) {
        this.take();
        const next = this.take();
        if (next.type !== 'name') throw new ExpressionSyntaxError(`expected a name after "." but found ${describe(next)}`, next.at);
        segments.push(next.value);
      } else if (this.isOp('[')) {
        const open = this.take();
        const index = this.nested(open.at, () => this.binary(0));
        this.expectOp(']');
        segments.push(index.kind === 'literal' && (typeof index.value === 'number' || typeof index.value === 'string') ? index.value : index);
      } else break;
    }
    return { kind: 'path', root: token.value, segments };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end';
    case 'string':
      return 'text';
    default:
      return `"${token.value}"`;
  }
}

export function parseExpression(source: string): Expression {
  if (source.length > MAX_EXPRESSION_CHARS) throw new ExpressionSyntaxError(`longer than ${MAX_EXPRESSION_CHARS} characters`, MAX_EXPRESSION_CHARS);
  if (source.trim() === '') throw new ExpressionSyntaxError('the expression is empty', 0);
  return new Parser(tokenize(source)).parse();
}

/**
 * The paths an expression reads, as far as they are fixed: `state.items[0].title` gives
 * ['state', 'items', 0, 'title']; a computed index ends the fixed part. What a workflow checks
 * against its declared inputs, variables and nodes.
 */
export function pathsOf(expression: Expression): Array<Array<string | number>> {
  switch (expression.kind) {
    case 'literal':
      return [];
    case 'list':
      return expression.items.flatMap(pathsOf);
    case 'unary':
      return pathsOf(expression.operand);
    case 'binary':
      return [...pathsOf(expression.left), ...pathsOf(expression.right)];
    case 'call':
      return expression.args.flatMap(pathsOf);
    case 'path': {
      const fixed: Array<string | number> = [expression.root];
      const computed: Expression[] = [];
      let open = true;
      for (const segment of expression.segments) {
        if (typeof segment === 'object') {
          open = false;
          computed.push(segment);
        } else if (open) fixed.push(segment);
      }
      return [fixed, ...computed.flatMap(pathsOf)];
    }
  }
}

/** What an expression reads: `{ inputs, state, nodes }` as plain JSON values. */
export type Scope = Readonly<Record<(typeof PATH_ROOTS)[number], unknown>>;

export function evaluate(expression: Expression, scope: Scope): unknown {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'list':
      return expression.items.map((item) => evaluate(item, scope));
    case 'path': {
      let value: unknown = scope[expression.root as keyof Scope];
      for (const segment of expression.segments) {
        const key = typeof segment === 'object' ? evaluate(segment, scope) : segment;
        value = member(value, key);
        if (value === undefined) return null;
      }
      return value ?? null;
    }
    case 'unary': {
      const operand = evaluate(expression.operand, scope);
      if (expression.op === 'not') return !truthy(operand);
      return -numberOf(operand, '-');
    }
    case 'binary':
      return binary(expression.op, expression.left, expression.right, scope);
    case 'call':
      return call(expression.name, expression.args.map((arg) => evaluate(arg, scope)));
  }
}

/** Own properties of plain objects and array items only: never a prototype, never a function. */
function member(value: unknown, key: unknown): unknown {
  if (Array.isArray(value)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) return undefined;
    return value[key < 0 ? value.length + key : key];
  }
  if (typeof value === 'object' && value !== null && (typeof key === 'string' || typeof key === 'number')) {
    const name = String(key);
    return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
  }
  return undefined;
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return value !== null;
  return Boolean(value);
}

function numberOf(value: unknown, op: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ExpressionEvaluationError(`"${op}" needs numbers, got ${typeName(value)}`);
  return value;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value === 'string' ? 'text' : `a ${typeof value}`;
}

function binary(op: BinaryOp, leftExpression: Expression, rightExpression: Expression, scope: Scope): unknown {
  if (op === 'and') return truthy(evaluate(leftExpression, scope)) && truthy(evaluate(rightExpression, scope));
  if (op === 'or') return truthy(evaluate(leftExpression, scope)) || truthy(evaluate(rightExpression, scope));
  const left = evaluate(leftExpression, scope);
  const right = evaluate(rightExpression, scope);
  switch (op) {
    case '==':
      return same(left, right);
    case '!=':
      return !same(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
      if (!comparable) throw new ExpressionEvaluationError(`"${op}" compares two numbers or two texts, got ${typeName(left)} and ${typeName(right)}`);
      const l = left as number | string;
      const r = right as number | string;
      return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
    }
    case 'in':
      if (Array.isArray(right)) return right.some((item) => same(item, left));
      if (typeof right === 'string') return typeof left === 'string' && right.includes(left);
      if (typeof right === 'object' && right !== null) return typeof left === 'string' && Object.hasOwn(right, left);
      return false;
    case '+':
      if (typeof left === 'string' || typeof right === 'string') return textOf(left) + textOf(right);
      return numberOf(left, '+') + numberOf(right, '+');
    case '-':
      return numberOf(left, '-') - numberOf(right, '-');
    case '*':
      return numberOf(left, '*') * numberOf(right, '*');
    case '/':
    case '%': {
      const divisor = numberOf(right, op);
      if (divisor === 0) throw new ExpressionEvaluationError('division by zero');
      return op === '/' ? numberOf(left, op) / divisor : numberOf(left, op) % divisor;
    }
  }
}

function same(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if ((left ?? null) === null && (right ?? null) === null) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** How a value reads as text: text as is, null as '', everything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function textArg(value: unknown, fn: string): string {
  if (typeof value !== 'string') throw new ExpressionEvaluationError(`${fn}() needs text, got ${typeName(value)}`);
  return value;
}

function call(name: FunctionName, args: unknown[]): unknown {
  const [a, b] = args;
  switch (name) {
    case 'len':
      if (typeof a === 'string' || Array.isArray(a)) return a.length;
      if (typeof a === 'object' && a !== null) return Object.keys(a).length;
      if (a === null) return 0;
      throw new ExpressionEvaluationError(`len() needs text, a list or an object, got ${typeName(a)}`);
    case 'lower':
      return textArg(a, name).toLowerCase();
    case 'upper':
      return textArg(a, name).toUpperCase();
    case 'trim':
      return textArg(a, name).trim();
    case 'contains':
      if (Array.isArray(a)) return a.some((item) => same(item, b));
      return textArg(a, name).includes(textArg(b, name));
    case 'startsWith':
      return textArg(a, name).startsWith(textArg(b, name));
    case 'endsWith':
      return textArg(a, name).endsWith(textArg(b, name));
    case 'number': {
      if (typeof a === 'number') return a;
      if (typeof a === 'boolean') return a ? 1 : 0;
      const n = typeof a === 'string' && a.trim() !== '' ? Number(a) : Number.NaN;
      if (!Number.isFinite(n)) throw new ExpressionEvaluationError(`number() cannot read ${typeName(a)} as a number`);
      return n;
    }
    case 'string':
      return textOf(a);
    case 'json':
      return JSON.stringify(a ?? null);
    case 'round': {
      const digits = b === undefined ? 0 : numberOf(b, 'round');
      const factor = 10 ** Math.max(0, Math.min(12, Math.trunc(digits)));
      return Math.round(numberOf(a, 'round') * factor) / factor;
    }
    case 'floor':
      return Math.floor(numberOf(a, 'floor'));
    case 'ceil':
      return Math.ceil(numberOf(a, 'ceil'));
    case 'abs':
      return Math.abs(numberOf(a, 'abs'));
    case 'min':
    case 'max': {
      const values = args.length === 1 && Array.isArray(a) ? a : args;
      if (values.length === 0) return null;
      const numbers = values.map((v) => numberOf(v, name));
      return name === 'min' ? Math.min(...numbers) : Math.max(...numbers);
    }
    case 'exists':
      return a !== null && a !== undefined;
    case 'default':
      return a === null || a === undefined || a === '' ? b : a;
    case 'join': {
      if (!Array.isArray(a)) throw new ExpressionEvaluationError(`join() needs a list, got ${typeName(a)}`);
      return a.map(textOf).join(b === undefined ? ', ' : textArg(b, name));
    }
    case 'split':
      return textArg(a, name).split(textArg(b, name));
    case 'keys':
      if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new ExpressionEvaluationError(`keys() needs an object, got ${typeName(a)}`);
      return Object.keys(a);
  }
}

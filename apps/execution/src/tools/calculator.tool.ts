import { BUILTIN_TOOLS } from '#contracts';
import { ToolInputError, type Tool, type ToolContext } from './tool.js';

export const MAX_EXPRESSION_LENGTH = 500;

type TokenKind = 'number' | 'ident' | 'op' | '(' | ')' | ',' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value: number;
  /** 1-based column, as people count. */
  pos: number;
}

// Maps, not object literals, so names like "constructor" cannot reach Object.prototype.
const CONSTANTS = new Map<string, number>([
  ['pi', Math.PI],
  ['e', Math.E],
]);

interface Fn {
  minArgs: number;
  maxArgs: number;
  apply: (args: number[]) => number;
}
const unary = (f: (x: number) => number): Fn => ({ minArgs: 1, maxArgs: 1, apply: (a) => f(a[0]) });
const FUNCTIONS = new Map<string, Fn>(
  Object.entries({
  sqrt: unary(Math.sqrt),
  abs: unary(Math.abs),
  round: unary(Math.round),
  floor: unary(Math.floor),
  ceil: unary(Math.ceil),
  sin: unary(Math.sin),
  cos: unary(Math.cos),
  tan: unary(Math.tan),
  log: unary(Math.log10),
  ln: unary(Math.log),
  exp: unary(Math.exp),
  min: { minArgs: 1, maxArgs: Infinity, apply: (a) => Math.min(...a) },
  max: { minArgs: 1, maxArgs: Infinity, apply: (a) => Math.max(...a) },
  } satisfies Record<string, Fn>),
);

function fail(message: string): never {
  throw new ToolInputError(`calculator: ${message}`);
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'end of expression' : `"${token.text}" at position ${token.pos}`;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9.]/.test(ch)) {
      while (i < source.length && /[0-9]/.test(source[i])) i++;
      if (source[i] === '.') {
        i++;
        while (i < source.length && /[0-9]/.test(source[i])) i++;
      }
      const mantissa = source.slice(start, i);
      if (mantissa === '.' || (mantissa.match(/\./g)?.length ?? 0) > 1) fail(`malformed number at position ${start + 1}`);
      // An "e" is an exponent only when digits follow; otherwise "2e" stays number then identifier and is reported as bad syntax.
      const exponent = /^[eE][+-]?[0-9]+/.exec(source.slice(i));
      if (exponent) i += exponent[0].length;
      const text = source.slice(start, i);
      tokens.push({ kind: 'number', text, value: Number(text), pos: start + 1 });
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i])) i++;
      const text = source.slice(start, i);
      tokens.push({ kind: 'ident', text, value: NaN, pos: start + 1 });
      continue;
    }
    i++;
    if ('+-*/%^'.includes(ch)) tokens.push({ kind: 'op', text: ch, value: NaN, pos: start + 1 });
    else if (ch === '(' || ch === ')' || ch === ',') tokens.push({ kind: ch, text: ch, value: NaN, pos: start + 1 });
    else fail(`unexpected character "${ch}" at position ${start + 1}`);
  }
  tokens.push({ kind: 'end', text: '', value: NaN, pos: source.length + 1 });
  return tokens;
}

/**
 * Recursive-descent evaluator; precedence low to high:
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?        right-associative, so -2^2 = -4 and 2^3^2 = 512
 *   primary := number | constant | name '(' expr (',' expr)* ')' | '(' expr ')'
 */
class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    const value = this.expr();
    const next = this.peek();
    if (next.kind !== 'end') fail(`unexpected ${describe(next)}`);
    return value;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isOp(...ops: string[]): boolean {
    const token = this.peek();
    return token.kind === 'op' && ops.includes(token.text);
  }

  private expr(): number {
    let value = this.term();
    while (this.isOp('+', '-')) {
      const op = this.next();
      const right = this.term();
      value = finite(op.text === '+' ? value + right : value - right, op);
    }
    return value;
  }

  private term(): number {
    let value = this.unary();
    while (this.isOp('*', '/', '%')) {
      const op = this.next();
      const right = this.unary();
      if (op.text !== '*' && right === 0) fail(`${op.text === '/' ? 'division' : 'modulo'} by zero at position ${op.pos}`);
      value = finite(op.text === '*' ? value * right : op.text === '/' ? value / right : value % right, op);
    }
    return value;
  }

  private unary(): number {
    if (this.isOp('-', '+')) {
      const op = this.next();
      const operand = this.unary();
      return op.text === '-' ? -operand : operand;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (!this.isOp('^')) return base;
    const op = this.next();
    return finite(base ** this.unary(), op);
  }

  private primary(): number {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return finite(token.value, token);
      case '(': {
        const value = this.expr();
        this.expect(')', `missing ")" to close "(" at position ${token.pos}`);
        return value;
      }
      case 'ident':
        return this.identifier(token);
      case 'op':
      case ')':
      case ',':
      case 'end':
        return fail(`expected a number, name or "(" but found ${describe(token)}`);
    }
  }

  private identifier(token: Token): number {
    const name = token.text.toLowerCase();
    const fn = FUNCTIONS.get(name);
    if (this.peek().kind === '(') {
      if (!fn) fail(`unknown function "${token.text}" at position ${token.pos}`);
      const open = this.next();
      const args: number[] = [];
      if (this.peek().kind !== ')') {
        args.push(this.expr());
        while (this.peek().kind === ',') {
          this.next();
          args.push(this.expr());
        }
      }
      this.expect(')', `missing ")" to close "${token.text}(" at position ${open.pos}`);
      if (args.length < fn.minArgs || args.length > fn.maxArgs) {
        const wanted = fn.maxArgs === fn.minArgs ? `${fn.minArgs}` : `at least ${fn.minArgs}`;
        fail(`${name}() at position ${token.pos} takes ${wanted} argument(s), got ${args.length}`);
      }
      return finite(fn.apply(args), token, `${name}(${args.join(', ')})`);
    }
    const constant = CONSTANTS.get(name);
    if (constant !== undefined) return constant;
    if (fn) fail(`function "${token.text}" at position ${token.pos} needs arguments in parentheses`);
    return fail(`unknown name "${token.text}" at position ${token.pos}; known constants are pi and e`);
  }

  private expect(kind: TokenKind, message: string): void {
    const token = this.next();
    if (token.kind !== kind) fail(`${message}, found ${describe(token)}`);
  }
}

function finite(value: number, at: Token, what = `"${at.text}"`): number {
  if (!Number.isFinite(value)) fail(`${what} at position ${at.pos} gives ${Number.isNaN(value) ? 'an undefined result' : 'an infinite result'}`);
  return value;
}

/** Evaluates an arithmetic expression without eval; every problem is a ToolInputError. */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) fail(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  if (expression.trim() === '') fail('expression is empty');
  return new Parser(tokenize(expression)).parse();
}

/** Prints at 15 significant digits so binary floating-point noise (0.1 + 0.2) does not reach the model. */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(15));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Exact arithmetic for the model, which is unreliable at it. */
export class CalculatorTool implements Tool {
  readonly name = 'calculator';
  readonly description = BUILTIN_TOOLS.calculator.description;
  readonly parameters: Record<string, unknown> = BUILTIN_TOOLS.calculator.parameters;
  readonly idempotent = BUILTIN_TOOLS.calculator.idempotent;
  readonly location = 'server' as const;

  async execute(args: Record<string, unknown>, _context: ToolContext): Promise<string> {
    const expression = args.expression;
    if (typeof expression !== 'string') fail('"expression" must be a string');
    return formatNumber(evaluateExpression(expression));
  }
}

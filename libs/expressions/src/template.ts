import { evaluate, type Expression, ExpressionSyntaxError, MAX_EXPRESSION_CHARS, parseExpression, pathsOf, type Scope, textOf } from './expression.js';

/** Text with `{{ expression }}` holes, parsed once. */
export interface Template {
  parts: Array<string | Expression>;
}

const MAX_TEMPLATE_CHARS = 100_000;

/**
 * Parses a template. `{{` opens a hole and `}}` closes it; a hole's syntax error is reported at its
 * position in the whole template. Text outside holes is kept as is.
 */
export function parseTemplate(source: string): Template {
  if (source.length > MAX_TEMPLATE_CHARS) throw new ExpressionSyntaxError(`longer than ${MAX_TEMPLATE_CHARS} characters`, MAX_TEMPLATE_CHARS);
  const parts: Array<string | Expression> = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open === -1) {
      parts.push(source.slice(at));
      break;
    }
    if (open > at) parts.push(source.slice(at, open));
    const close = source.indexOf('}}', open + 2);
    if (close === -1) throw new ExpressionSyntaxError('"{{" is never closed by "}}"', open);
    const inner = source.slice(open + 2, close);
    if (inner.length > MAX_EXPRESSION_CHARS) throw new ExpressionSyntaxError(`a {{ }} longer than ${MAX_EXPRESSION_CHARS} characters`, open);
    try {
      parts.push(parseExpression(inner));
    } catch (err) {
      if (err instanceof ExpressionSyntaxError) throw new ExpressionSyntaxError(err.message.replace(/ at character \d+$/, ''), open + 2 + err.position);
      throw err;
    }
    at = close + 2;
  }
  return { parts };
}

/**
 * Fills a template: exactly one hole and nothing else gives the expression's value with its type;
 * anything else gives text (null as '', objects and lists as JSON).
 */
export function renderTemplate(template: Template, scope: Scope): unknown {
  const { parts } = template;
  if (parts.length === 1 && typeof parts[0] !== 'string') return evaluate(parts[0], scope);
  return parts.map((part) => (typeof part === 'string' ? part : textOf(evaluate(part, scope)))).join('');
}

/** renderTemplate, always as text (a prompt, a message). */
export function renderText(template: Template, scope: Scope): string {
  return textOf(renderTemplate(template, scope));
}

/** The paths the template's holes read (see pathsOf). */
export function templatePaths(template: Template): Array<Array<string | number>> {
  return template.parts.flatMap((part) => (typeof part === 'string' ? [] : pathsOf(part)));
}

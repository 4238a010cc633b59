/**
 * Text every service can store. PostgreSQL refuses U+0000 in text and jsonb, and a lone UTF-16
 * surrogate cannot be encoded as UTF-8 at all; deeply nested JSON overflows the recursive code
 * that walks it (validation, serialisation, jsonb). Input from users is refused with the field
 * named (validatePayload calls findTextProblem); text from outside (model output, tool results,
 * fetched pages) is made storable with `storable` before it is written, and says how much it changed.
 */

/** How deep a JSON value may nest, objects and arrays counted (the documented limit). */
export const MAX_JSON_DEPTH = 32;

const REPLACEMENT = '\uFFFD';

export interface TextProblem {
  /** Dotted path of the offending value or key, as validation errors name fields. */
  field: string;
  problem: string;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (!text.isWellFormed()) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}

/** The first string (value or key) that cannot be stored, or the first place nesting exceeds maxDepth; undefined when all is well. */
export function findTextProblem(value: unknown, maxDepth = MAX_JSON_DEPTH, root = ''): TextProblem | undefined {
  // Iterative, so a hostile depth cannot overflow the stack while being checked.
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { field: path || 'value', problem };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return { field: path || 'value', problem: `must not nest deeper than ${maxDepth} levels` };
    const entries: Array<[string, unknown]> = Array.isArray(current) ? current.map((item, i) => [String(i), item]) : Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const childPath = path ? `${path}.${key}` : key;
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: path || 'value', problem: `has a key that ${keyProblem}` };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The text with NULs and lone surrogates replaced by U+FFFD, and how many characters that replaced. */
export function storableText(text: string): { text: string; replaced: number } {
  if (!text.includes('\u0000') && text.isWellFormed()) return { text, replaced: 0 };
  let replaced = 0;
  const withoutNul = text.replace(/\u0000/g, () => {
    replaced++;
    return REPLACEMENT;
  });
  const wellFormed = withoutNul.toWellFormed();
  for (let i = 0; i < wellFormed.length; i++) if (wellFormed[i] !== withoutNul[i]) replaced++;
  return { text: wellFormed, replaced };
}

/**
 * A JSON-like value whose strings and keys can all be stored; the same object when nothing had to
 * change (the common case costs one walk, no copy).
 */
export function storable<T>(value: T): { value: T; replaced: number } {
  let replaced = 0;
  const visit = (current: unknown): unknown => {
    if (typeof current === 'string') {
      const fixed = storableText(current);
      replaced += fixed.replaced;
      return fixed.text;
    }
    if (typeof current !== 'object' || current === null) return current;
    if (Array.isArray(current)) {
      let changed = false;
      const items = current.map((item) => {
        const next = visit(item);
        if (next !== item) changed = true;
        return next;
      });
      return changed ? items : current;
    }
    if (Object.getPrototypeOf(current) !== Object.prototype && Object.getPrototypeOf(current) !== null) return current;
    let changed = false;
    const entries = Object.entries(current).map(([key, child]) => {
      const fixedKey = storableText(key);
      replaced += fixedKey.replaced;
      const next = visit(child);
      if (next !== child || fixedKey.text !== key) changed = true;
      return [fixedKey.text, next] as const;
    });
    return changed ? Object.fromEntries(entries) : current;
  };
  const result = visit(value) as T;
  return { value: result, replaced };
}

import { AppError } from '#contracts';

/**
 * The metadata filter language of knowledge search, checked once into a tree and then written as
 * SQL over `chunks.metadata`:
 *
 *   { "lang": "en" }                              equality (string, number, boolean or null)
 *   { "lang": { "in": ["en", "de"] } }            one of several values
 *   { "year": { "gte": 2020, "lt": 2024 } }       ranges over numbers, or over strings (ISO dates compare as text)
 *   { "reviewed": { "exists": true } }            the field is there (false: it is not)
 *   { "and": [ ... ] }, { "or": [ ... ] }         combinations; several keys in one object all apply
 *   { "author.team": "search" }                   a dotted name reaches into nested objects
 *
 * Anything else is refused with the path of the part at fault (`filter.or[1].year.gte`).
 */
export type Scalar = string | number | boolean | null;

export type MetadataFilter =
  | { kind: 'and'; items: MetadataFilter[] }
  | { kind: 'or'; items: MetadataFilter[] }
  | { kind: 'eq'; field: string[]; value: Scalar }
  | { kind: 'in'; field: string[]; values: Scalar[] }
  | { kind: 'range'; field: string[]; type: 'number' | 'string'; bounds: Partial<Record<RangeOperator, number | string>> }
  | { kind: 'exists'; field: string[]; exists: boolean };

const RANGE_OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;
type RangeOperator = (typeof RANGE_OPERATORS)[number];
const OPERATORS = new Set<string>(['in', 'exists', ...RANGE_OPERATORS]);
const FIELD = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,4}$/;
const MAX_DEPTH = 6;
const MAX_CONDITIONS = 100;
const MAX_IN_VALUES = 100;

const bad = (path: string, problem: string) => AppError.invalidField(path, problem);

/** Checks a filter from a request; `undefined` and `{}` match every chunk (null answer). */
export function parseMetadataFilter(filter: unknown, path = 'filter'): MetadataFilter | null {
  if (filter === undefined || filter === null) return null;
  const counter = { conditions: 0 };
  const parsed = parseObject(filter, path, 0, counter);
  return parsed.items.length === 0 ? null : parsed;
}

function parseObject(value: unknown, path: string, depth: number, counter: { conditions: number }): { kind: 'and'; items: MetadataFilter[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, `${path} must be an object of conditions`);
  if (depth > MAX_DEPTH) throw bad(path, `filters nest at most ${MAX_DEPTH} levels deep`);
  const items: MetadataFilter[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(inner) || inner.length === 0) throw bad(at, `${at} must be a non-empty array of conditions`);
      if (inner.length > MAX_CONDITIONS) throw bad(at, `${at} has more than ${MAX_CONDITIONS} conditions`);
      items.push({ kind: key, items: inner.map((item, i) => parseObject(item, `${at}[${i}]`, depth + 1, counter)) });
      continue;
    }
    if (!FIELD.test(key)) throw bad(at, `${at}: a field name is letters, digits, "_" or "-" (at most 64), dotted for nested fields`);
    const field = key.split('.');
    if (++counter.conditions > MAX_CONDITIONS) throw bad(path, `a filter has at most ${MAX_CONDITIONS} conditions`);
    if (isScalar(inner)) {
      items.push({ kind: 'eq', field, value: inner });
      continue;
    }
    if (Array.isArray(inner)) throw bad(at, `${at}: use { "in": [...] } to match one of several values`);
    items.push(...parseOperators(inner as Record<string, unknown>, field, at));
  }
  return { kind: 'and', items };
}

function parseOperators(ops: Record<string, unknown>, field: string[], path: string): MetadataFilter[] {
  const keys = Object.keys(ops);
  if (keys.length === 0) throw bad(path, `${path} must be a value or an object of operators (in, exists, gt, gte, lt, lte)`);
  const out: MetadataFilter[] = [];
  const bounds: Partial<Record<RangeOperator, number | string>> = {};
  let rangeType: 'number' | 'string' | undefined;
  for (const op of keys) {
    const at = `${path}.${op}`;
    const value = ops[op];
    if (!OPERATORS.has(op)) throw bad(at, `${at}: unknown operator "${op.slice(0, 40)}" (use in, exists, gt, gte, lt or lte)`);
    if (op === 'in') {
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES || !value.every(isScalar)) {
        throw bad(at, `${at} must be a non-empty array of at most ${MAX_IN_VALUES} strings, numbers, booleans or nulls`);
      }
      out.push({ kind: 'in', field, values: value });
    } else if (op === 'exists') {
      if (typeof value !== 'boolean') throw bad(at, `${at} must be true or false`);
      out.push({ kind: 'exists', field, exists: value });
    } else {
      const type = typeof value === 'number' && Number.isFinite(value) ? 'number' : typeof value === 'string' && value.length <= 200 ? 'string' : undefined;
      if (!type) throw bad(at, `${at} must be a number or a string (at most 200 characters)`);
      if (rangeType && rangeType !== type) throw bad(at, `${at}: the bounds of one range are all numbers or all strings`);
      rangeType = type;
      bounds[op as RangeOperator] = value as number | string;
    }
  }
  if (rangeType) out.push({ kind: 'range', field, type: rangeType, bounds });
  return out;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

const SQL_OPERATOR: Record<RangeOperator, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * The filter as an SQL condition over `<column>` (a jsonb column), its values appended to
 * `params` and referenced as $n: nothing from the request is ever spliced into the text.
 * Equality is written as containment (`@>`), which the planner can answer from a GIN index.
 */
export function metadataFilterSql(filter: MetadataFilter, column: string, params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  const at = (field: string[]) => `(${column} #> ${param(field)}::text[])`;
  const nested = (field: string[], value: unknown) => JSON.stringify(field.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value));
  switch (filter.kind) {
    case 'and':
    case 'or':
      return `(${filter.items.map((item) => metadataFilterSql(item, column, params)).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'eq':
      return `${column} @> ${param(nested(filter.field, filter.value))}::jsonb`;
    case 'in':
      return `(${filter.values.map((value) => `${column} @> ${param(nested(filter.field, value))}::jsonb`).join(' OR ')})`;
    case 'exists':
      return `${at(filter.field)} IS ${filter.exists ? 'NOT ' : ''}NULL`;
    case 'range': {
      const value = at(filter.field);
      const typed =
        filter.type === 'number'
          ? `(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value} #>> '{}')::numeric END)`
          : `(CASE WHEN jsonb_typeof(${value}) = 'string' THEN (${value} #>> '{}') END) COLLATE "C"`;
      const cast = filter.type === 'number' ? '::numeric' : '::text';
      return `(${Object.entries(filter.bounds)
        .map(([op, bound]) => `${typed} ${SQL_OPERATOR[op as RangeOperator]} ${param(bound)}${cast}`)
        .join(' AND ')})`;
    }
  }
}

/**
 * The same filter as a predicate over one chunk's metadata, with exactly the meaning of
 * metadataFilterSql in PostgreSQL (apps/agent/test/metadata-filter.spec.ts compares the two on
 * real PostgreSQL), so search can filter its in-memory copy of a base without a query:
 * - equality and `in` are jsonb containment: the path runs through objects only, and the value
 *   there is the same scalar (numbers compare by value, so 1 equals 1.0); an array holding the
 *   value does not count;
 * - `exists` and ranges read the path as `#>` does: through objects by key and through arrays by
 *   an integer index (negative from the end); a JSON null exists;
 * - string ranges compare by code point, which is the byte order of COLLATE "C" in UTF-8.
 */
export function metadataFilterPredicate(filter: MetadataFilter): (metadata: unknown) => boolean {
  switch (filter.kind) {
    case 'and': {
      const items = filter.items.map(metadataFilterPredicate);
      return (metadata) => items.every((item) => item(metadata));
    }
    case 'or': {
      const items = filter.items.map(metadataFilterPredicate);
      return (metadata) => items.some((item) => item(metadata));
    }
    case 'eq':
      return (metadata) => {
        const value = objectPath(metadata, filter.field);
        return value !== undefined && scalarEquals(value, filter.value);
      };
    case 'in':
      return (metadata) => {
        const value = objectPath(metadata, filter.field);
        return value !== undefined && filter.values.some((candidate) => scalarEquals(value, candidate));
      };
    case 'exists':
      return (metadata) => (jsonPath(metadata, filter.field) !== undefined) === filter.exists;
    case 'range': {
      const bounds = Object.entries(filter.bounds) as Array<[RangeOperator, number | string]>;
      return (metadata) => {
        const value = jsonPath(metadata, filter.field);
        if (typeof value !== filter.type) return false;
        return bounds.every(([op, bound]) => {
          const order = filter.type === 'number' ? Math.sign((value as number) - (bound as number)) : compareCodePoints(value as string, bound as string);
          return op === 'gt' ? order > 0 : op === 'gte' ? order >= 0 : op === 'lt' ? order < 0 : order <= 0;
        });
      };
    }
  }
}

/** Whether the filter compares any number (what an in-memory copy holding imprecise numbers must leave to SQL). */
export function filterComparesNumbers(filter: MetadataFilter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return filter.items.some(filterComparesNumbers);
    case 'eq':
      return typeof filter.value === 'number';
    case 'in':
      return filter.values.some((value) => typeof value === 'number');
    case 'exists':
      return false;
    case 'range':
      return filter.type === 'number';
  }
}

/** What `@>` reaches: keys of objects only. */
function objectPath(metadata: unknown, field: string[]): unknown {
  let at = metadata;
  for (const key of field) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const ARRAY_INDEX = /^-?\d+$/;

/** What `#>` reaches: object keys, and array elements by integer index (negative from the end). */
function jsonPath(metadata: unknown, field: string[]): unknown {
  let at = metadata;
  for (const key of field) {
    if (Array.isArray(at)) {
      if (!ARRAY_INDEX.test(key)) return undefined;
      const index = Number(key);
      // PostgreSQL reads the index as a 32-bit integer; anything beyond reaches nothing.
      if (!Number.isSafeInteger(index) || Math.abs(index) > 2 ** 31 - 1) return undefined;
      at = at[index < 0 ? at.length + index : index];
    } else if (typeof at === 'object' && at !== null && Object.hasOwn(at, key)) {
      at = (at as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return at;
}

function scalarEquals(value: unknown, scalar: Scalar): boolean {
  return value === scalar;
}

/** Code point order: the order of the UTF-8 bytes, as COLLATE "C" compares them. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only a surrogate (a code point beyond U+FFFF) against U+E000..U+FFFF sorts differently by code unit.
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

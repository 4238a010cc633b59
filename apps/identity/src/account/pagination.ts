import { AppError, ErrorCode } from '#contracts';

export const DEFAULT_PAGE_SIZE = 20;

/** Opaque to clients: base64url of the sort key of the last item of the previous page. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor with the given fields, or fails as a validation error naming `cursor`. */
export function decodeCursor<K extends Record<string, 'string' | 'number'>>(cursor: string, shape: K): { [P in keyof K]: K[P] extends 'number' ? number : string } {
  const invalid = () => new AppError(ErrorCode.VALIDATION_FAILED, 'request is invalid', { errors: [{ field: 'cursor', problems: ['cursor must be a nextCursor from a previous page'] }] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const record = parsed as Record<string, unknown>;
  for (const [field, type] of Object.entries(shape)) {
    const value = record[field];
    if (type === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string' || !/^[0-9a-f-]{36}$/.test(value)) throw invalid();
  }
  return record as { [P in keyof K]: K[P] extends 'number' ? number : string };
}

/** Takes one more row than the page holds, to know whether there is a next page. */
export function page<T, V>(rows: T[], limit: number, view: (row: T) => V, cursorOf: (row: T) => string): { items: V[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items: items.map(view), nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
}

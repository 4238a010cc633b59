import { AppError, ErrorCode } from '#contracts';

/** The sort key of a keyset page, field by field. */
export type CursorShape = Record<string, 'uuid' | 'int' | 'timestamp'>;
export type CursorKey<S extends CursorShape> = { [K in keyof S]: S[K] extends 'int' ? number : string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CURSOR_CHARS = 200;

function badCursor(): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, 'request is invalid', {
    errors: [{ field: 'cursor', problems: ['cursor must be the nextCursor of a previous page'] }],
  });
}

/** Opaque to clients: base64url of the sort key of the last item of the previous page. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The key a cursor carries, checked field by field against the shape the list sorts by, or a
 * VALIDATION_FAILED naming `cursor`: a forged or foreign cursor never reaches SQL.
 */
export function decodeCursor<S extends CursorShape>(cursor: string, shape: S): CursorKey<S> {
  if (cursor.length > MAX_CURSOR_CHARS) throw badCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badCursor();
  const record = parsed as Record<string, unknown>;
  if (Object.keys(record).length !== Object.keys(shape).length) throw badCursor();
  for (const [field, type] of Object.entries(shape)) {
    const value = record[field];
    const ok =
      type === 'int'
        ? Number.isSafeInteger(value) && (value as number) >= 0
        : typeof value === 'string' && (type === 'uuid' ? UUID.test(value) : !Number.isNaN(Date.parse(value)) && value.length <= 40);
    if (!ok) throw badCursor();
  }
  return record as CursorKey<S>;
}

/** Takes one more row than the page holds, to know whether there is a next page. */
export function pageOf<T, V>(rows: T[], limit: number, view: (row: T) => V, cursorOf: (row: T) => string): { items: V[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items: items.map(view), nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
}

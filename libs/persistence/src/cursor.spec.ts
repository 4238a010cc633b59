import { AppError } from '#contracts';
import { decodeCursor, encodeCursor, pageOf } from './cursor.js';

const id = '01a20978-2ffc-70d9-aaca-ad2e71c80e0c';
const refused = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return err instanceof AppError ? (err.details?.errors as Array<{ field: string }>)[0].field : 'other';
  }
};

describe('keyset cursors', () => {
  it('round-trips a key of uuids, integers and timestamps', () => {
    const key = { at: '2026-11-23T18:00:00.000Z', n: 42, id };
    expect(decodeCursor(encodeCursor(key), { at: 'timestamp', n: 'int', id: 'uuid' })).toEqual(key);
  });

  it.each([
    ['not base64 json', 'a b c'],
    ['a field of the wrong type', encodeCursor({ id: 'nope' })],
    ['a missing field', encodeCursor({})],
    ['an extra field', encodeCursor({ id, more: 1 })],
    ['an array', Buffer.from(JSON.stringify([id])).toString('base64url')],
    ['an over-long cursor', 'x'.repeat(201)],
  ])('refuses %s as a bad cursor', (_what, cursor) => {
    expect(refused(() => decodeCursor(cursor, { id: 'uuid' }))).toBe('cursor');
  });

  it('pages with one extra row to know whether more follow', () => {
    expect(pageOf([1, 2, 3], 2, (n) => n * 10, (n) => `c${n}`)).toEqual({ items: [10, 20], nextCursor: 'c2' });
    expect(pageOf([1, 2], 2, (n) => n, (n) => `c${n}`)).toEqual({ items: [1, 2], nextCursor: null });
  });
});

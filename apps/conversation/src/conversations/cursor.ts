/** Cursors are opaque to clients: base64url of the sort key of the last row of a page. */
export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The parts, or null when the text is not a cursor this service wrote with that many parts. */
export function decodeCursor(cursor: string, count: number): string[] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== count || !parsed.every((p) => typeof p === 'string' && p.length < 100)) return null;
    return parsed as string[];
  } catch {
    return null;
  }
}

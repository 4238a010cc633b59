import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `<row id>.<secret>`: the id finds the row, the secret proves possession (only its hash is stored). */
export interface IssuedRefreshToken {
  id: string;
  token: string;
  hash: Buffer;
}

const FORMAT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function issueRefreshToken(id: string): IssuedRefreshToken {
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${id}.${secret}`, hash: hashSecret(secret) };
}

export function parseRefreshToken(token: string): { id: string; secret: string } | null {
  const match = FORMAT.exec(token);
  return match ? { id: match[1], secret: match[2] } : null;
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

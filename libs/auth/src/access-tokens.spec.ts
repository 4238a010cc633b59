import { SignJWT } from 'jose';
import { AccessTokens, InvalidTokenError, TOKEN_AUDIENCE, TOKEN_ISSUER } from './access-tokens.js';

const SECRET = 'x'.repeat(40);
const claims = { userId: '0190a0b0-0000-7000-8000-000000000001', sessionId: 's1', isSuperuser: false, scopes: ['full'] };

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function reasonOf(tokens: AccessTokens, token: string): Promise<string> {
  try {
    await tokens.verify(token);
    return 'accepted';
  } catch (err) {
    return err instanceof InvalidTokenError ? err.reason : 'other';
  }
}

describe('AccessTokens', () => {
  const tokens = new AccessTokens(SECRET, 60);

  it('round-trips the claims it signed, with when the token expires', async () => {
    const before = Date.now();
    const verified = await tokens.verify(await tokens.sign(claims));
    expect(verified).toEqual({ ...claims, expiresAt: expect.any(Number) });
    // exp is whole seconds: within a second of issue + ttl.
    expect(verified.expiresAt).toBeGreaterThan(before + 58_000);
    expect(verified.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [h, p] = (await tokens.sign(claims)).split('.');
    const forged = `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), su: true })}.${'A'.repeat(43)}`;
    expect(await reasonOf(tokens, forged)).toBe('invalid');
  });

  it('refuses alg "none"', async () => {
    const [, p] = (await tokens.sign(claims)).split('.');
    expect(await reasonOf(tokens, `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`)).toBe('invalid');
  });

  it('refuses a token signed with another key', async () => {
    const other = new AccessTokens('y'.repeat(40), 60);
    expect(await reasonOf(tokens, await other.sign(claims))).toBe('invalid');
  });

  it('reports an expired token as expired', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const old = await new SignJWT({ sid: 's1', su: false, scp: ['full'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(hourAgo)
      .setExpirationTime(hourAgo + 60)
      .sign(new TextEncoder().encode(SECRET));
    expect(await reasonOf(tokens, old)).toBe('expired');
  });

  it('refuses a token meant for another audience', async () => {
    const foreign = await new SignJWT({ sid: 's1', su: false, scp: ['full'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience('someone-else')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));
    expect(await reasonOf(tokens, foreign)).toBe('invalid');
  });
});

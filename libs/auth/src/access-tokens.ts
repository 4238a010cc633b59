import { webcrypto } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export const TOKEN_ISSUER = 'agent-platform/identity';
export const TOKEN_AUDIENCE = 'agent-platform/api';
/** Pinned: a token that names any other algorithm (including "none") is refused. */
const ALGORITHM = 'HS256';

export interface AccessClaims {
  userId: string;
  /** Refresh-token family: the login session this token belongs to. */
  sessionId: string;
  isSuperuser: boolean;
  scopes: string[];
}

/** What a checked token says, with when it expires (ms since the epoch). */
export interface VerifiedAccessClaims extends AccessClaims {
  expiresAt: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'access token expired' : 'access token invalid');
    this.name = 'InvalidTokenError';
  }
}

/** Signs (identity) and verifies (gateway) access tokens with one shared key. */
export class AccessTokens {
  /**
   * A WebCrypto key imported once: given raw bytes (or a KeyObject) jose imports the key again
   * on every call, which was the largest CPU cost of an authenticated request.
   */
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(secret: string, private readonly ttlSeconds: number) {
    if (secret.length < 32) throw new Error('the access-token secret must be at least 32 characters');
    this.key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  get expiresIn(): number {
    return this.ttlSeconds;
  }

  async sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId, su: claims.isSuperuser, scp: claims.scopes })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(await this.key);
  }

  async verify(token: string): Promise<VerifiedAccessClaims> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: 5,
      });
      const { sub, sid, su, scp, exp } = payload;
      if (typeof sub !== 'string' || typeof sid !== 'string' || !Array.isArray(scp) || typeof exp !== 'number') throw new InvalidTokenError('invalid');
      return { userId: sub, sessionId: sid, isSuperuser: su === true, scopes: scp.filter((s): s is string => typeof s === 'string'), expiresAt: exp * 1000 };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      throw new InvalidTokenError(err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid');
    }
  }
}

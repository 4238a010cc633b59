import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { IdentityConfig } from '#config';
import { OidcErrors } from './oidc.errors.js';

type OidcConfig = NonNullable<IdentityConfig['oidc']>;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export interface IdTokenClaims {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

const HTTP_TIMEOUT_MS = 5000;
/** Asymmetric only: an HS256 id token would be signed with our client secret, which a provider must not need. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function isDiscovery(value: unknown): value is Discovery {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'].every((k) => typeof v[k] === 'string');
}

/** The relying-party side of OpenID Connect's authorization code flow, with PKCE. */
export class OidcClient {
  private discovery: Promise<Discovery> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(readonly config: OidcConfig) {}

  async authorizationUrl(params: { state: string; nonce: string; codeChallenge: string }): Promise<string> {
    const discovery = await this.discover();
    const url = new URL(discovery.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('redirect_uri', this.config.redirectUri);
    url.searchParams.set('scope', this.config.scopes);
    url.searchParams.set('state', params.state);
    url.searchParams.set('nonce', params.nonce);
    url.searchParams.set('code_challenge', params.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /** Exchanges the code (with the PKCE verifier) and verifies the id token it returns. */
  async redeem(code: string, codeVerifier: string, nonce: string): Promise<IdTokenClaims> {
    const discovery = await this.discover();
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.config.redirectUri, code_verifier: codeVerifier });
    const basic = Buffer.from(`${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
        body,
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch {
      throw OidcErrors.unreachable();
    }
    if (response.status >= 500) throw OidcErrors.unreachable();
    const tokens = (await response.json().catch(() => null)) as { id_token?: unknown } | null;
    if (!response.ok || !tokens || typeof tokens.id_token !== 'string') throw OidcErrors.providerRefused();
    return this.verifyIdToken(tokens.id_token, nonce, discovery);
  }

  private async verifyIdToken(idToken: string, nonce: string, discovery: Discovery): Promise<IdTokenClaims> {
    this.jwks ??= createRemoteJWKSet(new URL(discovery.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_MS });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.jwks, {
        algorithms: ID_TOKEN_ALGORITHMS,
        issuer: discovery.issuer,
        audience: this.config.clientId,
        requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
        clockTolerance: 30,
      }));
    } catch {
      throw OidcErrors.badIdToken();
    }
    if (payload.nonce !== nonce || typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) throw OidcErrors.badIdToken();
    // With several audiences the token must name us as the party it was issued to.
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== this.config.clientId) throw OidcErrors.badIdToken();
    const email = typeof payload.email === 'string' && payload.email.length <= 254 ? payload.email.toLowerCase() : null;
    const name = typeof payload.name === 'string' ? payload.name.slice(0, 200) : null;
    return { subject: payload.sub, email, emailVerified: payload.email_verified === true, name };
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= this.fetchDiscovery().catch((err: unknown) => {
      // A failed discovery is retried on the next sign-in rather than remembered.
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  private async fetchDiscovery(): Promise<Discovery> {
    let document: unknown;
    try {
      const response = await fetch(`${this.config.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      document = await response.json();
    } catch {
      throw OidcErrors.unreachable();
    }
    // The issuer in the document must be the one configured (OpenID Connect Discovery 1.0, section 4.3).
    if (!isDiscovery(document) || document.issuer.replace(/\/$/, '') !== this.config.issuer) throw OidcErrors.unreachable();
    return document;
  }
}

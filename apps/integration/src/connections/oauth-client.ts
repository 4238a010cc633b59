import type { OAuthProviderConfig } from '#config';

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  /** Seconds the access token lives, when the provider says. */
  expiresIn: number | null;
  scopes: string[] | null;
}

/** The provider refused a grant; `error` is its RFC 6749 code (`invalid_grant`: revoked or expired for good). */
export class OAuthGrantError extends Error {
  constructor(
    readonly error: string,
    readonly status: number,
  ) {
    super(`the provider refused: ${error}`);
    this.name = 'OAuthGrantError';
  }
}

const TIMEOUT_MS = 15_000;

/**
 * The token endpoint calls of OAuth 2 (RFC 6749, PKCE RFC 7636, revocation RFC 7009) against a
 * provider the operator configured. Error texts carry the provider's error code only, never a token.
 */
export const OAuthClient = {
  exchangeCode(provider: OAuthProviderConfig, code: string, codeVerifier: string, redirectUri: string): Promise<TokenSet> {
    return tokenRequest(provider, { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri });
  },

  refresh(provider: OAuthProviderConfig, refreshToken: string): Promise<TokenSet> {
    return tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: refreshToken });
  },

  /** Best effort: the connection goes either way. */
  async revoke(provider: OAuthProviderConfig, token: string): Promise<void> {
    if (!provider.revocationUrl) return;
    await fetch(provider.revocationUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...clientAuth(provider) },
      body: new URLSearchParams({ token, token_type_hint: 'refresh_token', ...(provider.clientSecret ? {} : { client_id: provider.clientId }) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch(() => undefined);
  },

  /** The account's email from the userinfo endpoint, when the provider has one. */
  async email(provider: OAuthProviderConfig, accessToken: string): Promise<string | null> {
    if (!provider.userInfoUrl) return null;
    const res = await fetch(provider.userInfoUrl, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => undefined);
    if (!res?.ok) return null;
    const body = (await res.json().catch(() => ({}))) as { email?: unknown };
    return typeof body.email === 'string' ? body.email : null;
  },
};

function clientAuth(provider: OAuthProviderConfig): Record<string, string> {
  if (!provider.clientSecret) return {};
  const basic = Buffer.from(`${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret)}`).toString('base64');
  return { authorization: `Basic ${basic}` };
}

async function tokenRequest(provider: OAuthProviderConfig, params: Record<string, string>): Promise<TokenSet> {
  const res = await fetch(provider.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...clientAuth(provider) },
    body: new URLSearchParams({ ...params, ...(provider.clientSecret ? {} : { client_id: provider.clientId }) }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.access_token !== 'string') {
    throw new OAuthGrantError(typeof body.error === 'string' ? body.error.slice(0, 100) : `http_${res.status}`, res.status);
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expiresIn: typeof body.expires_in === 'number' ? body.expires_in : typeof body.expires_in === 'string' ? Number(body.expires_in) || null : null,
    scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : null,
  };
}

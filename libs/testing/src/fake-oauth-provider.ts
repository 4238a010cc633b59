import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Grant {
  id: string;
  email: string;
  scope: string;
  refreshToken: string;
  /** Refresh tokens this grant issued before the current one: presenting one again revokes the grant (reuse detection). */
  spent: Set<string>;
  accessTokens: Set<string>;
  revoked: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  grant: Grant;
}

/**
 * A small OAuth 2 authorization server on a real socket, for connections: an authorize endpoint
 * that consents for the account the test chose and redirects back with a code, a token endpoint
 * (authorization_code with PKCE S256 and client authentication; refresh_token with rotation and
 * reuse detection), RFC 7009 revocation, and a userinfo endpoint. It counts refreshes.
 */
export class FakeOAuthProvider {
  readonly clientId = 'integration-test-client';
  readonly clientSecret = randomBytes(24).toString('base64url');
  /** Every refresh_token grant that was answered with new tokens. */
  refreshCount = 0;
  /** Every token request's form, for asserting on what the client sent. */
  readonly tokenRequests: URLSearchParams[] = [];
  /** Lifetime of the access tokens it issues, in seconds (first issue, then refreshes). */
  expiresIn = 3600;
  refreshedExpiresIn = 3600;
  /** Issue a new refresh token on every refresh (and refuse the old one). */
  rotate = true;
  /** Delay of each refresh answer, so concurrent refreshes overlap. */
  refreshDelayMs = 0;
  private email = 'someone@example.com';
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly expired = new Set<string>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeOAuthProvider> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const provider = new FakeOAuthProvider(server);
    server.on('request', (req, res) => {
      provider.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    return provider;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The provider entry for INTEGRATION_OAUTH_PROVIDERS. */
  providerConfig(name = 'acme'): Record<string, unknown> {
    return {
      name,
      title: 'Acme',
      authorizationUrl: `${this.baseUrl}/authorize`,
      tokenUrl: `${this.baseUrl}/token`,
      revocationUrl: `${this.baseUrl}/revoke`,
      userInfoUrl: `${this.baseUrl}/userinfo`,
      apiBaseUrl: `${this.baseUrl}/api/`,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      scopes: ['mail.read', 'calendar'],
    };
  }

  /** Whose account the next consent is for. */
  consentAs(email: string): void {
    this.email = email;
  }

  /** The user revokes access at the provider: every token of the account stops working. */
  revokeAccount(email: string): void {
    for (const grant of this.grants.values()) if (grant.email === email) grant.revoked = true;
  }

  /** Whether a resource server of this provider accepts the access token (issued, not expired early, grant not revoked). */
  isValidAccessToken(accessToken: string): boolean {
    return [...this.grants.values()].some((g) => !g.revoked && g.accessTokens.has(accessToken) && !this.expired.has(accessToken));
  }

  /** The account's current access tokens stop working before their stated expiry; its refresh token still works. */
  expireAccessTokens(email: string): void {
    for (const grant of this.grants.values()) if (grant.email === email) for (const t of grant.accessTokens) this.expired.add(t);
  }

  isRevoked(email: string): boolean {
    return [...this.grants.values()].some((g) => g.email === email && g.revoked);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (url.pathname === '/authorize') return this.authorize(url, res);
    if (url.pathname === '/token' && req.method === 'POST') return this.token(req, new URLSearchParams(await body(req)), res);
    if (url.pathname === '/revoke' && req.method === 'POST') return this.revoke(new URLSearchParams(await body(req)), res);
    if (url.pathname === '/userinfo' || url.pathname.startsWith('/api/')) {
      const grant = this.grantOfAccessToken(req.headers.authorization);
      if (!grant) return json(res, 401, { error: 'invalid_token' });
      if (url.pathname === '/userinfo') return json(res, 200, { email: grant.email, email_verified: true });
      return json(res, 200, { path: url.pathname, query: Object.fromEntries(url.searchParams), email: grant.email });
    }
    json(res, 404, { error: 'not_found' });
  }

  private authorize(url: URL, res: http.ServerResponse): void {
    const q = url.searchParams;
    if (q.get('client_id') !== this.clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state')) {
      return json(res, 400, { error: 'invalid_request' });
    }
    const grant: Grant = { id: randomBytes(8).toString('hex'), email: this.email, scope: q.get('scope') ?? '', refreshToken: token('rt'), spent: new Set(), accessTokens: new Set(), revoked: false };
    const code = token('code');
    this.codes.set(code, { clientId: this.clientId, redirectUri: q.get('redirect_uri') ?? '', codeChallenge: q.get('code_challenge') ?? '', grant });
    const back = new URL(q.get('redirect_uri') ?? '');
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  private async token(req: http.IncomingMessage, form: URLSearchParams, res: http.ServerResponse): Promise<void> {
    this.tokenRequests.push(form);
    if (req.headers.authorization !== `Basic ${Buffer.from(`${this.clientId}:${encodeURIComponent(this.clientSecret)}`).toString('base64')}`) return json(res, 401, { error: 'invalid_client' });
    if (form.get('grant_type') === 'authorization_code') {
      const pending = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!pending || pending.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) {
        return json(res, 400, { error: 'invalid_grant' });
      }
      this.grants.set(pending.grant.id, pending.grant);
      return json(res, 200, this.issue(pending.grant, this.expiresIn, true));
    }
    if (form.get('grant_type') === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = [...this.grants.values()].find((g) => g.refreshToken === presented || g.spent.has(presented));
      if (!grant || grant.revoked) return json(res, 400, { error: 'invalid_grant' });
      if (grant.spent.has(presented)) {
        grant.revoked = true; // a spent refresh token came back: someone has a copy, so the whole grant goes
        return json(res, 400, { error: 'invalid_grant' });
      }
      if (this.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, this.refreshDelayMs));
      this.refreshCount += 1;
      return json(res, 200, this.issue(grant, this.refreshedExpiresIn, this.rotate));
    }
    json(res, 400, { error: 'unsupported_grant_type' });
  }

  private revoke(form: URLSearchParams, res: http.ServerResponse): void {
    const presented = form.get('token') ?? '';
    for (const grant of this.grants.values()) if (grant.refreshToken === presented || grant.accessTokens.has(presented)) grant.revoked = true;
    res.writeHead(200).end();
  }

  private issue(grant: Grant, expiresIn: number, newRefreshToken: boolean): Record<string, unknown> {
    const accessToken = token('at');
    grant.accessTokens.add(accessToken);
    if (newRefreshToken && grant.accessTokens.size > 1) {
      grant.spent.add(grant.refreshToken);
      grant.refreshToken = token('rt');
    }
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: grant.scope, ...(newRefreshToken || grant.accessTokens.size === 1 ? { refresh_token: grant.refreshToken } : {}) };
  }

  private grantOfAccessToken(authorization: string | undefined): Grant | undefined {
    const presented = authorization?.replace(/^Bearer /, '') ?? '';
    return [...this.grants.values()].find((g) => !g.revoked && g.accessTokens.has(presented) && !this.expired.has(presented));
  }
}

function token(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

function json(res: http.ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(payload));
}

function body(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

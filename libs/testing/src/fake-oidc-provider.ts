import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface FakeOidcUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** Ways to make the next id token wrong, for the failing paths. */
export interface IdTokenTampering {
  audience?: string;
  issuer?: string;
  nonce?: string;
  /** Signed with a key that is not in the JWKS. */
  foreignKey?: boolean;
  expired?: boolean;
  /** HS256 with the client secret as the key: the algorithm-confusion shape. */
  hs256WithClientSecret?: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  user: FakeOidcUser;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * A small OpenID Connect provider on a real socket: discovery, JWKS, an authorize endpoint that
 * signs in whoever the test chose and redirects back, and a token endpoint that checks the client
 * secret, the redirect URI and the PKCE verifier before returning an RS256-signed id token.
 */
export class FakeOidcProvider {
  readonly clientId = 'platform-test-client';
  readonly clientSecret = randomBytes(24).toString('base64url');
  /** Every token request, for asserting on what the relying party sent. */
  readonly tokenRequests: URLSearchParams[] = [];
  /** Every authorize request's query. */
  readonly authorizeRequests: URLSearchParams[] = [];
  private user: FakeOidcUser = { sub: 'nobody' };
  private tampering: IdTokenTampering | undefined;
  private readonly codes = new Map<string, PendingCode>();
  private publicJwk: JWK | undefined;

  private constructor(
    private readonly server: http.Server,
    private readonly keys: KeyPair,
    private readonly foreignKeys: KeyPair,
    readonly issuer: string,
  ) {}

  static async start(): Promise<FakeOidcProvider> {
    const keys = await generateKeyPair('RS256', { extractable: true });
    const foreignKeys = await generateKeyPair('RS256');
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new FakeOidcProvider(server, keys, foreignKeys, issuer);
    provider.publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
    server.on('request', (req, res) => {
      provider.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    return provider;
  }

  /** Who the next authorize request signs in. */
  signInAs(user: FakeOidcUser): void {
    this.user = user;
  }

  /** Applies to the next id token only. */
  tamperNextIdToken(tampering: IdTokenTampering): void {
    this.tampering = tampering;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return json(200, { keys: [this.publicJwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') return this.authorize(url.searchParams, res, json);
    if (req.method === 'POST' && url.pathname === '/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return this.token(req.headers.authorization, new URLSearchParams(Buffer.concat(chunks).toString()), json);
    }
    return json(404, { error: 'not_found' });
  }

  private authorize(query: URLSearchParams, res: http.ServerResponse, json: (status: number, body: unknown) => void): void {
    this.authorizeRequests.push(query);
    const redirectUri = query.get('redirect_uri');
    const state = query.get('state');
    if (query.get('client_id') !== this.clientId || !redirectUri) return json(400, { error: 'invalid_client' });
    if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge') || !state || !query.get('nonce')) {
      return json(400, { error: 'invalid_request' });
    }
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, { clientId: this.clientId, redirectUri, codeChallenge: query.get('code_challenge')!, nonce: query.get('nonce')!, user: this.user });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  private async token(authorization: string | undefined, form: URLSearchParams, json: (status: number, body: unknown) => void): Promise<void> {
    this.tokenRequests.push(form);
    const expected = `Basic ${Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64')}`;
    if (authorization !== expected) return json(401, { error: 'invalid_client' });
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (!pending || form.get('grant_type') !== 'authorization_code' || form.get('redirect_uri') !== pending.redirectUri) return json(400, { error: 'invalid_grant' });
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    const tampering = this.tampering ?? {};
    this.tampering = undefined;
    const now = Math.floor(Date.now() / 1000);
    const { sub, ...profile } = pending.user;
    const jwt = new SignJWT({ ...profile, nonce: tampering.nonce ?? pending.nonce })
      .setSubject(sub)
      .setIssuer(tampering.issuer ?? this.issuer)
      .setAudience(tampering.audience ?? pending.clientId)
      .setIssuedAt(tampering.expired ? now - 7200 : now)
      .setExpirationTime(tampering.expired ? now - 3600 : now + 300);
    const idToken = tampering.hs256WithClientSecret
      ? await jwt.setProtectedHeader({ alg: 'HS256', kid: 'test-key-1' }).sign(new TextEncoder().encode(this.clientSecret))
      : await jwt.setProtectedHeader({ alg: 'RS256', kid: 'test-key-1' }).sign(tampering.foreignKey ? this.foreignKeys.privateKey : this.keys.privateKey);
    return json(200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
}

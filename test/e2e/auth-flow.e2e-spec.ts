import { SignJWT } from 'jose';
import { Cluster, createTestDatabase, query, registerUser, testEnv, uniqueNamespace, userInput } from '#testing';
import { expectProblem } from './support/problems.js';

/**
 * Register -> login -> me -> refresh -> logout -> delete, with every app in its own process over
 * the real NATS and PostgreSQL, and every bad input the API must refuse cleanly.
 */
describe('auth flow over NATS, every app its own process', () => {
  let cluster: Cluster;
  let databaseUrl: string;
  const jwtSecret = 'e2e-'.padEnd(64, 'k');

  beforeAll(async () => {
    cluster = await Cluster.start({
      databaseUrl: (databaseUrl = await createTestDatabase('auth')),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('auth'),
      env: { JWT_SECRET: jwtSecret, BODY_LIMIT_BYTES: '16384', TRUST_PROXY: '127.0.0.1' },
      // Identity logs each request it handles at debug only (the gateway's access line is the
      // one line per request at info): debug here, so the request id can be followed into it.
      perApp: { identity: { LOG_LEVEL: 'debug' } },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('successful', () => {
    it('registers, signs in, reads the profile, refreshes, logs out and deletes the account', async () => {
      const api = cluster.api;
      const input = userInput({ name: 'Ada Lovelace' });
      const registered = await api.post('/api/v1/auth/register', input);
      expect(registered.status).toBe(201);
      expect(registered.body.user).toMatchObject({ email: input.email, name: 'Ada Lovelace', isSuperuser: false });
      expect(registered.body.user).not.toHaveProperty('passwordHash');
      expect(registered.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });

      const login = await api.post('/api/v1/auth/login', { email: input.email.toUpperCase(), password: input.password });
      expect(login.status).toBe(200);

      const me = await api.get('/api/v1/me', login.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(registered.body.user);

      const refreshed = await api.post('/api/v1/auth/refresh', { refreshToken: login.body.refreshToken });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
      expect((await api.get('/api/v1/me', refreshed.body.accessToken)).status).toBe(200);

      expect((await api.post('/api/v1/auth/logout', { refreshToken: refreshed.body.refreshToken })).status).toBe(204);
      const afterLogout = await api.post('/api/v1/auth/refresh', { refreshToken: refreshed.body.refreshToken });
      expect(afterLogout.status).toBe(401);

      // Logout ends the session's access tokens at once, not when they expire.
      expect((await api.get('/api/v1/me', refreshed.body.accessToken)).status).toBe(401);
      expect((await api.get('/api/v1/me', login.body.accessToken)).status).toBe(401);

      const again = await api.post('/api/v1/auth/login', { email: input.email, password: input.password });
      expect(again.status).toBe(200);
      expect((await api.delete('/api/v1/me', again.body.accessToken)).status).toBe(204);
      const gone = await api.get('/api/v1/me', again.body.accessToken);
      expect(gone.status).toBe(401);
      expect((await api.post('/api/v1/auth/login', { email: input.email, password: input.password })).status).toBe(401);
    });

    it('carries a client request id to the reply and into every process log line of the request', async () => {
      const requestId = `e2e-trace-${Date.now()}`;
      const res = await cluster.api.request('POST', '/api/v1/auth/register', { body: userInput(), headers: { 'x-request-id': requestId } });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-request-id')).toBe(requestId);
      await new Promise((r) => setTimeout(r, 300));
      const lines = cluster.logs().split('\n').filter((l) => l.includes(requestId));
      const entries = lines.map((l) => JSON.parse(l) as { app: string; msg: string });
      expect(new Set(entries.map((e) => e.app))).toEqual(new Set(['gateway', 'identity']));
      // At info, one line per request: the gateway's access line.
      expect(entries.filter((e) => e.app === 'gateway').map((e) => e.msg)).toEqual(['request']);
    });

    it('records the client address a trusted proxy forwarded, not the proxy\'s', async () => {
      const res = await cluster.api.request('POST', '/api/v1/auth/register', { body: userInput(), headers: { 'x-forwarded-for': '203.0.113.9', 'user-agent': 'e2e-browser' } });
      expect(res.status).toBe(201);
      const rows = await query<{ ip: string; user_agent: string }>(databaseUrl, 'SELECT ip, user_agent FROM identity.refresh_tokens WHERE user_id = $1', [res.body.user.id]);
      expect(rows).toEqual([{ ip: '203.0.113.9', user_agent: 'e2e-browser' }]);
    });

    it('serves the OpenAPI document at /docs with the auth routes', async () => {
      const page = await cluster.api.get('/docs');
      expect(page.status).toBe(200);
      const doc = await cluster.api.get('/docs/openapi.json');
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/me', '/api/v1/health/ready']));
    });

    it('rotates refresh tokens and revokes the whole session when a spent one is replayed', async () => {
      const user = await registerUser(cluster.api);
      const first = await cluster.api.post('/api/v1/auth/refresh', { refreshToken: user.refreshToken });
      expect(first.status).toBe(200);
      const replay = await cluster.api.post('/api/v1/auth/refresh', { refreshToken: user.refreshToken });
      expect(replay.status).toBe(401);
      // The thief's replay also ends the legitimate holder's newer token.
      const legit = await cluster.api.post('/api/v1/auth/refresh', { refreshToken: first.body.refreshToken });
      expect(legit.status).toBe(401);
    });
  });

  describe('failing', () => {

    it('malformed JSON -> 400 VALIDATION_FAILED', async () => {
      const res = await cluster.api.request('POST', '/api/v1/auth/register', { raw: '{"email": "a@b', headers: { 'content-type': 'application/json' } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    });

    it('an unknown extra field -> 400 naming the field', async () => {
      const res = await cluster.api.post('/api/v1/auth/register', { ...userInput(), isSuperuser: true });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'isSuperuser' })]);
    });

    it('a missing or invalid field -> 400 naming each field', async () => {
      const res = await cluster.api.post('/api/v1/auth/register', { email: 'not-an-email', password: 'short' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    });

    it('a body over the configured limit -> 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await cluster.api.post('/api/v1/auth/register', { ...userInput(), name: 'x'.repeat(20_000) });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('a non-JSON content type -> 415', async () => {
      const res = await cluster.api.request('POST', '/api/v1/auth/login', { raw: 'email=a', headers: { 'content-type': 'text/plain' } });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a duplicate email, in any letter case -> 409 CONFLICT', async () => {
      const user = await registerUser(cluster.api);
      const res = await cluster.api.post('/api/v1/auth/register', userInput({ email: user.email.toUpperCase() }));
      expectProblem(res, 409, 'CONFLICT');
    });

    it('a wrong password and an unknown email -> the same 401, in similar time', async () => {
      const user = await registerUser(cluster.api);
      const time = async (body: object) => {
        const started = performance.now();
        const res = await cluster.api.post('/api/v1/auth/login', body);
        return { res, ms: performance.now() - started };
      };
      // Warm both paths, then take the median of several tries each.
      const wrong: number[] = [];
      const unknown: number[] = [];
      let wrongRes;
      let unknownRes;
      for (let i = 0; i < 5; i++) {
        const a = await time({ email: user.email, password: 'definitely-not-it' });
        const b = await time({ email: `nobody-${i}@example.test`, password: 'definitely-not-it' });
        wrong.push(a.ms);
        unknown.push(b.ms);
        wrongRes = a.res;
        unknownRes = b.res;
      }
      expectProblem(wrongRes!, 401, 'UNAUTHENTICATED');
      expectProblem(unknownRes!, 401, 'UNAUTHENTICATED');
      expect(unknownRes!.body.detail).toBe(wrongRes!.body.detail);
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      // Both pay for one argon2 verification: neither is a fraction of the other.
      expect(median(unknown) / median(wrong)).toBeGreaterThan(0.5);
      expect(median(unknown) / median(wrong)).toBeLessThan(2);
    });

    it('no token, a tampered token, alg "none", another key or an expired token -> 401', async () => {
      const user = await registerUser(cluster.api);
      const [header, payload] = user.accessToken.split('.');
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${header}.${b64({ ...claims, su: true })}.${user.accessToken.split('.')[2]}`;
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      const sign = (secret: string, exp: number) =>
        new SignJWT({ sid: claims.sid as string, su: false, scp: ['full'] })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(user.id)
          .setIssuer(claims.iss as string)
          .setAudience(claims.aud as string)
          .setIssuedAt(exp - 60)
          .setExpirationTime(exp)
          .sign(new TextEncoder().encode(secret));
      const now = Math.floor(Date.now() / 1000);
      const otherKey = await sign('another-key-'.padEnd(64, 'z'), now + 600);
      const expired = await sign(jwtSecret, now - 600);

      expectProblem(await cluster.api.get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      for (const token of [tampered, none, otherKey, expired, 'garbage']) {
        expectProblem(await cluster.api.get('/api/v1/me', token), 401, 'UNAUTHENTICATED');
      }
      expect((await cluster.api.get('/api/v1/me', user.accessToken)).status).toBe(200);
    });

    it('a refresh token that is malformed or unknown -> 401', async () => {
      expectProblem(await cluster.api.post('/api/v1/auth/refresh', { refreshToken: 'nope' }), 401, 'UNAUTHENTICATED');
      expectProblem(
        await cluster.api.post('/api/v1/auth/refresh', { refreshToken: '01a20978-2ffc-70d9-aaca-ad2e71c80e0c.0TejP1Od_QEXf4N2rxCSrcmgkOk8bjWisc99yEoy71g' }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('an unknown route -> 404 problem', async () => {
      expectProblem(await cluster.api.get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    });

    it('never writes a password, token or stack trace to any log', async () => {
      const input = userInput();
      const res = await cluster.api.post('/api/v1/auth/register', input);
      await cluster.api.post('/api/v1/auth/login', { email: input.email, password: `${input.password}-wrong` });
      await new Promise((r) => setTimeout(r, 300));
      const logs = cluster.logs();
      expect(logs).not.toContain(input.password);
      expect(logs).not.toContain(res.body.accessToken);
      expect(logs).not.toContain(res.body.refreshToken);
      expect(logs).not.toContain(jwtSecret);
      expect(logs).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    });
  });
});

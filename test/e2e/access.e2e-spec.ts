import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { ApiClient, AppProcess, Cluster, createTestDatabase, FakeOidcProvider, listenPort, query, registerUser, testEnv, uniqueNamespace, userInput, type ApiResponse, type TestUser } from '#testing';
import { expectProblem, fieldsOf } from './support/problems.js';

/**
 * Sessions, API keys, rate limits, admin, audit and external identities through the gateway, with
 * every app its own process over the real NATS and PostgreSQL, a second gateway replica, and a
 * fake OpenID Connect provider on a real socket.
 */
describe('access over NATS: keys, sessions, limits, admin, audit, OIDC', () => {
  const jwtSecret = randomBytes(32).toString('hex');
  const admin = { email: `root-${randomBytes(3).toString('hex')}@example.test`, password: `root-${randomBytes(10).toString('hex')}` };
  const USER_BUDGET = 150;
  let cluster: Cluster;
  let replica: AppProcess;
  let api2: ApiClient;
  let oidc: FakeOidcProvider;
  let databaseUrl: string;
  let adminToken: string;
  /** Every reply body and header the tests received, for the leak scan at the end. */
  const replies: string[] = [];
  /** What must never show up in a log line (and, except where it is issued, in a reply). */
  const secrets = new Set<string>();

  const remember = (...values: string[]) => values.forEach((v) => secrets.add(v));
  const newUser = async (): Promise<TestUser> => {
    const user = await registerUser(cluster.api);
    remember(user.password, user.accessToken, user.refreshToken);
    return user;
  };
  const createKey = async (token: string, body: object = { name: 'test key', scopes: ['full'] }) => {
    const res = await cluster.api.post('/api/v1/api-keys', body, token);
    expect(res.status).toBe(201);
    remember(res.body.key);
    return res.body as { id: string; key: string; prefix: string };
  };
  const patchUser = (id: string, body: object, token = adminToken) => cluster.api.request('PATCH', `/api/v1/admin/users/${id}`, { body, token });

  beforeAll(async () => {
    oidc = await FakeOidcProvider.start();
    databaseUrl = await createTestDatabase('accesshttp');
    const env = {
      JWT_SECRET: jwtSecret,
      FIRST_SUPERUSER_EMAIL: admin.email,
      FIRST_SUPERUSER_PASSWORD: admin.password,
      RATE_LIMIT_USER_PER_MINUTE: String(USER_BUDGET),
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '5',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      RATE_LIMIT_REGISTER_PER_IP: '1000',
      OIDC_PROVIDER_NAME: 'fake-idp',
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      // The test plays the browser: it reads code and state from this URL and calls the gateway.
      OIDC_REDIRECT_URI: 'http://127.0.0.1/api/v1/auth/oidc/callback',
    };
    const namespace = uniqueNamespace('accesshttp');
    cluster = await Cluster.start({ databaseUrl, natsUrl: testEnv().natsUrl, namespace, env });
    const port = listenPort();
    replica = AppProcess.forApp('gateway', { ...env, DATABASE_URL: databaseUrl, NATS_URL: testEnv().natsUrl, BUS_NAMESPACE: namespace, LOG_LEVEL: 'info', PORT: String(port) }).start();
    await replica.waitForOutput(/gateway listening/);
    api2 = new ApiClient(`http://127.0.0.1:${port}`);
    for (const client of [cluster.api, api2]) {
      const request = client.request.bind(client);
      client.request = async (...args: Parameters<ApiClient['request']>) => {
        const res = await request(...args);
        replies.push(`${res.text} ${JSON.stringify([...res.headers])}`);
        return res;
      };
    }
    remember(admin.password, jwtSecret, oidc.clientSecret);
    const login = await cluster.api.post('/api/v1/auth/login', admin);
    expect(login.status).toBe(200);
    adminToken = login.body.accessToken;
    remember(adminToken, login.body.refreshToken);
  });

  afterAll(async () => {
    await replica?.stop();
    await cluster?.stop();
    await oidc?.stop();
  });

  describe('successful', () => {
    it('creates an API key shown once, accepts it as a Bearer credential on either replica, and lists it without the key', async () => {
      const user = await newUser();
      const key = await createKey(user.accessToken, { name: 'ci', scopes: ['full'], expiresInDays: 30 });
      expect(key.key).toMatch(/^ap_live_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/);
      expect((await cluster.api.get('/api/v1/me', key.key)).body.id).toBe(user.id);
      expect((await api2.get('/api/v1/me', key.key)).status).toBe(200);
      const list = await cluster.api.get('/api/v1/api-keys', user.accessToken);
      expect(list.body.items).toEqual([expect.objectContaining({ id: key.id, name: 'ci', prefix: key.key.slice(0, 12), scopes: ['full'], lastUsedAt: expect.any(String) })]);
      expect(list.text).not.toContain(key.key);
    });

    it('a revoked key is refused on the very next request, on the other replica too', async () => {
      const user = await newUser();
      const key = await createKey(user.accessToken);
      expect((await api2.get('/api/v1/me', key.key)).status).toBe(200);
      expect((await cluster.api.delete(`/api/v1/api-keys/${key.id}`, user.accessToken)).status).toBe(204);
      expectProblem(await api2.get('/api/v1/me', key.key), 401, 'UNAUTHENTICATED');
      expectProblem(await cluster.api.get('/api/v1/me', key.key), 401, 'UNAUTHENTICATED');
    });

    it('a read-only key reads and may not write', async () => {
      const user = await newUser();
      const key = await createKey(user.accessToken, { name: 'reader', scopes: ['read'] });
      expect((await cluster.api.get('/api/v1/api-keys', key.key)).status).toBe(200);
      expectProblem(await cluster.api.post('/api/v1/api-keys', { name: 'x', scopes: ['full'] }, key.key), 403, 'FORBIDDEN');
      expectProblem(await cluster.api.delete(`/api/v1/api-keys/${key.id}`, key.key), 403, 'FORBIDDEN');
      expectProblem(await cluster.api.delete('/api/v1/me', key.key), 403, 'FORBIDDEN');
      expect((await cluster.api.get('/api/v1/me', user.accessToken)).status).toBe(200);
    });

    it('logout ends the session: its access token is refused at once', async () => {
      const user = await newUser();
      expect((await cluster.api.post('/api/v1/auth/logout', { refreshToken: user.refreshToken })).status).toBe(204);
      expectProblem(await cluster.api.get('/api/v1/me', user.accessToken), 401, 'UNAUTHENTICATED');
    });

    it('a session both replicas checked (and keep for a few seconds) is refused on both at once after logout, and after a password change elsewhere', async () => {
      const user = await newUser();
      const second = await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      remember(second.body.accessToken, second.body.refreshToken);
      for (const client of [cluster.api, api2]) {
        for (const token of [user.accessToken, second.body.accessToken]) expect((await client.get('/api/v1/me', token)).status).toBe(200);
      }
      expect((await api2.post('/api/v1/auth/logout', { refreshToken: user.refreshToken })).status).toBe(204);
      for (const client of [cluster.api, api2]) expectProblem(await client.get('/api/v1/me', user.accessToken), 401, 'UNAUTHENTICATED');
      // The other session still works on both, then a password change on one replica ends it on the other too.
      for (const client of [cluster.api, api2]) expect((await client.get('/api/v1/me', second.body.accessToken)).status).toBe(200);
      const third = await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      remember(third.body.accessToken, third.body.refreshToken);
      const newPassword = `changed-${randomBytes(8).toString('hex')}`;
      remember(newPassword);
      expect((await cluster.api.post('/api/v1/me/password', { currentPassword: user.password, newPassword }, third.body.accessToken)).status).toBe(204);
      for (const client of [api2, cluster.api]) expectProblem(await client.get('/api/v1/me', second.body.accessToken), 401, 'UNAUTHENTICATED');
    });

    it('GET /me on either replica shows a name, username or email change made on the other at once, though both keep the session', async () => {
      const user = await newUser();
      for (const client of [cluster.api, api2]) expect((await client.get('/api/v1/me', user.accessToken)).body).toMatchObject({ id: user.id, email: user.email });
      const username = `u${randomBytes(4).toString('hex')}`;
      expect((await api2.request('PATCH', '/api/v1/me', { body: { name: 'Renamed', username }, token: user.accessToken })).status).toBe(200);
      for (const client of [cluster.api, api2]) expect((await client.get('/api/v1/me', user.accessToken)).body).toMatchObject({ name: 'Renamed', username });
      const newEmail = `moved-${randomBytes(4).toString('hex')}@example.test`;
      expect((await cluster.api.post('/api/v1/me/email', { newEmail, password: user.password }, user.accessToken)).status).toBe(200);
      for (const client of [api2, cluster.api]) expect((await client.get('/api/v1/me', user.accessToken)).body).toMatchObject({ email: newEmail, name: 'Renamed' });
    });

    it('POST /me/password needs the current password, signs out every other session and keeps this one', async () => {
      const user = await newUser();
      const other = await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      remember(other.body.accessToken, other.body.refreshToken);
      const newPassword = `changed-${randomBytes(8).toString('hex')}`;
      remember(newPassword);
      const res = await cluster.api.post('/api/v1/me/password', { currentPassword: user.password, newPassword }, user.accessToken);
      expect(res.status).toBe(204);
      expectProblem(await cluster.api.get('/api/v1/me', other.body.accessToken), 401, 'UNAUTHENTICATED');
      expectProblem(await cluster.api.post('/api/v1/auth/refresh', { refreshToken: other.body.refreshToken }), 401, 'UNAUTHENTICATED');
      expect((await cluster.api.get('/api/v1/me', user.accessToken)).status).toBe(200);
      expectProblem(await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password }), 401, 'UNAUTHENTICATED');
      expect((await cluster.api.post('/api/v1/auth/login', { email: user.email, password: newPassword })).status).toBe(200);
    });

    it('an admin deactivates a user (token and key refused at once on both replicas), reactivates and grants superuser', async () => {
      const user = await newUser();
      const key = await createKey(user.accessToken);
      const off = await patchUser(user.id, { isActive: false });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: user.id, isActive: false, isSuperuser: false });
      for (const client of [cluster.api, api2]) {
        expectProblem(await client.get('/api/v1/me', user.accessToken), 401, 'UNAUTHENTICATED');
        expectProblem(await client.get('/api/v1/me', key.key), 401, 'UNAUTHENTICATED');
      }
      expect((await patchUser(user.id, { isActive: true, isSuperuser: true })).status).toBe(200);
      const login = await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      remember(login.body.accessToken, login.body.refreshToken);
      expect((await cluster.api.get('/api/v1/admin/users?limit=1', login.body.accessToken)).status).toBe(200);
      // The key of a superuser carries the flag from the database, not from when it was made.
      expect((await cluster.api.get('/api/v1/admin/users?limit=1', key.key)).status).toBe(200);
      expect((await patchUser(user.id, { isSuperuser: false })).status).toBe(200);
      expectProblem(await cluster.api.get('/api/v1/admin/users', login.body.accessToken), 403, 'FORBIDDEN');
    });

    it('an admin searches and pages users, keeps system settings and reads a filtered audit log', async () => {
      const tag = randomBytes(4).toString('hex');
      for (let i = 0; i < 3; i++) await registerUser(cluster.api, { email: `find-${tag}-${i}@example.test` }).then((u) => remember(u.password, u.accessToken, u.refreshToken));
      const page1 = await cluster.api.get(`/api/v1/admin/users?q=find-${tag}&limit=2`, adminToken);
      expect(page1.status).toBe(200);
      expect(page1.body.items).toHaveLength(2);
      const page2 = await cluster.api.get(`/api/v1/admin/users?q=find-${tag}&limit=2&cursor=${page1.body.nextCursor}`, adminToken);
      expect(page2.body).toMatchObject({ items: [expect.objectContaining({ email: `find-${tag}-2@example.test`, isActive: true })], nextCursor: null });

      const put = await cluster.api.request('PUT', '/api/v1/admin/system-settings/registration.mode', { body: { value: { open: false } }, token: adminToken });
      expect(put.status).toBe(200);
      expect((await cluster.api.get('/api/v1/admin/system-settings/registration.mode', adminToken)).body).toMatchObject({ key: 'registration.mode', value: { open: false } });
      expectProblem(await cluster.api.get('/api/v1/admin/system-settings/never.set', adminToken), 404, 'NOT_FOUND');

      const audit = await cluster.api.request('GET', '/api/v1/admin/audit-log?action=admin.system_setting.put&limit=5', { token: adminToken, headers: { 'user-agent': 'audit-e2e' } });
      expect(audit.status).toBe(200);
      expect(audit.body.items[0]).toMatchObject({ action: 'admin.system_setting.put', targetId: 'registration.mode', ip: expect.any(String), userAgent: expect.any(String) });
      const created = await cluster.api.get('/api/v1/admin/audit-log?action=admin.superuser.bootstrapped', adminToken);
      expect(created.body.items).toHaveLength(1);
    });

    it('signs in through OIDC with state, nonce and PKCE S256: creates the user, then finds it again by (provider, subject)', async () => {
      const subject = `sub-${randomBytes(4).toString('hex')}`;
      const email = `oidc-${randomBytes(4).toString('hex')}@example.test`;
      oidc.signInAs({ sub: subject, email, email_verified: true, name: 'Grace Hopper' });
      const first = await oidcSignIn();
      expect(first.status).toBe(200);
      expect(first.body.user).toMatchObject({ email, name: 'Grace Hopper' });
      remember(first.body.accessToken, first.body.refreshToken);
      expect((await cluster.api.get('/api/v1/me', first.body.accessToken)).status).toBe(200);
      const authorize = oidc.authorizeRequests.at(-1)!;
      expect(authorize.get('code_challenge_method')).toBe('S256');
      expect(authorize.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(oidc.tokenRequests.at(-1)!.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const again = await oidcSignIn();
      expect(again.body.user.id).toBe(first.body.user.id);
      const rows = await query(databaseUrl, 'SELECT external_provider, external_id, password_hash FROM identity.users WHERE id = $1', [first.body.user.id]);
      expect(rows).toEqual([{ external_provider: 'fake-idp', external_id: subject, password_hash: null }]);
    });

    it('links an existing account by an email the provider verified', async () => {
      const user = await newUser();
      oidc.signInAs({ sub: `sub-${randomBytes(4).toString('hex')}`, email: user.email, email_verified: true });
      const res = await oidcSignIn();
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(user.id);
      remember(res.body.accessToken, res.body.refreshToken);
    });

    it('documents every access route at /docs', async () => {
      const doc = await cluster.api.get('/docs/openapi.json');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/api-keys',
          '/api/v1/api-keys/{id}',
          '/api/v1/me/password',
          '/api/v1/admin/users',
          '/api/v1/admin/users/{id}',
          '/api/v1/admin/system-settings/{key}',
          '/api/v1/admin/audit-log',
          '/api/v1/auth/oidc/login',
          '/api/v1/auth/oidc/callback',
        ]),
      );
    });
  });

  /** login -> provider -> callback, as a browser would follow the redirects. */
  async function oidcSignIn(extra: Record<string, string> = {}): Promise<ApiResponse> {
    const start = await fetch(`${cluster.api.baseUrl}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const atProvider = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const back = new URL(atProvider.headers.get('location')!);
    for (const [k, v] of Object.entries(extra)) back.searchParams.set(k, v);
    return cluster.api.get(`/api/v1/auth/oidc/callback${back.search}`);
  }

  describe('failing', () => {
    it('tokens: RS256 (HS/RS confusion), HS256 keyed with a public key, wrong audience, wrong issuer -> 401', async () => {
      const user = await newUser();
      const claims = JSON.parse(Buffer.from(user.accessToken.split('.')[1], 'base64url').toString()) as Record<string, string>;
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const base = (aud = claims.aud, iss = claims.iss) =>
        new SignJWT({ sid: claims.sid, su: true, scp: ['full'] }).setSubject(user.id).setIssuer(iss).setAudience(aud).setIssuedAt().setExpirationTime('5m');
      const rs256 = await base().setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      const hsWithPublicKey = await base().setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }).toString()));
      const secret = new TextEncoder().encode(jwtSecret);
      const wrongAudience = await base('someone-else').setProtectedHeader({ alg: 'HS256' }).sign(secret);
      const wrongIssuer = await base(claims.aud, 'https://evil.example').setProtectedHeader({ alg: 'HS256' }).sign(secret);
      for (const token of [rs256, hsWithPublicKey, wrongAudience, wrongIssuer]) expectProblem(await cluster.api.get('/api/v1/me', token), 401, 'UNAUTHENTICATED');
      // The same construction with our audience and issuer is accepted: the refusals above are for the reasons named.
      expect((await cluster.api.get('/api/v1/me', await base().setProtectedHeader({ alg: 'HS256' }).sign(secret))).status).toBe(200);
      expectProblem(await cluster.api.get('/api/v1/me', `ap_live_${'a'.repeat(40)}_aaaaaa`), 401, 'UNAUTHENTICATED');
      expectProblem(await cluster.api.get('/api/v1/me', `ap_live_${'a'.repeat(400)}`), 401, 'UNAUTHENTICATED');
    });

    it('a normal user gets 403 on every /admin route, and no token gets 401', async () => {
      const user = await newUser();
      const routes: [string, string, object?][] = [
        ['GET', '/api/v1/admin/users'],
        ['PATCH', `/api/v1/admin/users/${user.id}`, { isSuperuser: true }],
        ['GET', '/api/v1/admin/system-settings/anything'],
        ['PUT', '/api/v1/admin/system-settings/anything', { value: 1 }],
        ['GET', '/api/v1/admin/audit-log'],
      ];
      for (const [method, path, body] of routes) {
        expectProblem(await cluster.api.request(method, path, { body, token: user.accessToken }), 403, 'FORBIDDEN');
        expectProblem(await cluster.api.request(method, path, { body }), 401, 'UNAUTHENTICATED');
      }
      expect((await cluster.api.get('/api/v1/me', user.accessToken)).body.isSuperuser).toBe(false);
    });

    it('another user\'s key: DELETE -> 404, not listed, and the key keeps working', async () => {
      const owner = await newUser();
      const other = await newUser();
      const key = await createKey(owner.accessToken);
      expectProblem(await cluster.api.delete(`/api/v1/api-keys/${key.id}`, other.accessToken), 404, 'NOT_FOUND');
      expect((await cluster.api.get('/api/v1/api-keys', other.accessToken)).body.items).toEqual([]);
      expect((await cluster.api.get('/api/v1/me', key.key)).status).toBe(200);
    });

    it('an expired key -> 401', async () => {
      const user = await newUser();
      const key = await createKey(user.accessToken, { name: 'short', scopes: ['full'], expiresInDays: 1 });
      await query(databaseUrl, `UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]);
      expectProblem(await cluster.api.get('/api/v1/me', key.key), 401, 'UNAUTHENTICATED');
    });

    it('bad API key bodies -> 400 naming the field', async () => {
      const user = await newUser();
      const cases: [object, string][] = [
        [{ name: 'x', scopes: ['full'], isSuperuser: true }, 'isSuperuser'],
        [{ name: 'x'.repeat(101), scopes: ['full'] }, 'name'],
        [{ name: '', scopes: ['full'] }, 'name'],
        [{ name: 'x', scopes: ['root'] }, 'scopes'],
        [{ name: 'x', scopes: [] }, 'scopes'],
        [{ name: 'x', scopes: ['full'], expiresInDays: 0 }, 'expiresInDays'],
        [{ name: 'x', scopes: ['full'], expiresInDays: 'soon' }, 'expiresInDays'],
      ];
      for (const [body, field] of cases) {
        const res = await cluster.api.post('/api/v1/api-keys', body, user.accessToken);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(res)).toEqual([field]);
      }
      const badId = await cluster.api.delete('/api/v1/api-keys/not-a-uuid', user.accessToken);
      expectProblem(badId, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(badId)).toEqual(['id']);
      expect((await cluster.api.get('/api/v1/api-keys', user.accessToken)).body.items).toEqual([]);
    });

    it('bad password-change bodies -> 400 naming the field; an API key may not change the password', async () => {
      const user = await newUser();
      const cases: [object, string][] = [
        [{ currentPassword: user.password, newPassword: 'short' }, 'newPassword'],
        [{ currentPassword: user.password, newPassword: 'x'.repeat(257) }, 'newPassword'],
        [{ newPassword: 'long-enough-password' }, 'currentPassword'],
        [{ currentPassword: 'not-the-password', newPassword: 'long-enough-password' }, 'currentPassword'],
        [{ currentPassword: user.password, newPassword: 'long-enough-password', sessionId: '01a20978-2ffc-70d9-aaca-ad2e71c80e0c' }, 'sessionId'],
      ];
      for (const [body, field] of cases) {
        const res = await cluster.api.post('/api/v1/me/password', body, user.accessToken);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(res)).toEqual([field]);
      }
      const key = await createKey(user.accessToken);
      expectProblem(await cluster.api.post('/api/v1/me/password', { currentPassword: user.password, newPassword: 'long-enough-password' }, key.key), 403, 'FORBIDDEN');
      expect((await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password })).status).toBe(200);
    });

    it('bad admin input -> 400 naming the field', async () => {
      const user = await newUser();
      const cases: [string, string, object | undefined, string][] = [
        ['GET', '/api/v1/admin/users?limit=1000', undefined, 'limit'],
        ['GET', '/api/v1/admin/users?limit=ten', undefined, 'limit'],
        ['GET', '/api/v1/admin/users?role=admin', undefined, 'role'],
        ['GET', '/api/v1/admin/users?cursor=zzz', undefined, 'cursor'],
        ['GET', '/api/v1/admin/audit-log?from=yesterday', undefined, 'from'],
        ['PATCH', `/api/v1/admin/users/${user.id}`, { isSuperuser: 'yes' }, 'isSuperuser'],
        ['PATCH', `/api/v1/admin/users/${user.id}`, { email: 'x@y.z' }, 'email'],
        ['PATCH', '/api/v1/admin/users/not-a-uuid', { isActive: true }, 'id'],
        ['PUT', '/api/v1/admin/system-settings/ok.key', {}, 'value'],
        ['PUT', '/api/v1/admin/system-settings/BAD KEY', { value: 1 }, 'key'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await cluster.api.request(method, path, { body, token: adminToken });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(res)).toEqual([field]);
      }
      expect((await cluster.api.get('/api/v1/me', user.accessToken)).body.isSuperuser).toBe(false);
    });

    it('brute force on one account -> 429 with Retry-After, even with the right password', async () => {
      const user = await newUser();
      for (let i = 0; i < 5; i++) expectProblem(await cluster.api.post('/api/v1/auth/login', { email: user.email, password: `wrong-${i}-password` }), 401, 'UNAUTHENTICATED');
      const res = await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const audit = await cluster.api.get(`/api/v1/admin/audit-log?action=auth.login.throttled&targetId=${user.id}`, adminToken);
      expect(audit.body.items).toHaveLength(1);
    });

    it('one user over the per-user budget -> 429 with Retry-After on every replica; other users go on', async () => {
      const user = await newUser();
      const other = await newUser();
      let status = 200;
      for (let i = 0; i <= USER_BUDGET && status === 200; i++) status = (await (i % 2 ? api2 : cluster.api).get('/api/v1/api-keys', user.accessToken)).status;
      const res = await api2.get('/api/v1/api-keys', user.accessToken);
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expectProblem(await cluster.api.get('/api/v1/api-keys', user.accessToken), 429, 'RATE_LIMITED');
      expect((await cluster.api.get('/api/v1/api-keys', other.accessToken)).status).toBe(200);
    });

    it('OIDC: a replayed callback, an unknown state and a provider error -> 401; extra query parameters -> 400', async () => {
      oidc.signInAs({ sub: `sub-${randomBytes(4).toString('hex')}`, email: `o-${randomBytes(4).toString('hex')}@example.test`, email_verified: true });
      const start = await fetch(`${cluster.api.baseUrl}/api/v1/auth/oidc/login`, { redirect: 'manual' });
      const back = new URL((await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!);
      expect((await cluster.api.get(`/api/v1/auth/oidc/callback${back.search}`)).status).toBe(200);
      expectProblem(await cluster.api.get(`/api/v1/auth/oidc/callback${back.search}`), 401, 'UNAUTHENTICATED');
      expectProblem(await cluster.api.get(`/api/v1/auth/oidc/callback?code=abc&state=${randomBytes(32).toString('base64url')}`), 401, 'UNAUTHENTICATED');
      expectProblem(await oidcSignIn({ error: 'access_denied' }), 401, 'UNAUTHENTICATED');
      const extra = await oidcSignIn({ isSuperuser: 'true' });
      expectProblem(extra, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(extra)).toEqual(['isSuperuser']);
    });

    it.each([
      ['signed with a key outside the JWKS', { foreignKey: true }],
      ['for another audience', { audience: 'another-client' }],
      ['from another issuer', { issuer: 'https://evil.example' }],
      ['with another nonce', { nonce: 'replayed-nonce' }],
      ['expired', { expired: true }],
      ['HS256 keyed with the client secret', { hs256WithClientSecret: true }],
    ])('OIDC: an id token %s -> 401, no user created', async (_label, tampering) => {
      const email = `t-${randomBytes(4).toString('hex')}@example.test`;
      oidc.signInAs({ sub: `sub-${randomBytes(4).toString('hex')}`, email, email_verified: true });
      oidc.tamperNextIdToken(tampering);
      expectProblem(await oidcSignIn(), 401, 'UNAUTHENTICATED');
      expect(await query(databaseUrl, 'SELECT 1 FROM identity.users WHERE email = $1', [email])).toHaveLength(0);
    });

    it('OIDC: an unverified email that matches an account -> 409, the account is not linked', async () => {
      const user = await newUser();
      oidc.signInAs({ sub: `sub-${randomBytes(4).toString('hex')}`, email: user.email, email_verified: false });
      expectProblem(await oidcSignIn(), 409, 'CONFLICT');
      expect(await query(databaseUrl, 'SELECT external_id FROM identity.users WHERE id = $1', [user.id])).toEqual([{ external_id: null }]);
    });

    it('a bad identity setting stops identity and the gateway at start, naming the variable and never echoing a secret', async () => {
      const base = { DATABASE_URL: databaseUrl, NATS_URL: testEnv().natsUrl, BUS_NAMESPACE: uniqueNamespace('badcfg'), JWT_SECRET: jwtSecret, LOG_LEVEL: 'info' };
      const bad = { RATE_LIMIT_USER_PER_MINUTE: 'lots', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_SECRET: 'do-not-echo-this-secret' };
      for (const app of ['identity', 'gateway']) {
        const proc = AppProcess.forApp(app, { ...base, ...bad, PORT: '0' }).start();
        await proc.waitForOutput(/RATE_LIMIT_USER_PER_MINUTE/, 30_000);
        for (let i = 0; i < 100 && proc.exitCode === undefined; i++) await new Promise((r) => setTimeout(r, 100));
        expect({ app, exitCode: proc.exitCode }).toEqual({ app, exitCode: 1 });
        expect(proc.output).toMatch(/OIDC_CLIENT_ID/);
        expect(proc.output).not.toContain('do-not-echo-this-secret');
      }
    });

    it('no reply, log line or error carries a password, hash, token, key or stack trace', async () => {
      // One more round of every kind of secret-bearing request, failures included.
      const input = userInput();
      remember(input.password);
      const reg = await cluster.api.post('/api/v1/auth/register', input);
      remember(reg.body.accessToken, reg.body.refreshToken);
      await cluster.api.post('/api/v1/auth/login', { email: input.email, password: `${input.password}-wrong` });
      const key = await createKey(reg.body.accessToken);
      await cluster.api.get('/api/v1/me', `${key.key.slice(0, -1)}x`);
      await cluster.api.post('/api/v1/me/password', { currentPassword: `${input.password}-wrong`, newPassword: `${input.password}-new` }, reg.body.accessToken);
      remember(`${input.password}-new`, `${input.password}-wrong`);
      await new Promise((r) => setTimeout(r, 500));

      const hashes = await query<{ h: string }>(
        databaseUrl,
        `SELECT password_hash AS h FROM identity.users WHERE password_hash IS NOT NULL
         UNION ALL SELECT encode(key_hash, 'hex') FROM identity.api_keys UNION ALL SELECT encode(token_hash, 'hex') FROM identity.refresh_tokens`,
      );
      const logs = [cluster.logs(), replica.output].join('\n');
      const everything = [...secrets, ...hashes.map((r) => r.h)];
      expect(everything.length).toBeGreaterThan(50);
      for (const secret of everything) expect(logs.includes(secret) ? secret : 'absent').toBe('absent');
      expect(logs).not.toMatch(/\$argon2id\$|\n\s+at .+\(.+:\d+:\d+\)/);

      const replyText = replies.join('\n');
      for (const secret of [...hashes.map((r) => r.h), admin.password, jwtSecret, oidc.clientSecret, input.password]) expect(replyText.includes(secret) ? secret : 'absent').toBe('absent');
      expect(replyText).not.toMatch(/\$argon2id\$|passwordHash|keyHash|tokenHash|\n\s+at /);
      // A key is in exactly one reply: the one that created it.
      const keys = [...secrets].filter((s) => s.startsWith('ap_live_'));
      for (const k of keys) expect(replies.filter((r) => r.includes(k))).toHaveLength(1);
    });
  });
});

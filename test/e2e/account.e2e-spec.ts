import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { AccountContracts, AppError, NotificationRequested, serviceActor } from '#contracts';
import { JetStreamPublisher, Namespace, NatsBusClient, NatsLink } from '#messaging';
import { newId } from '#persistence';
import { type ApiResponse, AppProcess, Cluster, createTestDatabase, query, registerUser, testEnv, type TestUser, uniqueNamespace } from '#testing';
import { expectProblem, fieldsOf } from './support/problems.js';

/**
 * Profile, settings with encrypted provider keys, projects and notifications through the gateway,
 * every app its own process over the real NATS and PostgreSQL.
 */
describe('account: profile, settings, projects, notifications', () => {
  let cluster: Cluster;
  let databaseUrl: string;
  let namespace: string;
  const encryptionKeys = `k2026:${randomBytes(32).toString('base64')}`;
  /** Every provider key sent in this spec, to scan replies and logs for. */
  const providerKeys: string[] = [];
  /** Every reply body seen, for the same scan. */
  const replies: string[] = [];

  const newProviderKey = () => {
    const key = `sk-e2e-${randomBytes(18).toString('hex')}`;
    providerKeys.push(key);
    return key;
  };
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<ApiResponse> => {
    const res = await cluster.api.request(method, `/api/v1${path}`, { token, body });
    replies.push(res.text);
    return res;
  };
  const defaultProjectOf = async (user: TestUser) => (await call('GET', '/projects', user.accessToken)).body.items.find((p: { isDefault: boolean }) => p.isDefault);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('account');
    namespace = uniqueNamespace('account');
    cluster = await Cluster.start({ databaseUrl, natsUrl: testEnv().natsUrl, namespace, env: { ENCRYPTION_KEYS: encryptionKeys, BODY_LIMIT_BYTES: '65536' } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('successful', () => {
    it('updates the profile and changes the email with the password', async () => {
      const user = await registerUser(cluster.api);
      const username = `ada_${randomBytes(3).toString('hex')}`;
      const patched = await call('PATCH', '/me', user.accessToken, { name: 'Ada', username });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: user.id, name: 'Ada', username });
      expect((await call('GET', '/me', user.accessToken)).body).toEqual(patched.body);

      const newEmail = `moved-${randomBytes(3).toString('hex')}@example.test`;
      const changed = await call('POST', '/me/email', user.accessToken, { newEmail, password: user.password });
      expect(changed.status).toBe(200);
      expect(changed.body.email).toBe(newEmail);
      expect((await cluster.api.post('/api/v1/auth/login', { email: newEmail, password: user.password })).status).toBe(200);
    });

    it('keeps settings and shows a provider key only as set with its last four characters', async () => {
      const user = await registerUser(cluster.api);
      const initial = await call('GET', '/settings', user.accessToken);
      expect(initial.status).toBe(200);
      expect(initial.body).toMatchObject({ theme: 'system', providerKeys: [], providerKeysWritable: true });

      const patched = await call('PATCH', '/settings', user.accessToken, { theme: 'dark', toursCompleted: { welcome: true }, settings: { density: 'compact' } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ theme: 'dark', toursCompleted: { welcome: true }, settings: { density: 'compact' } });

      const apiKey = newProviderKey();
      const put = await call('PUT', '/settings/provider-keys/openai', user.accessToken, { apiKey });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ provider: 'openai', isSet: true, last4: apiKey.slice(-4), updatedAt: expect.any(String) });
      const read = await call('GET', '/settings', user.accessToken);
      expect(read.body.providerKeys).toEqual([put.body]);

      const [row] = await query<{ key_id: string; ciphertext: Buffer }>(databaseUrl, 'SELECT key_id, ciphertext FROM identity.provider_keys WHERE user_id = $1', [user.id]);
      expect(row.key_id).toBe('k2026');
      expect(row.ciphertext.toString('latin1')).not.toContain(apiKey);

      expect((await call('DELETE', '/settings/provider-keys/openai', user.accessToken)).status).toBe(204);
      expect((await call('GET', '/settings', user.accessToken)).body.providerKeys).toEqual([]);
    });

    it('manages projects: default first, create, rename, reorder, archive, unarchive, delete with an event', async () => {
      const user = await registerUser(cluster.api);
      const listed = await call('GET', '/projects', user.accessToken);
      expect(listed.status).toBe(200);
      expect(listed.body).toMatchObject({ items: [{ isDefault: true }], nextCursor: null });

      const created = await call('POST', '/projects', user.accessToken, { name: 'Support bots', color: '#112233' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Support bots', color: '#112233', isDefault: false, isArchived: false, sortOrder: 1 });
      const id = created.body.id as string;

      expect((await call('GET', `/projects/${id}`, user.accessToken)).body).toEqual(created.body);
      const renamed = await call('PATCH', `/projects/${id}`, user.accessToken, { name: 'Helpdesk', sortOrder: 5 });
      expect(renamed.body).toMatchObject({ name: 'Helpdesk', sortOrder: 5 });

      const page = await call('GET', '/projects?limit=1', user.accessToken);
      expect(page.body.items).toHaveLength(1);
      const next = await call('GET', `/projects?limit=1&cursor=${page.body.nextCursor}`, user.accessToken);
      expect(next.body.items.map((p: { id: string }) => p.id)).toEqual([id]);

      expect((await call('POST', `/projects/${id}/archive`, user.accessToken)).body.isArchived).toBe(true);
      expect((await call('GET', '/projects?archived=true', user.accessToken)).body.items.map((p: { id: string }) => p.id)).toEqual([id]);
      expect((await call('POST', `/projects/${id}/unarchive`, user.accessToken)).body.isArchived).toBe(false);

      expect((await call('DELETE', `/projects/${id}`, user.accessToken)).status).toBe(204);
      expectProblem(await call('GET', `/projects/${id}`, user.accessToken), 404, 'NOT_FOUND');
      // The event leaves through the outbox and reaches JetStream.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const rows = await query<{ published_at: Date | null; envelope: { data: unknown } }>(
          databaseUrl,
          `SELECT published_at, envelope FROM identity.outbox WHERE subject = 'events.identity.project.deleted' AND envelope->'data'->>'projectId' = $1`,
          [id],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0].envelope.data).toEqual({ projectId: id, ownerId: user.id });
        if (rows[0].published_at !== null) break;
        if (Date.now() > deadline) throw new Error('project.deleted was not published');
        await new Promise((r) => setTimeout(r, 200));
      }
    });

    it('stores a notification another service asked for by event, and lets its user read it', async () => {
      const user = await registerUser(cluster.api);
      const link = await NatsLink.open(testEnv().natsUrl, 'account-e2e');
      try {
        await new JetStreamPublisher(link, new Namespace(namespace)).publish({
          id: newId(),
          subject: NotificationRequested.execution.subject,
          occurredAt: new Date().toISOString(),
          actor: { kind: 'service', service: 'execution' },
          data: { userId: user.id, kind: 'run.completed', title: 'Your background run finished', link: '/runs/123' },
        });
      } finally {
        await link.close();
      }
      let list: ApiResponse | undefined;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        list = await call('GET', '/notifications', user.accessToken);
        if (list.body.items?.length === 1) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(list!.status).toBe(200);
      expect(list!.body).toMatchObject({ unreadCount: 1, nextCursor: null, items: [{ kind: 'run.completed', title: 'Your background run finished', source: 'execution', readAt: null }] });
      const read = await call('POST', `/notifications/${list!.body.items[0].id}/read`, user.accessToken);
      expect(read.status).toBe(200);
      expect(read.body.readAt).toEqual(expect.any(String));
      expect((await call('GET', '/notifications?unread=true', user.accessToken)).body).toMatchObject({ items: [], unreadCount: 0 });
    });

    it('documents every account route at /docs', async () => {
      const doc = await cluster.api.get('/docs/openapi.json');
      const paths = doc.body.paths as Record<string, Record<string, unknown>>;
      const expected: Array<[string, string[]]> = [
        ['/api/v1/me', ['get', 'patch', 'delete']],
        ['/api/v1/me/email', ['post']],
        ['/api/v1/settings', ['get', 'patch']],
        ['/api/v1/settings/provider-keys/{provider}', ['put', 'delete']],
        ['/api/v1/projects', ['get', 'post']],
        ['/api/v1/projects/{id}', ['get', 'patch', 'delete']],
        ['/api/v1/projects/{id}/archive', ['post']],
        ['/api/v1/projects/{id}/unarchive', ['post']],
        ['/api/v1/notifications', ['get']],
        ['/api/v1/notifications/read-all', ['post']],
        ['/api/v1/notifications/{id}/read', ['post']],
      ];
      for (const [path, methods] of expected) expect(Object.keys(paths[path] ?? {})).toEqual(expect.arrayContaining(methods));
    });
  });

  describe('failing', () => {
    it("every project and notification route under another user's token -> 404, nothing changed", async () => {
      const owner = await registerUser(cluster.api);
      const intruder = await registerUser(cluster.api);
      const project = (await call('POST', '/projects', owner.accessToken, { name: 'Private' })).body;
      const defaultProject = await defaultProjectOf(owner);
      for (const target of [project, defaultProject]) {
        expectProblem(await call('GET', `/projects/${target.id}`, intruder.accessToken), 404, 'NOT_FOUND');
        expectProblem(await call('PATCH', `/projects/${target.id}`, intruder.accessToken, { name: 'Mine now' }), 404, 'NOT_FOUND');
        expectProblem(await call('POST', `/projects/${target.id}/archive`, intruder.accessToken), 404, 'NOT_FOUND');
        expectProblem(await call('POST', `/projects/${target.id}/unarchive`, intruder.accessToken), 404, 'NOT_FOUND');
        expectProblem(await call('DELETE', `/projects/${target.id}`, intruder.accessToken), 404, 'NOT_FOUND');
        expect((await call('GET', `/projects/${target.id}`, owner.accessToken)).body).toEqual(target);
      }
      expect((await call('GET', '/projects', intruder.accessToken)).body.items.map((p: { id: string }) => p.id)).toEqual([(await defaultProjectOf(intruder)).id]);

      await query(databaseUrl, `INSERT INTO identity.notifications (id, user_id, kind, title, source) VALUES ($1, $2, 'x', 'private', 'agent')`, [newId(), owner.id]);
      const [note] = (await call('GET', '/notifications', owner.accessToken)).body.items;
      expectProblem(await call('POST', `/notifications/${note.id}/read`, intruder.accessToken), 404, 'NOT_FOUND');
      expect((await call('GET', '/notifications', owner.accessToken)).body.items[0].readAt).toBeNull();
      expect((await call('GET', '/notifications', intruder.accessToken)).body.items).toEqual([]);

      // Settings and keys are addressed by the token alone: the intruder sees and deletes only its own.
      const ownerKey = newProviderKey();
      await call('PUT', '/settings/provider-keys/anthropic', owner.accessToken, { apiKey: ownerKey });
      expect((await call('GET', '/settings', intruder.accessToken)).body.providerKeys).toEqual([]);
      expectProblem(await call('DELETE', '/settings/provider-keys/anthropic', intruder.accessToken), 404, 'NOT_FOUND');
      expect((await call('GET', '/settings', owner.accessToken)).body.providerKeys).toHaveLength(1);
    });

    it('the default project cannot be deleted or archived -> 409', async () => {
      const user = await registerUser(cluster.api);
      const project = await defaultProjectOf(user);
      expectProblem(await call('DELETE', `/projects/${project.id}`, user.accessToken), 409, 'CONFLICT');
      expectProblem(await call('POST', `/projects/${project.id}/archive`, user.accessToken), 409, 'CONFLICT');
      expect(await defaultProjectOf(user)).toEqual(project);
    });

    it('malformed ids, unknown ids, bad query strings and unknown providers -> 400 or 404 naming the field', async () => {
      const user = await registerUser(cluster.api);
      const t = user.accessToken;
      const malformed = await call('GET', '/projects/not-a-uuid', t);
      expectProblem(malformed, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(malformed)).toEqual(['id']);
      expectProblem(await call('PATCH', "/projects/1'%20OR%201=1", t, { name: 'x' }), 400, 'VALIDATION_FAILED');
      expectProblem(await call('GET', `/projects/${newId()}`, t), 404, 'NOT_FOUND');
      expectProblem(await call('POST', `/notifications/${newId()}/read`, t), 404, 'NOT_FOUND');
      expectProblem(await call('POST', '/notifications/nope/read', t), 400, 'VALIDATION_FAILED');
      const limit = await call('GET', '/projects?limit=abc', t);
      expectProblem(limit, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(limit)).toEqual(['limit']);
      const cursor = await call('GET', '/notifications?cursor=%7B%7D', t);
      expectProblem(cursor, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(cursor)).toEqual(['cursor']);
      const unknownQuery = await call('GET', '/projects?owner=someone-else', t);
      expectProblem(unknownQuery, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(unknownQuery)).toEqual(['owner']);
      const provider = await call('PUT', '/settings/provider-keys/skynet', t, { apiKey: newProviderKey() });
      expectProblem(provider, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(provider)).toEqual(['provider']);
    });

    it('over-long names and bad values -> 400 naming each field', async () => {
      const user = await registerUser(cluster.api);
      const t = user.accessToken;
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', '/projects', { name: 'x'.repeat(101) }, 'name'],
        ['POST', '/projects', { name: 'ok', description: 'd'.repeat(2001) }, 'description'],
        ['POST', '/projects', { name: 'ok', color: 'orange' }, 'color'],
        ['POST', '/projects', { name: 'ok', sortOrder: -1 }, 'sortOrder'],
        ['POST', '/projects', {}, 'name'],
        ['PATCH', '/me', { name: 'n'.repeat(201) }, 'name'],
        ['PATCH', '/me', { username: 'no spaces please' }, 'username'],
        ['POST', '/me/email', { newEmail: 'not-an-email', password: user.password }, 'newEmail'],
        ['POST', '/me/email', { newEmail: 'fresh@example.test', password: 'wrong-password-here' }, 'password'],
        ['PATCH', '/settings', { theme: 'neon' }, 'theme'],
        ['PATCH', '/settings', { defaultLlmProvider: 'skynet' }, 'defaultLlmProvider'],
        ['PATCH', '/settings', { toursCompleted: ['welcome'] }, 'toursCompleted'],
        ['PATCH', '/settings', { settings: { big: 'x'.repeat(20_000) } }, 'settings'],
        ['PUT', '/settings/provider-keys/openai', { apiKey: 'short' }, 'apiKey'],
        ['PUT', '/settings/provider-keys/openai', { apiKey: 'has spaces in it ok' }, 'apiKey'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await call(method, path, t, body);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect({ path, fields: fieldsOf(res) }).toEqual({ path, fields: [field] });
      }
      expect((await call('GET', '/me', t)).body.email).toBe(user.email);
    });

    it('extra fields such as isSuperuser, isDefault or ownerId -> 400 naming the field', async () => {
      const user = await registerUser(cluster.api);
      const t = user.accessToken;
      const project = (await call('POST', '/projects', t, { name: 'p' })).body;
      const cases: Array<[string, string, unknown, string]> = [
        ['PATCH', '/me', { name: 'x', isSuperuser: true }, 'isSuperuser'],
        ['PATCH', '/me', { email: 'other@example.test' }, 'email'],
        ['POST', '/projects', { name: 'p', isDefault: true }, 'isDefault'],
        ['POST', '/projects', { name: 'p', ownerId: newId() }, 'ownerId'],
        ['PATCH', `/projects/${project.id}`, { id: newId() }, 'id'],
        ['PATCH', '/settings', { providerKeys: [] }, 'providerKeys'],
        ['PUT', '/settings/provider-keys/openai', { apiKey: newProviderKey(), userId: newId() }, 'userId'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await call(method, path, t, body);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect({ path, fields: fieldsOf(res) }).toEqual({ path, fields: [field] });
      }
      const me = (await call('GET', '/me', t)).body;
      expect(me.isSuperuser).toBe(false);
      expect((await call('GET', '/settings', t)).body.providerKeys).toEqual([]);
    });

    it('a taken username or email -> 409', async () => {
      const first = await registerUser(cluster.api);
      const second = await registerUser(cluster.api);
      const username = `dup_${randomBytes(3).toString('hex')}`;
      expect((await call('PATCH', '/me', first.accessToken, { username })).status).toBe(200);
      expectProblem(await call('PATCH', '/me', second.accessToken, { username: username.toUpperCase() }), 409, 'CONFLICT');
      expectProblem(await call('POST', '/me/email', second.accessToken, { newEmail: first.email, password: second.password }), 409, 'CONFLICT');
    });

    it('account routes without a token -> 401', async () => {
      for (const [method, path] of [
        ['PATCH', '/me'],
        ['GET', '/settings'],
        ['PUT', '/settings/provider-keys/openai'],
        ['GET', '/projects'],
        ['POST', `/projects/${newId()}/archive`],
        ['GET', '/notifications'],
      ]) {
        expectProblem(await call(method, path, undefined, method === 'GET' ? undefined : {}), 401, 'UNAUTHENTICATED');
      }
    });

    it('never shows a provider key in any reply or log line', async () => {
      expect(providerKeys.length).toBeGreaterThanOrEqual(4);
      await new Promise((r) => setTimeout(r, 300));
      const logs = cluster.logs();
      const keyMaterial = encryptionKeys.split(':')[1];
      for (const key of providerKeys) {
        for (const text of [...replies, logs]) expect(text).not.toContain(key.slice(0, -4));
      }
      expect(logs).not.toContain(keyMaterial);
      expect(replies.join('\n')).not.toContain(keyMaterial);
      expect(logs).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    });

    it('a malformed ENCRYPTION_KEYS stops identity at start with a message naming it, never echoing it', async () => {
      const material = randomBytes(20).toString('base64');
      const identity = AppProcess.forApp('identity', {
        DATABASE_URL: databaseUrl,
        NATS_URL: testEnv().natsUrl,
        BUS_NAMESPACE: uniqueNamespace('badkeys'),
        JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEYS: `k1:${material}`,
      }).start();
      try {
        const deadline = Date.now() + 30_000;
        while (identity.exitCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(identity.exitCode).not.toBe(0);
        expect(identity.exitCode).not.toBeUndefined();
        expect(identity.output).toContain('ENCRYPTION_KEYS');
        expect(identity.output).not.toContain(material);
        expect(identity.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
      } finally {
        await identity.stop();
      }
    });
  });

  describe('master key rotation', () => {
    it('adds a key, re-wraps with `node dist/scripts/rotate-keys.js`, retires the old key, and only execution can read keys', async () => {
      const oldEntry = encryptionKeys;
      const newEntry = `k2027:${randomBytes(32).toString('base64')}`;
      const before = await registerUser(cluster.api);
      const oldSecret = newProviderKey();
      expect((await call('PUT', '/settings/provider-keys/openai', before.accessToken, { apiKey: oldSecret })).status).toBe(200);

      const identity = cluster.app('identity');
      await identity.stop();
      identity.start({ ENCRYPTION_KEYS: `${newEntry},${oldEntry}` });
      await cluster.waitReady();
      const after = await registerUser(cluster.api);
      expect((await call('PUT', '/settings/provider-keys/openai', after.accessToken, { apiKey: newProviderKey() })).status).toBe(200);
      const keyIds = async () => (await query<{ key_id: string }>(databaseUrl, 'SELECT DISTINCT key_id FROM identity.provider_keys ORDER BY key_id')).map((r) => r.key_id);
      expect(await keyIds()).toEqual(['k2026', 'k2027']);

      // On identity's own login, under row-level security: the rotation is a named system path.
      const script = await promisify(execFile)(process.execPath, ['dist/scripts/rotate-keys.js'], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: cluster.databaseLogins.identity ?? databaseUrl, ENCRYPTION_KEYS: `${newEntry},${oldEntry}`, LOG_LEVEL: 'warn' },
      });
      const report = JSON.parse(script.stdout.trim().split('\n').pop()!) as { rewrapped: number; failed: number; primaryKeyId: string };
      expect(report.failed).toBe(0);
      expect(report.rewrapped).toBeGreaterThanOrEqual(1);
      expect(report.primaryKeyId).toBe('k2027');
      expect(await keyIds()).toEqual(['k2027']);
      expect(script.stdout + script.stderr).not.toContain(oldSecret);

      await identity.stop();
      identity.start({ ENCRYPTION_KEYS: newEntry });
      await cluster.waitReady();
      const link = await NatsLink.open(testEnv().natsUrl, 'account-e2e-execution');
      try {
        const bus = new NatsBusClient(link, new Namespace(namespace), 5000);
        const request = { userId: before.id, provider: 'openai' as const };
        expect(await bus.request(AccountContracts.revealProviderKey, request, { actor: serviceActor('execution') })).toEqual({ provider: 'openai', apiKey: oldSecret });
        for (const actor of [serviceActor('agent'), { kind: 'user' as const, userId: before.id }]) {
          const refused = await bus.request(AccountContracts.revealProviderKey, request, { actor }).then(
            () => 'revealed',
            (err: unknown) => (err instanceof AppError ? err.code : 'other'),
          );
          expect(refused).toBe('FORBIDDEN');
        }
      } finally {
        await link.close();
      }
      expect(identity.output).not.toContain(oldSecret);
    });
  });
});

import { randomBytes } from 'node:crypto';
import {
  AccountContracts,
  type Actor,
  AppError,
  type EventEnvelope,
  IdentityContracts,
  NotificationRequested,
  type RpcContract,
  type SessionReply,
} from '#contracts';
import { loadConfig } from '#config';
import { Keyring } from '#crypto';
import { InProcessBus } from '#messaging';
import { createServiceDataSource, Database, newId } from '#persistence';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query, userInput } from '#testing';
import { rotateProviderKeys } from '../src/settings/provider-key-rotation.js';
import { identityApp } from '../src/identity.app.js';
import { identityRoleUrl } from './identity-role.js';

const anonymous: Actor = { kind: 'anonymous', ip: '203.0.113.9', userAgent: 'spec' };
const execution: Actor = { kind: 'service', service: 'execution' };
const key = () => randomBytes(32).toString('base64');
const OLD_KEY = key();
const NEW_KEY = key();

/** Settings, provider keys, projects, profile and notifications, against the real PostgreSQL, through the bus. */
describe('identity account features', () => {
  let runtime: Runtime;
  let service: RunningService | undefined;
  let databaseUrl: string;
  /** The identity service's own login, under row-level security. */
  let roleUrl: string;

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor = anonymous): Promise<Res> => runtime.client.request(contract, data, { actor });
  const register = (input = userInput()): Promise<SessionReply> => call(IdentityContracts.register, input);
  const asUser = (session: SessionReply): Actor => ({ kind: 'user', userId: session.user.id, scopes: ['full'] });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: 'ok', message: '', details: undefined as Record<string, unknown> | undefined }),
      (err: unknown) => (err instanceof AppError ? { code: err.code as string, message: err.message, details: err.details } : { code: 'not-an-app-error', message: String(err), details: undefined }),
    );
  const codeOf = async (promise: Promise<unknown>) => (await failure(promise)).code;
  const fieldsOf = async (promise: Promise<unknown>) => {
    const result = await failure(promise);
    return { code: result.code, fields: ((result.details?.errors as Array<{ field: string }> | undefined) ?? []).map((e) => e.field) };
  };

  /** (Re)starts the service with the given master keys, as an operator restarting after a change would. */
  async function start(encryptionKeys: string | undefined): Promise<void> {
    await service?.close();
    service = undefined;
    if (encryptionKeys === undefined) delete process.env.ENCRYPTION_KEYS;
    else process.env.ENCRYPTION_KEYS = encryptionKeys;
    service = await startBusService(identityApp, runtime);
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('account');
    roleUrl = await identityRoleUrl(databaseUrl);
    const config = { ...loadConfig({}), databaseUrl: roleUrl, jwtSecret: randomBytes(32).toString('hex'), outboxRelay: false };
    runtime = await Runtime.create(config, 'account-spec');
    await start(`old:${OLD_KEY}`);
  });

  afterAll(async () => {
    await service?.close();
    await runtime?.close();
    delete process.env.ENCRYPTION_KEYS;
  });

  describe('successful', () => {
    it('registration makes exactly one default project, which can be neither deleted nor archived', async () => {
      const session = await register();
      const page = await call(AccountContracts.listProjects, {}, asUser(session));
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({ isDefault: true, isArchived: false, name: 'My project', icon: 'folder', color: '#f97316' });
      const id = page.items[0].id;
      expect(await codeOf(call(AccountContracts.deleteProject, { id }, asUser(session)))).toBe('CONFLICT');
      expect(await codeOf(call(AccountContracts.archiveProject, { id }, asUser(session)))).toBe('CONFLICT');
      expect(await query(databaseUrl, 'SELECT 1 FROM identity.projects WHERE id = $1 AND NOT is_archived', [id])).toHaveLength(1);
    });

    it('creates, renames, reorders and pages through projects by sort order', async () => {
      const me = asUser(await register());
      const a = await call(AccountContracts.createProject, { name: '  Alpha  ', color: '#ABCDEF' }, me);
      const b = await call(AccountContracts.createProject, { name: 'Beta', description: 'second', icon: 'bot' }, me);
      expect(a).toMatchObject({ name: 'Alpha', color: '#abcdef', sortOrder: 1, isDefault: false });
      expect(b).toMatchObject({ sortOrder: 2, description: 'second', icon: 'bot' });
      const moved = await call(AccountContracts.updateProject, { id: b.id, sortOrder: 0, name: 'Beta first' }, me);
      expect(moved).toMatchObject({ name: 'Beta first', sortOrder: 0 });
      expect(await call(AccountContracts.getProject, { id: a.id }, me)).toEqual(a);

      const first = await call(AccountContracts.listProjects, { limit: 2 }, me);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await call(AccountContracts.listProjects, { limit: 2, cursor: first.nextCursor! }, me);
      expect(second.nextCursor).toBeNull();
      const names = [...first.items, ...second.items].map((p) => p.name);
      // The default project and Beta share sort order 0: ties are broken by id, so Beta (newer) comes second.
      expect(names).toEqual(['My project', 'Beta first', 'Alpha']);
    });

    it('archives and unarchives: archived projects leave the active list and appear with archived=true', async () => {
      const me = asUser(await register());
      const p = await call(AccountContracts.createProject, { name: 'Old stuff' }, me);
      expect(await call(AccountContracts.archiveProject, { id: p.id }, me)).toMatchObject({ isArchived: true });
      expect(await call(AccountContracts.archiveProject, { id: p.id }, me)).toMatchObject({ isArchived: true });
      expect((await call(AccountContracts.listProjects, {}, me)).items.map((x) => x.id)).not.toContain(p.id);
      expect((await call(AccountContracts.listProjects, { archived: 'true' }, me)).items.map((x) => x.id)).toEqual([p.id]);
      expect(await call(AccountContracts.unarchiveProject, { id: p.id }, me)).toMatchObject({ isArchived: false });
      expect((await call(AccountContracts.listProjects, {}, me)).items.map((x) => x.id)).toContain(p.id);
    });

    it('deletes a project and writes project.deleted in the same transaction', async () => {
      const session = await register();
      const p = await call(AccountContracts.createProject, { name: 'Doomed' }, asUser(session));
      await call(AccountContracts.deleteProject, { id: p.id }, asUser(session));
      expect(await query(databaseUrl, 'SELECT 1 FROM identity.projects WHERE id = $1', [p.id])).toHaveLength(0);
      const events = await query<{ subject: string; envelope: { data: unknown } }>(databaseUrl, `SELECT subject, envelope FROM identity.outbox WHERE envelope->'data'->>'projectId' = $1`, [p.id]);
      expect(events).toHaveLength(1);
      expect(events[0].subject).toBe('events.identity.project.deleted');
      expect(events[0].envelope.data).toEqual({ projectId: p.id, ownerId: session.user.id });
      expect(await codeOf(call(AccountContracts.deleteProject, { id: p.id }, asUser(session)))).toBe('NOT_FOUND');
    });

    it('gives a new user default settings and merges updates key by key', async () => {
      const me = asUser(await register());
      expect(await call(AccountContracts.getSettings, {}, me)).toEqual({
        theme: 'system',
        defaultLlmProvider: null,
        sidebarCollapsed: false,
        onboardingCompleted: false,
        toursCompleted: {},
        settings: {},
        providerKeys: [],
        providerKeysWritable: true,
      });
      await call(AccountContracts.updateSettings, { theme: 'dark', toursCompleted: { welcome: true, agents: true }, settings: { density: 'compact', lang: 'en' } }, me);
      const updated = await call(AccountContracts.updateSettings, { defaultLlmProvider: 'anthropic', onboardingCompleted: true, toursCompleted: { agents: null, runs: false }, settings: { lang: null } }, me);
      expect(updated).toMatchObject({
        theme: 'dark',
        defaultLlmProvider: 'anthropic',
        onboardingCompleted: true,
        toursCompleted: { welcome: true, runs: false },
        settings: { density: 'compact' },
      });
      expect(await call(AccountContracts.getSettings, {}, me)).toEqual(updated);
    });

    it('stores a provider key encrypted, shows only its last four characters, and reveals it to the execution service', async () => {
      const session = await register();
      const apiKey = `sk-live-${randomBytes(16).toString('hex')}`;
      const stored = await call(AccountContracts.putProviderKey, { provider: 'openai', apiKey }, asUser(session));
      expect(stored).toEqual({ provider: 'openai', isSet: true, last4: apiKey.slice(-4), updatedAt: expect.any(String) });
      const settings = await call(AccountContracts.getSettings, {}, asUser(session));
      expect(settings.providerKeys).toEqual([stored]);
      expect(JSON.stringify(settings)).not.toContain(apiKey.slice(0, -4));

      const [row] = await query<{ key_id: string; ciphertext: Buffer }>(databaseUrl, 'SELECT key_id, ciphertext FROM identity.provider_keys WHERE user_id = $1', [session.user.id]);
      expect(row.key_id).toBe('old');
      expect(row.ciphertext.toString('latin1')).not.toContain(apiKey);
      expect(row.ciphertext.toString('hex')).not.toContain(Buffer.from(apiKey).toString('hex'));

      expect(await call(AccountContracts.revealProviderKey, { userId: session.user.id, provider: 'openai' }, execution)).toEqual({ provider: 'openai', apiKey });

      const replaced = `sk-live-${randomBytes(16).toString('hex')}`;
      await call(AccountContracts.putProviderKey, { provider: 'openai', apiKey: replaced }, asUser(session));
      expect(await call(AccountContracts.revealProviderKey, { userId: session.user.id, provider: 'openai' }, execution)).toEqual({ provider: 'openai', apiKey: replaced });
      await call(AccountContracts.deleteProviderKey, { provider: 'openai' }, asUser(session));
      expect(await codeOf(call(AccountContracts.revealProviderKey, { userId: session.user.id, provider: 'openai' }, execution))).toBe('NOT_FOUND');
      expect(await codeOf(call(AccountContracts.deleteProviderKey, { provider: 'openai' }, asUser(session)))).toBe('NOT_FOUND');
    });

    it('updates name and username (stored lower-cased) and shows the username on GET /me', async () => {
      const session = await register();
      const username = `Ada_${randomBytes(3).toString('hex')}`;
      const updated = await call(AccountContracts.updateProfile, { name: ' Ada L. ', username }, asUser(session));
      expect(updated).toMatchObject({ id: session.user.id, name: 'Ada L.', username: username.toLowerCase() });
      expect(await call(IdentityContracts.getMe, {}, asUser(session))).toEqual(updated);
      expect(await call(AccountContracts.updateProfile, { username: null, name: null }, asUser(session))).toMatchObject({ username: null, name: null });
    });

    it('changes the email with the current password, and the new email signs in', async () => {
      const input = userInput();
      const session = await register(input);
      const newEmail = `New-${randomBytes(3).toString('hex')}@Example.TEST`;
      const updated = await call(AccountContracts.changeEmail, { newEmail, password: input.password }, asUser(session));
      expect(updated.email).toBe(newEmail.toLowerCase());
      await expect(call(IdentityContracts.login, { email: newEmail, password: input.password })).resolves.toMatchObject({ user: { id: session.user.id } });
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('UNAUTHENTICATED');
    });

    it('stores a notification another service asked for, once, and lets its user read it', async () => {
      const session = await register();
      const other = await register();
      const envelope: EventEnvelope = {
        id: newId(),
        subject: NotificationRequested.execution.subject,
        occurredAt: new Date().toISOString(),
        actor: execution,
        data: { userId: session.user.id, kind: 'run.completed', title: 'Your run finished', body: 'It took 3 s', link: '/runs/1' },
      };
      await InProcessBus.shared().publish(envelope);
      await InProcessBus.shared().publish(envelope); // redelivered: the inbox keeps it from counting twice
      const page = await call(AccountContracts.listNotifications, {}, asUser(session));
      expect(page.items).toHaveLength(1);
      expect(page.unreadCount).toBe(1);
      expect(page.items[0]).toMatchObject({ kind: 'run.completed', title: 'Your run finished', body: 'It took 3 s', link: '/runs/1', source: 'execution', readAt: null });

      expect(await codeOf(call(AccountContracts.markNotificationRead, { id: page.items[0].id }, asUser(other)))).toBe('NOT_FOUND');
      const read = await call(AccountContracts.markNotificationRead, { id: page.items[0].id }, asUser(session));
      expect(read.readAt).toEqual(expect.any(String));
      expect(await call(AccountContracts.markNotificationRead, { id: page.items[0].id }, asUser(session))).toEqual(read);
      expect(await call(AccountContracts.listNotifications, { unread: 'true' }, asUser(session))).toMatchObject({ items: [], unreadCount: 0 });
      expect((await call(AccountContracts.listNotifications, {}, asUser(other))).items).toEqual([]);
    });

    it('pages notifications newest first and marks all read', async () => {
      const session = await register();
      for (const title of ['one', 'two', 'three']) {
        await InProcessBus.shared().publish({ id: newId(), subject: NotificationRequested.agent.subject, occurredAt: new Date().toISOString(), data: { userId: session.user.id, kind: 'agent.ready', title } });
      }
      const first = await call(AccountContracts.listNotifications, { limit: 2 }, asUser(session));
      const second = await call(AccountContracts.listNotifications, { limit: 2, cursor: first.nextCursor! }, asUser(session));
      expect([...first.items, ...second.items].map((n) => n.title)).toEqual(['three', 'two', 'one']);
      expect(second.nextCursor).toBeNull();
      expect(await call(AccountContracts.markAllNotificationsRead, {}, asUser(session))).toEqual({ updated: 3 });
    });

    it('drops a notification for a user who no longer exists and rejects an invalid one, without redelivery', async () => {
      const gone = newId();
      const invalid = newId();
      await InProcessBus.shared().publish({ id: gone, subject: NotificationRequested.workflow.subject, occurredAt: new Date().toISOString(), data: { userId: newId(), kind: 'x', title: 'hi' } });
      await InProcessBus.shared().publish({ id: invalid, subject: NotificationRequested.workflow.subject, occurredAt: new Date().toISOString(), data: { userId: newId(), kind: 'x', title: 'x'.repeat(201) } });
      const outcomes = await query<{ event_id: string; outcome: string }>(databaseUrl, 'SELECT event_id, outcome FROM identity.inbox WHERE event_id = ANY($1)', [[gone, invalid]]);
      expect(Object.fromEntries(outcomes.map((o) => [o.event_id, o.outcome]))).toEqual({ [gone]: 'handled', [invalid]: 'rejected' });
    });

    it('deleting the account removes its settings, provider keys, projects and notifications', async () => {
      const session = await register();
      const me = asUser(session);
      await call(AccountContracts.updateSettings, { theme: 'light' }, me);
      await call(AccountContracts.putProviderKey, { provider: 'mistral', apiKey: 'mistral-key-123456' }, me);
      await call(AccountContracts.createProject, { name: 'p' }, me);
      await InProcessBus.shared().publish({ id: newId(), subject: NotificationRequested.integration.subject, occurredAt: new Date().toISOString(), data: { userId: session.user.id, kind: 'x', title: 't' } });
      const count = async () =>
        (
          await query<{ n: string }>(
            databaseUrl,
            `SELECT (SELECT count(*) FROM identity.user_settings WHERE user_id = $1) + (SELECT count(*) FROM identity.provider_keys WHERE user_id = $1)
                  + (SELECT count(*) FROM identity.projects WHERE owner_id = $1) + (SELECT count(*) FROM identity.notifications WHERE user_id = $1) AS n`,
            [session.user.id],
          )
        )[0].n;
      expect(Number(await count())).toBe(5);
      await call(IdentityContracts.deleteMe, {}, me);
      expect(Number(await count())).toBe(0);
    });
  });

  describe('failing', () => {
    it("another user's project answers NOT_FOUND to every verb and stays unchanged", async () => {
      const owner = asUser(await register());
      const intruder = asUser(await register());
      const p = await call(AccountContracts.createProject, { name: 'Mine' }, owner);
      expect(await codeOf(call(AccountContracts.getProject, { id: p.id }, intruder))).toBe('NOT_FOUND');
      expect(await codeOf(call(AccountContracts.updateProject, { id: p.id, name: 'Stolen' }, intruder))).toBe('NOT_FOUND');
      expect(await codeOf(call(AccountContracts.archiveProject, { id: p.id }, intruder))).toBe('NOT_FOUND');
      expect(await codeOf(call(AccountContracts.unarchiveProject, { id: p.id }, intruder))).toBe('NOT_FOUND');
      expect(await codeOf(call(AccountContracts.deleteProject, { id: p.id }, intruder))).toBe('NOT_FOUND');
      expect(await call(AccountContracts.getProject, { id: p.id }, owner)).toEqual(p);
    });

    it('reveals provider keys to the execution service only', async () => {
      const session = await register();
      await call(AccountContracts.putProviderKey, { provider: 'groq', apiKey: 'gsk_0123456789abcdef' }, asUser(session));
      const request = { userId: session.user.id, provider: 'groq' as const };
      expect(await codeOf(call(AccountContracts.revealProviderKey, request, asUser(session)))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccountContracts.revealProviderKey, request, { kind: 'service', service: 'agent' }))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccountContracts.revealProviderKey, request, { kind: 'service' }))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccountContracts.revealProviderKey, request, anonymous))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccountContracts.revealProviderKey, request, { kind: 'user', userId: session.user.id, service: 'execution' }))).toBe('FORBIDDEN');
    });

    it('a ciphertext copied to another user or another provider does not decrypt', async () => {
      const victim = await register();
      const thief = await register();
      const secret = `sk-victim-${randomBytes(12).toString('hex')}`;
      await call(AccountContracts.putProviderKey, { provider: 'openai', apiKey: secret }, asUser(victim));
      await call(AccountContracts.putProviderKey, { provider: 'openai', apiKey: 'sk-thief-000000000000' }, asUser(thief));
      await call(AccountContracts.putProviderKey, { provider: 'anthropic', apiKey: 'sk-victim-anthropic-00' }, asUser(victim));
      await query(
        databaseUrl,
        `UPDATE identity.provider_keys t SET ciphertext = v.ciphertext, key_id = v.key_id, last4 = v.last4
           FROM identity.provider_keys v WHERE v.user_id = $1 AND v.provider = 'openai' AND ((t.user_id = $2 AND t.provider = 'openai') OR (t.user_id = $1 AND t.provider = 'anthropic'))`,
        [victim.user.id, thief.user.id],
      );
      const thiefReveal = await failure(call(AccountContracts.revealProviderKey, { userId: thief.user.id, provider: 'openai' }, execution));
      expect(thiefReveal.code).toBe('UNAVAILABLE');
      expect(JSON.stringify(thiefReveal)).not.toContain(secret);
      expect(await codeOf(call(AccountContracts.revealProviderKey, { userId: victim.user.id, provider: 'anthropic' }, execution))).toBe('UNAVAILABLE');
      // The original still opens.
      expect((await call(AccountContracts.revealProviderKey, { userId: victim.user.id, provider: 'openai' }, execution)).apiKey).toBe(secret);
    });

    it('a tampered ciphertext does not decrypt', async () => {
      const session = await register();
      await call(AccountContracts.putProviderKey, { provider: 'cohere', apiKey: 'cohere-key-abcdefgh' }, asUser(session));
      await query(databaseUrl, `UPDATE identity.provider_keys SET ciphertext = set_byte(ciphertext, 14, get_byte(ciphertext, 14) # 1) WHERE user_id = $1`, [session.user.id]);
      expect(await codeOf(call(AccountContracts.revealProviderKey, { userId: session.user.id, provider: 'cohere' }, execution))).toBe('UNAVAILABLE');
    });

    it('refuses bad input with the field named', async () => {
      const session = await register();
      const me = asUser(session);
      expect(await fieldsOf(call(AccountContracts.getProject, { id: 'not-a-uuid' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['id'] });
      expect(await fieldsOf(call(AccountContracts.createProject, { name: 'x'.repeat(101) }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
      expect(await fieldsOf(call(AccountContracts.createProject, { name: '   ' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
      expect(await fieldsOf(call(AccountContracts.createProject, { name: 'ok', color: 'red' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['color'] });
      expect(await fieldsOf(call(AccountContracts.createProject, { name: 'ok', isDefault: true } as never, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['isDefault'] });
      expect(await fieldsOf(call(AccountContracts.listProjects, { cursor: 'bm90LWEtY3Vyc29y' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cursor'] });
      expect(await fieldsOf(call(AccountContracts.listProjects, { limit: 1000 }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['limit'] });
      expect(await fieldsOf(call(AccountContracts.putProviderKey, { provider: 'nope' as never, apiKey: 'sk-0123456789' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['provider'] });
      expect(await fieldsOf(call(AccountContracts.putProviderKey, { provider: 'openai', apiKey: 'short' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['apiKey'] });
      expect(await fieldsOf(call(AccountContracts.updateSettings, { theme: 'neon' as never }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['theme'] });
      expect(await fieldsOf(call(AccountContracts.updateSettings, { toursCompleted: { welcome: 'yes' } as never }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['toursCompleted'] });
      expect(await fieldsOf(call(AccountContracts.updateSettings, { settings: { blob: 'x'.repeat(20_000) } }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['settings'] });
      expect(await fieldsOf(call(AccountContracts.updateProfile, { name: 'x'.repeat(201) }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
      expect(await fieldsOf(call(AccountContracts.updateProfile, { username: 'a b' }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['username'] });
      expect(await fieldsOf(call(AccountContracts.updateProfile, { isSuperuser: true } as never, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['isSuperuser'] });
    });

    it('settings merged past the size limit are refused and nothing is kept', async () => {
      const me = asUser(await register());
      await call(AccountContracts.updateSettings, { settings: { a: 'x'.repeat(10_000) } }, me);
      expect(await fieldsOf(call(AccountContracts.updateSettings, { settings: { b: 'y'.repeat(10_000) } }, me))).toEqual({ code: 'VALIDATION_FAILED', fields: ['settings'] });
      expect(Object.keys((await call(AccountContracts.getSettings, {}, me)).settings)).toEqual(['a']);
    });

    it('a taken username or email is a conflict; a wrong password changes nothing', async () => {
      const first = await register();
      const input = userInput();
      const second = await register(input);
      const username = `taken_${randomBytes(3).toString('hex')}`;
      await call(AccountContracts.updateProfile, { username }, asUser(first));
      expect(await codeOf(call(AccountContracts.updateProfile, { username: username.toUpperCase() }, asUser(second)))).toBe('CONFLICT');
      expect(await codeOf(call(AccountContracts.changeEmail, { newEmail: first.user.email.toUpperCase(), password: input.password }, asUser(second)))).toBe('CONFLICT');
      expect(await fieldsOf(call(AccountContracts.changeEmail, { newEmail: 'fresh@example.test', password: `${input.password}-wrong` }, asUser(second)))).toEqual({
        code: 'VALIDATION_FAILED',
        fields: ['password'],
      });
      expect((await call(IdentityContracts.getMe, {}, asUser(second))).email).toBe(input.email);
    });

    it('writes for an account deleted while its token is still valid -> UNAUTHENTICATED, not an internal error', async () => {
      const session = await register();
      const me = asUser(session);
      await call(IdentityContracts.deleteMe, {}, me);
      expect(await codeOf(call(AccountContracts.createProject, { name: 'late' }, me))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(AccountContracts.updateSettings, { theme: 'dark' }, me))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(AccountContracts.putProviderKey, { provider: 'openai', apiKey: 'sk-0123456789abcdef' }, me))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(AccountContracts.updateProfile, { name: 'x' }, me))).toBe('UNAUTHENTICATED');
    });

    it('a settings key named __proto__ pollutes nothing', async () => {
      const me = asUser(await register());
      const updated = await call(AccountContracts.updateSettings, JSON.parse('{"settings": {"__proto__": {"polluted": true}, "ok": 1}}'), me);
      expect(updated.settings.ok).toBe(1);
      expect((updated.settings as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const [row] = await query<{ settings: Record<string, unknown> }>(databaseUrl, 'SELECT settings FROM identity.user_settings WHERE user_id = $1', [me.userId]);
      expect(row.settings).not.toHaveProperty('polluted');
    });

    it('account routes need a signed-in user', async () => {
      expect(await codeOf(call(AccountContracts.getSettings, {}))).toBe('UNAUTHENTICATED');
      // The bus permission table grants no service these subjects: refused before the handler runs.
      expect(await codeOf(call(AccountContracts.listProjects, {}, execution))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccountContracts.listNotifications, {}, { kind: 'service', service: 'agent' }))).toBe('FORBIDDEN');
    });
  });

  describe('master key rotation', () => {
    it('keeps old data readable after a new key is added, re-wraps everything, then works without the old key', async () => {
      const before = await register();
      const oldSecret = `sk-old-${randomBytes(12).toString('hex')}`;
      await call(AccountContracts.putProviderKey, { provider: 'deepseek', apiKey: oldSecret }, asUser(before));

      await start(`new:${NEW_KEY},old:${OLD_KEY}`);
      expect((await call(AccountContracts.revealProviderKey, { userId: before.user.id, provider: 'deepseek' }, execution)).apiKey).toBe(oldSecret);
      const after = await register();
      await call(AccountContracts.putProviderKey, { provider: 'deepseek', apiKey: 'sk-new-0000000000000' }, asUser(after));
      const keyIdOf = async (userId: string) => (await query<{ key_id: string }>(databaseUrl, `SELECT key_id FROM identity.provider_keys WHERE user_id = $1 AND provider = 'deepseek'`, [userId]))[0].key_id;
      expect(await keyIdOf(after.user.id)).toBe('new');
      expect(await keyIdOf(before.user.id)).toBe('old');

      // On the service's own login: the rotation names its system path, or it would see no one's keys.
      const dataSource = createServiceDataSource({ url: roleUrl, schema: 'identity', entities: identityApp.entities, migrations: [], poolSize: 2 });
      await dataSource.initialize();
      try {
        const ring = Keyring.parse(`new:${NEW_KEY},old:${OLD_KEY}`)!;
        const report = await rotateProviderKeys(new Database(dataSource), ring, 2);
        // Earlier tests left three deliberately broken rows (two copied ciphertexts, one tampered).
        expect(report.failed).toBe(3);
        expect(report.rewrapped).toBeGreaterThanOrEqual(3);
        expect(await rotateProviderKeys(new Database(dataSource), ring)).toEqual({ rewrapped: 0, failed: 3, primaryKeyId: 'new' });
      } finally {
        await dataSource.destroy();
      }
      expect(await keyIdOf(before.user.id)).toBe('new');

      await start(`new:${NEW_KEY}`);
      expect((await call(AccountContracts.revealProviderKey, { userId: before.user.id, provider: 'deepseek' }, execution)).apiKey).toBe(oldSecret);
    });
  });

  describe('without ENCRYPTION_KEYS', () => {
    it('refuses to store provider keys with a message naming the variable, and everything else works', async () => {
      await start(undefined);
      const session = await register();
      const refused = await failure(call(AccountContracts.putProviderKey, { provider: 'openai', apiKey: 'sk-0123456789abcdef' }, asUser(session)));
      expect(refused.code).toBe('UNAVAILABLE');
      expect(refused.message).toContain('ENCRYPTION_KEYS');
      expect(await call(AccountContracts.getSettings, {}, asUser(session))).toMatchObject({ providerKeysWritable: false, providerKeys: [] });
      expect((await call(AccountContracts.listProjects, {}, asUser(session))).items).toHaveLength(1);
    });
  });
});

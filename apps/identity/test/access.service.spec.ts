import { randomBytes } from 'node:crypto';
import { AccessContracts, type Actor, AppError, CREDENTIALS_CHANGED, type CredentialsHint, IdentityContracts, REQUEST_BUDGET_SPENT, type RpcContract, type SessionReply, type VerifiedCredential } from '#contracts';
import { loadConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query, userInput } from '#testing';
import { FirstSuperuser } from '../src/admin/first-superuser.js';
import { identityApp } from '../src/identity.app.js';
import { identityRoleUrl } from './identity-role.js';

const LIMITS = { RATE_LIMIT_USER_PER_MINUTE: '40', RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', RATE_LIMIT_LOGIN_PER_IP: '6', RATE_LIMIT_REGISTER_PER_IP: '4' };
const ADMIN = { email: `root-${randomBytes(3).toString('hex')}@example.test`, password: `root-${randomBytes(8).toString('hex')}` };

let ipCounter = 0;
/** A client address of its own per call, so the per-address budgets of one test do not spill into another. */
const freshClient = (): Actor => ({ kind: 'anonymous', ip: `2001:db8::${(++ipCounter).toString(16)}`, userAgent: 'spec' });
const gateway: Actor = { kind: 'service', service: 'gateway', ip: '198.51.100.1' };

/** The access features against the real PostgreSQL, called through the bus as the gateway calls them. */
describe('identity access features', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;
  const saved: Record<string, string | undefined> = {};
  const hints: Array<[subject: string, userId: string, heard: (subject: string) => void]> = [];
  const unsubscribe: Array<() => void> = [];

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor = freshClient()): Promise<Res> => runtime.client.request(contract, data, { actor });
  const register = (input = userInput(), actor = freshClient()): Promise<SessionReply> => call(IdentityContracts.register, input, actor);
  const sessionOf = (session: SessionReply): string => JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString()).sid as string;
  /** The actor the gateway builds after a successful credential check. */
  const verified = async (session: SessionReply): Promise<Actor> => {
    const v = await call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, gateway);
    return { kind: 'user', userId: v.userId, isSuperuser: v.isSuperuser, scopes: v.scopes, ip: '198.51.100.200', userAgent: 'spec' };
  };
  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (err: unknown) => (err instanceof AppError ? err.code : 'not-an-app-error'));
  const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as AppError);
  const adminActor = async (): Promise<Actor> => verified(await call(IdentityContracts.login, ADMIN));

  beforeAll(async () => {
    Object.assign(saved, Object.fromEntries(Object.keys({ ...LIMITS, FIRST_SUPERUSER_EMAIL: 1, FIRST_SUPERUSER_PASSWORD: 1 }).map((k) => [k, process.env[k]])));
    Object.assign(process.env, LIMITS, { FIRST_SUPERUSER_EMAIL: ADMIN.email, FIRST_SUPERUSER_PASSWORD: ADMIN.password });
    databaseUrl = await createTestDatabase('accesssvc');
    const config = { ...loadConfig({}), databaseUrl: await identityRoleUrl(databaseUrl), jwtSecret: randomBytes(32).toString('hex'), outboxRelay: false };
    runtime = await Runtime.create(config, 'access-spec');
    service = await startBusService(identityApp, runtime);
    // What a gateway replica hears: each waiter is called once with its subject when its user's hint comes.
    const broadcast = runtime.createBroadcast();
    for (const subject of [CREDENTIALS_CHANGED, REQUEST_BUDGET_SPENT]) {
      unsubscribe.push(
        broadcast.subscribe<CredentialsHint>(subject, (hint) => {
          for (const waiter of hints.filter(([s, userId]) => s === subject && userId === hint.userId)) {
            hints.splice(hints.indexOf(waiter), 1);
            waiter[2](subject);
          }
        }),
      );
    }
  });

  afterAll(async () => {
    for (const stop of unsubscribe) stop();
    await service?.close();
    await runtime?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  describe('credentials', () => {
    it('verifies a live session with the user\'s current superuser flag, and refuses it after logout', async () => {
      const session = await register();
      await expect(call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, gateway)).resolves.toMatchObject({
        userId: session.user.id,
        isSuperuser: false,
        scopes: ['full'],
      });
      await call(IdentityContracts.logout, { refreshToken: session.refreshToken });
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, gateway))).toBe('UNAUTHENTICATED');
    });

    it('tells every gateway replica, before it answers, that a logout or a revoked key changed the user\'s credentials', async () => {
      const session = await register();
      let heard = false;
      hints.push([CREDENTIALS_CHANGED, session.user.id, () => (heard = true)]);
      await call(IdentityContracts.logout, { refreshToken: session.refreshToken });
      // Published before the reply on the same connection: heard by the time the reply is.
      expect(heard).toBe(true);

      const other = await register();
      const actor = await verified(other);
      const key = await call(AccessContracts.createApiKey, { name: 'ci', scopes: ['full'] }, actor);
      heard = false;
      hints.push([CREDENTIALS_CHANGED, other.user.id, () => (heard = true)]);
      await call(AccessContracts.revokeApiKey, { id: key.id }, actor);
      expect(heard).toBe(true);
    });

    it('refuses a deactivated user at once', async () => {
      const session = await register();
      await query(databaseUrl, 'UPDATE identity.users SET is_active = false WHERE id = $1', [session.user.id]);
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, gateway))).toBe('UNAUTHENTICATED');
    });

    it('answers only a service caller', async () => {
      const session = await register();
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, freshClient()))).toBe('FORBIDDEN');
    });

    it('counts a per-user request budget shared by every caller, leased in shares that add up to it exactly, with a retry hint', async () => {
      const session = await register();
      const request = { userId: session.user.id, sessionId: sessionOf(session) };
      const budget = Number(LIMITS.RATE_LIMIT_USER_PER_MINUTE);
      const spent = new Promise<string>((resolve) => hints.push([REQUEST_BUDGET_SPENT, session.user.id, resolve]));
      const grants: number[] = [];
      for (let i = 0; i < budget; i++) {
        const v = await call(AccessContracts.verifyCredential, request, gateway).catch(() => undefined);
        if (!v) break;
        expect(v.budget?.resetsInMs).toBeGreaterThan(0);
        grants.push(v.budget?.granted ?? 0);
      }
      // The first check takes a share of what is left (this request and 1/16 of the rest), the last ones one each.
      expect(grants[0]).toBe(1 + Math.floor((budget - 1) / 16));
      expect(grants.at(-1)).toBe(1);
      expect(grants.reduce((a, b) => a + b, 0)).toBe(budget);
      const err = await errorOf(call(AccessContracts.verifyCredential, request, gateway));
      expect(err?.code).toBe('RATE_LIMITED');
      expect(err?.details?.retryAfterSeconds).toEqual(expect.any(Number));
      // Every gateway replica hears that the budget is spent, so none goes on spending a share it still holds.
      await expect(spent).resolves.toBe(REQUEST_BUDGET_SPENT);
      // Another user's budget is untouched.
      const other = await register();
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: other.user.id, sessionId: sessionOf(other) }, gateway))).toBe('ok');
    });
  });

  describe('API keys', () => {
    it('shows the key once and stores only its hash and a short prefix', async () => {
      const actor = await verified(await register());
      const created = await call(AccessContracts.createApiKey, { name: 'ci', scopes: ['read'] }, actor);
      expect(created.key).toMatch(/^ap_live_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/);
      expect(created.prefix).toBe(created.key.slice(0, 12));
      const rows = await query<Record<string, unknown>>(databaseUrl, 'SELECT * FROM identity.api_keys WHERE id = $1', [created.id]);
      expect(JSON.stringify(rows)).not.toContain(created.key.slice(12));
      const list = await call(AccessContracts.listApiKeys, {}, actor);
      expect(list.items).toEqual([expect.objectContaining({ id: created.id, name: 'ci', scopes: ['read'], lastUsedAt: null })]);
      expect(JSON.stringify(list)).not.toContain(created.key);
    });

    it('verifies a key with its scopes and records its use at most once a minute', async () => {
      const actor = await verified(await register());
      const created = await call(AccessContracts.createApiKey, { name: 'reader', scopes: ['read'], expiresInDays: 1 }, actor);
      const v: VerifiedCredential = await call(AccessContracts.verifyCredential, { apiKey: created.key }, gateway);
      expect(v).toMatchObject({ userId: actor.userId, scopes: ['read'], apiKeyId: created.id });
      const [first] = await query<{ last_used_at: Date }>(databaseUrl, 'SELECT last_used_at FROM identity.api_keys WHERE id = $1', [created.id]);
      expect(first.last_used_at).toBeInstanceOf(Date);
      await call(AccessContracts.verifyCredential, { apiKey: created.key }, gateway);
      const [second] = await query<{ last_used_at: Date }>(databaseUrl, 'SELECT last_used_at FROM identity.api_keys WHERE id = $1', [created.id]);
      expect(second.last_used_at.getTime()).toBe(first.last_used_at.getTime());
    });

    it('refuses a revoked key, an expired key, a key with a bad checksum and the key of a deactivated user', async () => {
      const session = await register();
      const actor = await verified(session);
      const revoked = await call(AccessContracts.createApiKey, { name: 'a', scopes: ['full'] }, actor);
      await call(AccessContracts.revokeApiKey, { id: revoked.id }, actor);
      expect(await codeOf(call(AccessContracts.verifyCredential, { apiKey: revoked.key }, gateway))).toBe('UNAUTHENTICATED');

      const expired = await call(AccessContracts.createApiKey, { name: 'b', scopes: ['full'], expiresInDays: 1 }, actor);
      await query(databaseUrl, `UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
      expect(await codeOf(call(AccessContracts.verifyCredential, { apiKey: expired.key }, gateway))).toBe('UNAUTHENTICATED');

      const live = await call(AccessContracts.createApiKey, { name: 'c', scopes: ['full'] }, actor);
      const typo = live.key.slice(0, -1) + (live.key.endsWith('a') ? 'b' : 'a');
      expect(await codeOf(call(AccessContracts.verifyCredential, { apiKey: typo }, gateway))).toBe('UNAUTHENTICATED');

      await query(databaseUrl, 'UPDATE identity.users SET is_active = false WHERE id = $1', [session.user.id]);
      expect(await codeOf(call(AccessContracts.verifyCredential, { apiKey: live.key }, gateway))).toBe('UNAUTHENTICATED');
    });

    it('answers NOT_FOUND when another user revokes a key, and leaves the key working', async () => {
      const owner = await verified(await register());
      const other = await verified(await register());
      const created = await call(AccessContracts.createApiKey, { name: 'mine', scopes: ['full'] }, owner);
      expect(await codeOf(call(AccessContracts.revokeApiKey, { id: created.id }, other))).toBe('NOT_FOUND');
      expect((await call(AccessContracts.listApiKeys, {}, other)).items).toEqual([]);
      expect(await codeOf(call(AccessContracts.verifyCredential, { apiKey: created.key }, gateway))).toBe('ok');
    });

    it('refuses bad input', async () => {
      const actor = await verified(await register());
      expect(await codeOf(call(AccessContracts.createApiKey, { name: '', scopes: ['full'] }, actor))).toBe('VALIDATION_FAILED');
      expect(await codeOf(call(AccessContracts.createApiKey, { name: 'x', scopes: ['admin'] } as never, actor))).toBe('VALIDATION_FAILED');
      expect(await codeOf(call(AccessContracts.createApiKey, { name: 'x', scopes: [] }, actor))).toBe('VALIDATION_FAILED');
      expect(await codeOf(call(AccessContracts.createApiKey, { name: 'x', scopes: ['full'], expiresInDays: 0 }, actor))).toBe('VALIDATION_FAILED');
      expect(await codeOf(call(AccessContracts.revokeApiKey, { id: 'not-a-uuid' }, actor))).toBe('VALIDATION_FAILED');
    });
  });

  describe('throttling', () => {
    it('stops guessing one account after its budget of failures, even with the right password, and says when to retry', async () => {
      const input = userInput();
      await register(input);
      for (let i = 0; i < Number(LIMITS.RATE_LIMIT_LOGIN_PER_ACCOUNT); i++) {
        expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: 'wrong-password-1' }))).toBe('UNAUTHENTICATED');
      }
      const err = await errorOf(call(IdentityContracts.login, { email: input.email, password: input.password }));
      expect(err?.code).toBe('RATE_LIMITED');
      expect(err?.details?.retryAfterSeconds).toBeGreaterThan(0);
      const audit = await query(databaseUrl, `SELECT 1 FROM identity.audit_log WHERE action = 'auth.login.throttled' AND metadata->>'by' = 'account'`);
      expect(audit.length).toBeGreaterThanOrEqual(1);
    });

    it('stops one address guessing many accounts', async () => {
      const attacker = freshClient();
      for (let i = 0; i < Number(LIMITS.RATE_LIMIT_LOGIN_PER_IP); i++) {
        expect(await codeOf(call(IdentityContracts.login, { email: `guess-${i}-${randomBytes(2).toString('hex')}@example.test`, password: 'wrong-password-1' }, attacker))).toBe('UNAUTHENTICATED');
      }
      expect(await codeOf(call(IdentityContracts.login, { email: 'another@example.test', password: 'wrong-password-1' }, attacker))).toBe('RATE_LIMITED');
      // Someone else signs in as usual.
      const input = userInput();
      await register(input);
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('ok');
    });

    it('limits registrations per address', async () => {
      const client = freshClient();
      for (let i = 0; i < Number(LIMITS.RATE_LIMIT_REGISTER_PER_IP); i++) await register(userInput(), client);
      expect(await codeOf(register(userInput(), client))).toBe('RATE_LIMITED');
    });

    it('counts an email of the longest allowed length without storing it', async () => {
      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.test`.slice(0, 254);
      expect(await codeOf(call(IdentityContracts.login, { email, password: 'wrong-password-1' }))).toBe('UNAUTHENTICATED');
      expect(await query(databaseUrl, `SELECT 1 FROM identity.rate_limits WHERE key LIKE '%' || $1 || '%'`, ['aaaaaaaa'])).toHaveLength(0);
    });

    it('a successful login clears the account\'s failures', async () => {
      const input = userInput();
      await register(input);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < Number(LIMITS.RATE_LIMIT_LOGIN_PER_ACCOUNT) - 1; i++) await codeOf(call(IdentityContracts.login, { email: input.email, password: 'wrong-password-1' }));
        expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('ok');
      }
    });
  });

  describe('password change', () => {
    it('needs the current password, ends every other session and keeps this one', async () => {
      const input = userInput();
      const first = await register(input);
      const second = await call(IdentityContracts.login, { email: input.email, password: input.password });
      const actor = await verified(first);
      const newPassword = `new-${randomBytes(8).toString('hex')}`;
      await call(IdentityContracts.changePassword, { currentPassword: input.password, newPassword, sessionId: sessionOf(first) }, actor);
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: first.user.id, sessionId: sessionOf(second) }, gateway))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(IdentityContracts.refresh, { refreshToken: second.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: first.user.id, sessionId: sessionOf(first) }, gateway))).toBe('ok');
      expect(await codeOf(call(IdentityContracts.refresh, { refreshToken: first.refreshToken }))).toBe('ok');
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: newPassword }))).toBe('ok');
      const audit = await query(databaseUrl, `SELECT 1 FROM identity.audit_log WHERE action = 'auth.password.changed' AND target_id = $1`, [first.user.id]);
      expect(audit).toHaveLength(1);
    });

    it('a wrong current password -> VALIDATION_FAILED naming currentPassword, nothing changed', async () => {
      const input = userInput();
      const session = await register(input);
      const err = await errorOf(call(IdentityContracts.changePassword, { currentPassword: 'not-the-password', newPassword: 'whatever-long-1', sessionId: sessionOf(session) }, await verified(session)));
      expect(err?.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(err?.details)).toContain('currentPassword');
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('ok');
    });

    it('a caller without a session (an API key) -> FORBIDDEN', async () => {
      const input = userInput();
      const session = await register(input);
      expect(await codeOf(call(IdentityContracts.changePassword, { currentPassword: input.password, newPassword: 'whatever-long-1' }, await verified(session)))).toBe('FORBIDDEN');
    });
  });

  describe('external identities', () => {
    it('answers NOT_FOUND when no provider is configured', async () => {
      expect(await codeOf(call(AccessContracts.oidcLogin, {}))).toBe('NOT_FOUND');
      expect(await codeOf(call(AccessContracts.oidcCallback, { code: 'x', state: 'y' }))).toBe('NOT_FOUND');
    });
  });

  describe('admin and audit', () => {
    it('creates the first superuser from the environment, once', async () => {
      const rows = await query<{ is_superuser: boolean }>(databaseUrl, 'SELECT is_superuser FROM identity.users WHERE email = $1', [ADMIN.email]);
      expect(rows).toEqual([{ is_superuser: true }]);
      expect((await call(IdentityContracts.login, ADMIN)).user.isSuperuser).toBe(true);
      const audit = await query(
        databaseUrl,
        `SELECT a.metadata FROM identity.audit_log a JOIN identity.users u ON u.id::text = a.target_id WHERE a.action = 'admin.superuser.bootstrapped' AND u.email = $1`,
        [ADMIN.email],
      );
      expect(audit).toEqual([{ metadata: { outcome: 'created' } }]);
    });

    it('promotes an account that already holds the email, with the operator\'s password, ending its sessions and keys', async () => {
      const input = userInput();
      const session = await register(input);
      const key = await call(AccessContracts.createApiKey, { name: 'pre', scopes: ['full'] }, await verified(session));
      const bootstrap = service.app.get(FirstSuperuser);
      // While a superuser exists the bootstrap does nothing.
      expect(await bootstrap.ensure(input.email, 'operator-password-1')).toBe('exists');
      expect(await bootstrap.ensure(input.email, 'operator-password-1', true)).toBe('promoted');
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, gateway))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(AccessContracts.verifyCredential, { apiKey: key.key }, gateway))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('UNAUTHENTICATED');
      expect((await call(IdentityContracts.login, { email: input.email, password: 'operator-password-1' })).user.isSuperuser).toBe(true);
    });

    it('a normal user gets FORBIDDEN on every admin subject', async () => {
      const actor = await verified(await register());
      expect(await codeOf(call(AccessContracts.listUsers, {}, actor))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccessContracts.updateUser, { id: actor.userId!, isSuperuser: true }, actor))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccessContracts.getSystemSetting, { key: 'x' }, actor))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccessContracts.putSystemSetting, { key: 'x', value: 1 }, actor))).toBe('FORBIDDEN');
      expect(await codeOf(call(AccessContracts.listAuditLog, {}, actor))).toBe('FORBIDDEN');
      // A client cannot claim the flag: the gateway takes it from the credential check.
      expect(await codeOf(call(AccessContracts.listUsers, {}, { ...actor, isSuperuser: false }))).toBe('FORBIDDEN');
    });

    it('deactivates a user (credentials refused at once), reactivates, grants superuser, and audits each change', async () => {
      const admin = await adminActor();
      const input = userInput();
      const session = await register(input);
      const updated = await call(AccessContracts.updateUser, { id: session.user.id, isActive: false }, admin);
      expect(updated).toMatchObject({ id: session.user.id, isActive: false });
      expect(await codeOf(call(AccessContracts.verifyCredential, { userId: session.user.id, sessionId: sessionOf(session) }, gateway))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('UNAUTHENTICATED');
      await call(AccessContracts.updateUser, { id: session.user.id, isActive: true, isSuperuser: true }, admin);
      const again = await call(IdentityContracts.login, { email: input.email, password: input.password });
      expect((await verified(again)).isSuperuser).toBe(true);
      const page = await call(AccessContracts.listAuditLog, { action: 'admin.user.updated', targetId: session.user.id }, admin);
      expect(page.items.map((e) => e.metadata)).toEqual([{ changes: { isActive: true, isSuperuser: true } }, { changes: { isActive: false } }]);
      expect(page.items[0]).toMatchObject({ actorId: admin.userId, ip: '198.51.100.200', userAgent: 'spec', targetType: 'user' });
    });

    it('refuses to deactivate or demote yourself, and NOT_FOUND for an unknown user', async () => {
      const admin = await adminActor();
      expect(await codeOf(call(AccessContracts.updateUser, { id: admin.userId!, isActive: false }, admin))).toBe('CONFLICT');
      expect(await codeOf(call(AccessContracts.updateUser, { id: admin.userId!, isSuperuser: false }, admin))).toBe('CONFLICT');
      expect(await codeOf(call(AccessContracts.updateUser, { id: '01a20978-2ffc-70d9-aaca-ad2e71c80e0c', isActive: false }, admin))).toBe('NOT_FOUND');
    });

    it('lists and searches users page by page', async () => {
      const admin = await adminActor();
      const tag = randomBytes(4).toString('hex');
      for (let i = 0; i < 3; i++) await register(userInput({ email: `search-${tag}-${i}@example.test` }));
      const first = await call(AccessContracts.listUsers, { q: `search-${tag}`, limit: 2 }, admin);
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toBe(first.items[1].id);
      const second = await call(AccessContracts.listUsers, { q: `search-${tag}`, limit: 2, cursor: first.nextCursor! }, admin);
      expect(second.items.map((u) => u.email)).toEqual([`search-${tag}-2@example.test`]);
      expect(second.nextCursor).toBeNull();
      expect(JSON.stringify(first)).not.toMatch(/argon2|password/i);
      // Wildcards in a search are literal.
      expect((await call(AccessContracts.listUsers, { q: '%' }, admin)).items).toEqual([]);
    });

    it('stores system settings and answers NOT_FOUND for an unknown key', async () => {
      const admin = await adminActor();
      expect(await codeOf(call(AccessContracts.getSystemSetting, { key: 'nothing.here' }, admin))).toBe('NOT_FOUND');
      await call(AccessContracts.putSystemSetting, { key: 'signups.open', value: { enabled: false } }, admin);
      const put = await call(AccessContracts.putSystemSetting, { key: 'signups.open', value: { enabled: true } }, admin);
      expect(put).toMatchObject({ key: 'signups.open', value: { enabled: true }, updatedBy: admin.userId });
      expect(await call(AccessContracts.getSystemSetting, { key: 'signups.open' }, admin)).toMatchObject({ value: { enabled: true } });
      expect(await codeOf(call(AccessContracts.putSystemSetting, { key: 'Bad Key!', value: 1 }, admin))).toBe('VALIDATION_FAILED');
    });

    it('keeps the audit log append-only, below the application', async () => {
      await expect(query(databaseUrl, `UPDATE identity.audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
      await expect(query(databaseUrl, `DELETE FROM identity.audit_log`)).rejects.toThrow(/append-only/);
    });

    it('records key creation, revocation and refresh reuse, and pages the log newest first', async () => {
      const admin = await adminActor();
      const session = await register();
      const actor = await verified(session);
      const key = await call(AccessContracts.createApiKey, { name: 'audited', scopes: ['full'] }, actor);
      await call(AccessContracts.revokeApiKey, { id: key.id }, actor);
      await call(IdentityContracts.refresh, { refreshToken: session.refreshToken });
      await codeOf(call(IdentityContracts.refresh, { refreshToken: session.refreshToken }));
      const mine = await call(AccessContracts.listAuditLog, { actorId: session.user.id }, admin);
      expect(mine.items.map((e) => e.action)).toEqual(['auth.refresh.reuse_detected', 'api_key.revoked', 'api_key.created']);
      expect(JSON.stringify(mine)).not.toContain(key.key);
      const page1 = await call(AccessContracts.listAuditLog, { actorId: session.user.id, limit: 2 }, admin);
      const page2 = await call(AccessContracts.listAuditLog, { actorId: session.user.id, limit: 2, cursor: page1.nextCursor! }, admin);
      expect([...page1.items, ...page2.items].map((e) => e.id)).toEqual(mine.items.map((e) => e.id));
      expect(page2.nextCursor).toBeNull();
      const none = await call(AccessContracts.listAuditLog, { actorId: session.user.id, from: new Date(Date.now() + 60_000).toISOString() }, admin);
      expect(none.items).toEqual([]);
    });
  });
});

import { randomBytes } from 'node:crypto';
import { AppError, IdentityContracts, type Actor, type RpcContract, type SessionReply } from '#contracts';
import { loadConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query, userInput } from '#testing';
import { identityApp } from '../src/identity.app.js';
import { identityRoleUrl } from './identity-role.js';

const anonymous: Actor = { kind: 'anonymous', ip: '203.0.113.7', userAgent: 'spec' };

/** The identity service against the real PostgreSQL, called through the bus as the gateway calls it. */
describe('identity service', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor = anonymous): Promise<Res> => runtime.client.request(contract, data, { actor });
  const register = (input = userInput()): Promise<SessionReply> => call(IdentityContracts.register, input);
  const asUser = (session: SessionReply): Actor => ({ kind: 'user', userId: session.user.id, scopes: ['full'] });
  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (err: unknown) => (err instanceof AppError ? err.code : 'not-an-app-error'));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('identity');
    const config = { ...loadConfig({}), databaseUrl: await identityRoleUrl(databaseUrl), jwtSecret: randomBytes(32).toString('hex'), outboxRelay: false };
    runtime = await Runtime.create(config, 'identity-spec');
    service = await startBusService(identityApp, runtime);
  });

  afterAll(async () => {
    await service?.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('stores the email lower-cased and only an argon2id hash of the password', async () => {
      const input = userInput({ email: `Mixed.Case-${randomBytes(3).toString('hex')}@Example.TEST` });
      const session = await register(input);
      expect(session.user.email).toBe(input.email.toLowerCase());
      const [row] = await query<{ password_hash: string }>(databaseUrl, 'SELECT password_hash FROM identity.users WHERE id = $1', [session.user.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(input.password);
    });

    it('keeps only a hash of refresh tokens, with the client address and agent of the session', async () => {
      const session = await register();
      const rows = await query<{ token_hash: Buffer; ip: string; user_agent: string }>(databaseUrl, 'SELECT token_hash, ip, user_agent FROM identity.refresh_tokens WHERE user_id = $1', [session.user.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ ip: '203.0.113.7', user_agent: 'spec' });
      expect(rows[0].token_hash.toString('hex')).not.toContain(session.refreshToken.split('.')[1]);
    });

    it('lets exactly one of two concurrent refreshes with the same token win', async () => {
      const session = await register();
      const outcomes = await Promise.all([0, 1].map(() => codeOf(call(IdentityContracts.refresh, { refreshToken: session.refreshToken }))));
      expect(outcomes.sort()).toEqual(['UNAUTHENTICATED', 'ok']);
    });

    it('writes the deletion and its event in one transaction', async () => {
      const session = await register();
      await call(IdentityContracts.deleteMe, {}, asUser(session));
      expect(await query(databaseUrl, 'SELECT 1 FROM identity.users WHERE id = $1', [session.user.id])).toHaveLength(0);
      expect(await query(databaseUrl, 'SELECT 1 FROM identity.refresh_tokens WHERE user_id = $1', [session.user.id])).toHaveLength(0);
      const events = await query<{ envelope: { data: unknown; actor: Actor } }>(databaseUrl, `SELECT envelope FROM identity.outbox WHERE envelope->'data'->>'userId' = $1`, [session.user.id]);
      expect(events).toHaveLength(1);
      expect(events[0].envelope.data).toEqual({ userId: session.user.id });
    });

    it('treats logout with an unknown token as done', async () => {
      await expect(call(IdentityContracts.logout, { refreshToken: 'not-a-token' })).resolves.toEqual({});
    });
  });

  describe('failing', () => {
    it('a deactivated account cannot sign in or refresh', async () => {
      const input = userInput();
      const session = await register(input);
      await query(databaseUrl, 'UPDATE identity.users SET is_active = false WHERE id = $1', [session.user.id]);
      expect(await codeOf(call(IdentityContracts.login, { email: input.email, password: input.password }))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(IdentityContracts.refresh, { refreshToken: session.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(await codeOf(call(IdentityContracts.getMe, {}, asUser(session)))).toBe('UNAUTHENTICATED');
    });

    it('an anonymous or service caller cannot read or delete "me"', async () => {
      expect(await codeOf(call(IdentityContracts.getMe, {}))).toBe('UNAUTHENTICATED');
      // The bus permission table grants no service this subject: refused before the handler runs.
      expect(await codeOf(call(IdentityContracts.deleteMe, {}, { kind: 'service', service: 'agent' }))).toBe('FORBIDDEN');
    });

    it('an expired refresh token is refused', async () => {
      const session = await register();
      await query(databaseUrl, `UPDATE identity.refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [session.user.id]);
      expect(await codeOf(call(IdentityContracts.refresh, { refreshToken: session.refreshToken }))).toBe('UNAUTHENTICATED');
    });

    it('a request that bypasses the gateway is validated by the service too', async () => {
      expect(await codeOf(call(IdentityContracts.register, { email: 'x@y.co', password: 'long-enough-pw', role: 'admin' } as never))).toBe('VALIDATION_FAILED');
      expect(await codeOf(call(IdentityContracts.login, { email: 42 } as never))).toBe('VALIDATION_FAILED');
    });

    it('deleting an account twice reports the second attempt as unauthenticated, with one event only', async () => {
      const session = await register();
      await call(IdentityContracts.deleteMe, {}, asUser(session));
      expect(await codeOf(call(IdentityContracts.deleteMe, {}, asUser(session)))).toBe('UNAUTHENTICATED');
      expect(await query(databaseUrl, `SELECT 1 FROM identity.outbox WHERE envelope->'data'->>'userId' = $1`, [session.user.id])).toHaveLength(1);
    });
  });
});

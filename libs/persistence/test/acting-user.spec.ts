import { randomUUID } from 'node:crypto';
import { ActingUser, createServiceDataSource, Database, derivedRoleName, enableOwnerRowSecurity, provisionServiceRoles, urlWithLogin } from '#persistence';
import { createTestDatabase } from '#testing';
import type { DataSource } from 'typeorm';

/**
 * ActingUser against the real PostgreSQL, through a service role under row-level security: a
 * pooled connection used for one user after another must never answer with the previous user's
 * rows, whatever happened on it before (a transaction rolled back, a scope changed inside one).
 */
describe('ActingUser on a service role', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  let admin: DataSource;
  let service: DataSource;
  let database: Database;

  const owners = async (): Promise<string[]> =>
    [...new Set((await database.query<{ owner_id: string }>(`SELECT "owner_id" FROM "things"."things"`)).map((r) => r.owner_id))].sort();

  beforeAll(async () => {
    const url = await createTestDatabase('actinguser');
    admin = createServiceDataSource({ url, schema: 'things', entities: [], migrations: [], poolSize: 2 });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA "things"`);
    await admin.query(`CREATE TABLE "things"."migrations" ("id" serial PRIMARY KEY)`);
    await admin.query(`CREATE TABLE "things"."things" ("id" serial PRIMARY KEY, "owner_id" uuid NOT NULL)`);
    const runner = admin.createQueryRunner();
    await enableOwnerRowSecurity(runner, 'things', 'things');
    await runner.release();
    await admin.query(`INSERT INTO "things"."things" ("owner_id") VALUES ($1), ($1), ($2)`, [alice, bob]);
    const database_ = decodeURIComponent(new URL(url).pathname.slice(1));
    const role = { schema: 'things', user: derivedRoleName(database_, 'things'), password: 'a-test-password' };
    await provisionServiceRoles(url, [role]);
    // One connection, so every step below reuses the one before it.
    service = createServiceDataSource({ url: urlWithLogin(url, role.user, role.password), schema: 'things', entities: [], migrations: [], poolSize: 1 });
    await service.initialize();
    database = new Database(service);
  });

  afterAll(async () => {
    await service?.destroy();
    await admin?.destroy();
  });

  it("shows each user only their rows on the same connection, one after another, and nothing outside a scope", async () => {
    expect(await ActingUser.run(alice, owners)).toEqual([alice]);
    expect(await ActingUser.run(bob, owners)).toEqual([bob]);
    expect(await owners()).toEqual([]);
    expect(await ActingUser.run(alice, owners)).toEqual([alice]);
    expect((await ActingUser.system('test: every owner', owners)).length).toBe(2);
    expect(await ActingUser.run(undefined, owners)).toEqual([]);
  });

  it('a transaction runs for the user whose scope opened it', async () => {
    const seen = await ActingUser.run(bob, () => database.transaction(() => owners()));
    expect(seen).toEqual([bob]);
  });

  it('after a rolled-back transaction that changed the scope inside it, the next user still sees only their rows', async () => {
    await expect(
      ActingUser.run(alice, () =>
        database.transaction(async () => {
          expect(await owners()).toEqual([alice]);
          // A step that acts for someone else inside the transaction, then the transaction fails.
          expect(await ActingUser.run(bob, owners)).toEqual([bob]);
          throw new Error('rolled back');
        }),
      ),
    ).rejects.toThrow('rolled back');
    // Whatever the rollback undid on the session, the next statements act for their own scope.
    expect(await ActingUser.run(bob, owners)).toEqual([bob]);
    expect(await ActingUser.run(alice, owners)).toEqual([alice]);
  });

  it('refuses a write for another owner, and an unfiltered update touches only the acting user\'s rows', async () => {
    await expect(ActingUser.run(alice, () => database.query(`INSERT INTO "things"."things" ("owner_id") VALUES ($1)`, [bob]))).rejects.toThrow(/row-level security/);
    const updated = await ActingUser.run(alice, () => database.query<{ id: number }>(`UPDATE "things"."things" SET "owner_id" = "owner_id" RETURNING "id"`));
    expect(updated).toHaveLength(2);
  });
});

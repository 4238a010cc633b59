import { randomUUID } from 'node:crypto';
import {
  ActingUser,
  createServiceDataSource,
  Database,
  derivedRoleName,
  disableOwnerRowSecurity,
  disableParentRowSecurity,
  enableOwnerRowSecurity,
  enableParentRowSecurity,
  provisionServiceRoles,
  urlWithLogin,
} from '#persistence';
import { createTestDatabase } from '#testing';
import type { DataSource } from 'typeorm';

/**
 * The policies the migrations put on the user-owned tables, on the real PostgreSQL through a
 * service role: a child table follows its parent row, rows readable by all are read and never
 * changed by another user, and the down migration's helpers take it all away again.
 */
describe('row security helpers', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  const [aliceBox, bobBox, sharedBox] = [randomUUID(), randomUUID(), randomUUID()];
  let admin: DataSource;
  let service: DataSource;
  let database: Database;

  const ids = async (table: string): Promise<string[]> => (await database.query<{ id: string }>(`SELECT "id" FROM "box"."${table}"`)).map((r) => r.id).sort();
  const itemBoxes = async (): Promise<string[]> => [...new Set((await database.query<{ box_id: string }>(`SELECT "box_id" FROM "box"."items"`)).map((r) => r.box_id))].sort();

  beforeAll(async () => {
    const url = await createTestDatabase('rowsecurity');
    admin = createServiceDataSource({ url, schema: 'box', entities: [], migrations: [], poolSize: 2 });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA "box"`);
    await admin.query(`CREATE TABLE "box"."migrations" ("id" serial PRIMARY KEY)`);
    await admin.query(`CREATE TABLE "box"."boxes" ("id" uuid PRIMARY KEY, "owner_id" uuid NOT NULL, "is_shared" boolean NOT NULL DEFAULT false)`);
    await admin.query(`CREATE TABLE "box"."items" ("id" serial PRIMARY KEY, "box_id" uuid NOT NULL REFERENCES "box"."boxes" ("id") ON DELETE CASCADE)`);
    const runner = admin.createQueryRunner();
    await enableOwnerRowSecurity(runner, 'box', 'boxes', 'owner_id', { readableByAll: '"is_shared"' });
    await enableParentRowSecurity(runner, 'box', 'items', 'box_id', 'boxes');
    await runner.release();
    await admin.query(`INSERT INTO "box"."boxes" ("id", "owner_id", "is_shared") VALUES ($1, $4, false), ($2, $5, false), ($3, $4, true)`, [aliceBox, bobBox, sharedBox, alice, bob]);
    await admin.query(`INSERT INTO "box"."items" ("box_id") VALUES ($1), ($1), ($2), ($3)`, [aliceBox, bobBox, sharedBox]);
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const role = { schema: 'box', user: derivedRoleName(name, 'box'), password: 'a-test-password' };
    await provisionServiceRoles(url, [role]);
    service = createServiceDataSource({ url: urlWithLogin(url, role.user, role.password), schema: 'box', entities: [], migrations: [], poolSize: 1 });
    await service.initialize();
    database = new Database(service);
  });

  afterAll(async () => {
    await service?.destroy();
    await admin?.destroy();
  });

  it("a child row is seen and written only with its parent: another user's parent hides its children and refuses new ones", async () => {
    expect(await ActingUser.run(bob, itemBoxes)).toEqual([bobBox, sharedBox].sort());
    expect(await ActingUser.run(alice, itemBoxes)).toEqual([aliceBox, sharedBox].sort());
    expect(await itemBoxes()).toEqual([sharedBox]);
    expect(await ActingUser.system('test: every box', itemBoxes)).toEqual([aliceBox, bobBox, sharedBox].sort());
    await expect(ActingUser.run(bob, () => database.query(`INSERT INTO "box"."items" ("box_id") VALUES ($1)`, [aliceBox]))).rejects.toThrow(/row-level security/);
    expect(await ActingUser.run(bob, () => database.query(`DELETE FROM "box"."items" WHERE "box_id" = $1 RETURNING "id"`, [aliceBox]))).toEqual([]);
    await ActingUser.run(bob, () => database.query(`INSERT INTO "box"."items" ("box_id") VALUES ($1)`, [bobBox]));
  });

  it('rows readable by all are read by every user and changed only by their owner', async () => {
    expect(await ActingUser.run(bob, () => ids('boxes'))).toEqual([bobBox, sharedBox].sort());
    expect(await ActingUser.run(bob, () => database.query(`UPDATE "box"."boxes" SET "is_shared" = false WHERE "id" = $1 RETURNING "id"`, [sharedBox]))).toEqual([]);
    expect(await ActingUser.run(bob, () => database.query(`DELETE FROM "box"."boxes" WHERE "id" = $1 RETURNING "id"`, [sharedBox]))).toEqual([]);
    await expect(ActingUser.run(bob, () => database.query(`INSERT INTO "box"."boxes" ("id", "owner_id", "is_shared") VALUES ($1, $2, true)`, [randomUUID(), alice]))).rejects.toThrow(/row-level security/);
    expect(await ActingUser.run(alice, () => database.query(`UPDATE "box"."boxes" SET "is_shared" = true WHERE "id" = $1 RETURNING "id"`, [sharedBox]))).toEqual([{ id: sharedBox }]);
  });

  it('the disable helpers take every policy away', async () => {
    const runner = admin.createQueryRunner();
    await disableParentRowSecurity(runner, 'box', 'items');
    await disableOwnerRowSecurity(runner, 'box', 'boxes');
    await runner.release();
    const policies = await admin.query(`SELECT policyname FROM pg_policies WHERE schemaname = 'box'`);
    expect(policies).toEqual([]);
    expect((await itemBoxes()).length).toBe(3);
  });
});

import { createServiceDataSource, Database } from '#persistence';
import { createTestDatabase } from '#testing';
import type { DataSource } from 'typeorm';

/** Database.afterCommit against the real PostgreSQL: what runs once a change is visible to others. */
describe('Database.afterCommit', () => {
  let dataSource: DataSource;
  let database: Database;
  const seen = async (): Promise<string[]> => ((await dataSource.query(`SELECT "name" FROM "public"."marks" ORDER BY "name"`)) as Array<{ name: string }>).map((r) => r.name);

  beforeAll(async () => {
    const url = await createTestDatabase('database');
    dataSource = createServiceDataSource({ url, schema: 'public', entities: [], migrations: [], poolSize: 3 });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE "public"."marks" ("name" text NOT NULL)`);
    database = new Database(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('runs once the transaction committed, when another connection sees the change', async () => {
    const observed: string[][] = [];
    let read: Promise<unknown> | undefined;
    await database.transaction(async () => {
      await database.query(`INSERT INTO "public"."marks" ("name") VALUES ('committed')`);
      database.afterCommit(() => {
        read = seen().then((names) => observed.push(names));
      });
      expect(read).toBeUndefined();
    });
    await read;
    expect(observed).toEqual([['committed']]);
  });

  it('waits for the outermost transaction when a step joined it', async () => {
    const calls: string[] = [];
    await database.transaction(async () => {
      await database.transaction(async () => {
        database.afterCommit(() => calls.push('inner'));
      });
      expect(calls).toEqual([]);
      database.afterCommit(() => calls.push('outer'));
    });
    expect(calls).toEqual(['inner', 'outer']);
  });

  it('never runs when the transaction rolls back', async () => {
    const calls: string[] = [];
    await expect(
      database.transaction(async () => {
        database.afterCommit(() => calls.push('rolled back'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await database.transaction(async () => undefined);
    expect(calls).toEqual([]);
  });

  it('runs at once outside a transaction', () => {
    const calls: string[] = [];
    database.afterCommit(() => calls.push('now'));
    expect(calls).toEqual(['now']);
  });
});

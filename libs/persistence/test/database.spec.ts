import { createServiceDataSource, Database, type Statement } from '#persistence';
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

/** Database.query's `prepare`: a hot statement parsed and planned once per connection. */
describe('Database.query with prepare', () => {
  let dataSource: DataSource;
  let database: Database;

  beforeAll(async () => {
    const url = await createTestDatabase('prepared');
    // One connection: every statement below meets the statement it prepared.
    dataSource = createServiceDataSource({ url, schema: 'public', entities: [], migrations: [], poolSize: 1 });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE "public"."items" ("id" serial PRIMARY KEY, "name" text NOT NULL)`);
    database = new Database(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const insert = (name: string) => database.query<{ id: number; name: string }>(`INSERT INTO "public"."items" ("name") VALUES ($1) RETURNING "id", "name"`, [name], { prepare: true });
  const prepared = async () =>
    ((await dataSource.query(`SELECT "statement" FROM pg_prepared_statements WHERE "statement" LIKE '%"public"."items"%'`)) as Array<{ statement: string }>).map((r) => r.statement);

  it('prepares the statement once on its connection and answers its rows every time', async () => {
    expect(await insert('a')).toEqual([{ id: 1, name: 'a' }]);
    expect(await insert('b')).toEqual([{ id: 2, name: 'b' }]);
    const statements = await prepared();
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('INSERT INTO "public"."items"');
    // Without prepare, nothing more is prepared.
    await database.query(`INSERT INTO "public"."items" ("name") VALUES ($1) RETURNING "id"`, ['c']);
    expect(await prepared()).toHaveLength(1);
  });

  it('keeps working after a migration adds a column to its table (its result columns are listed)', async () => {
    // Enough calls for PostgreSQL to have settled on a generic plan.
    for (let i = 0; i < 6; i++) await insert(`before-${i}`);
    await dataSource.query(`ALTER TABLE "public"."items" ADD COLUMN "note" text`);
    expect(await insert('after')).toEqual([{ id: expect.any(Number) as number, name: 'after' }]);
  });
});

/** Database.batch: statements that take effect together, sent at once. */
describe('Database.batch', () => {
  let dataSource: DataSource;
  let database: Database;
  const names = async (): Promise<string[]> => ((await dataSource.query(`SELECT "name" FROM "public"."notes" ORDER BY "id"`)) as Array<{ name: string }>).map((r) => r.name);
  const add = (name: string): Statement<string[]> => ({
    sql: `INSERT INTO "public"."notes" ("name") VALUES ($1) RETURNING "name"`,
    params: [name],
    prepare: true,
    read: (rows) => rows.map((r) => r.name as string),
  });
  const count: Statement<number> = { sql: `SELECT count(*)::int AS "n" FROM "public"."notes"`, params: [], read: ([row]) => row.n as number };

  beforeAll(async () => {
    const url = await createTestDatabase('batch');
    dataSource = createServiceDataSource({ url, schema: 'public', entities: [], migrations: [], poolSize: 2 });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE "public"."notes" ("id" serial PRIMARY KEY, "name" text NOT NULL CHECK ("name" <> ''))`);
    database = new Database(dataSource);
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE "public"."notes"`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it("answers each statement's rows in order, each statement seeing what those before it wrote", async () => {
    const [first, seenAfterFirst, second, seenAfterSecond] = await database.batch([add('a'), count, add('b'), count]);
    expect([first, seenAfterFirst, second, seenAfterSecond]).toEqual([['a'], 1, ['b'], 2]);
    expect(await names()).toEqual(['a', 'b']);
  });

  it('writes nothing when one statement fails, rejects with its error, and leaves the connection usable', async () => {
    await expect(database.batch([add('kept?'), add(''), add('after')])).rejects.toThrow(/notes_name_check/);
    expect(await names()).toEqual([]);
    // Both pooled connections are still good for the next statements.
    await Promise.all([database.batch([add('x')]), database.batch([add('y')])]);
    expect((await names()).sort()).toEqual(['x', 'y']);
  });

  it("joins an open transaction: its statements go with the transaction's commit or rollback", async () => {
    await expect(
      database.transaction(async () => {
        await database.batch([add('inside')]);
        expect(await database.run(count)).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await names()).toEqual([]);
    await database.transaction(async () => {
      await database.query(`INSERT INTO "public"."notes" ("name") VALUES ('before')`);
      await database.batch([add('batched')]);
    });
    expect(await names()).toEqual(['before', 'batched']);
  });
});

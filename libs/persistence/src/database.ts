import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { PREPARED_MARKER } from './acting-user.js';

/**
 * Column types whose values TypeORM's PostgreSQL driver hydrates as node-postgres answers them
 * (its prepareHydratedValue converts only Boolean/Number-typed, date and time, enum, array-like,
 * hstore, cube and vector columns).
 */
const PASS_THROUGH: ReadonlySet<string> = new Set([
  'uuid',
  'text',
  'varchar',
  'character varying',
  'char',
  'character',
  'citext',
  'smallint',
  'int2',
  'integer',
  'int',
  'int4',
  'bigint',
  'int8',
  'real',
  'float4',
  'double precision',
  'float8',
  'numeric',
  'decimal',
  'boolean',
  'bool',
  'json',
  'jsonb',
  'bytea',
  'inet',
  'tsvector',
]);

/** A statement to send with others (Database.batch), with how its rows are read. */
export interface Statement<T> {
  sql: string;
  params: readonly unknown[];
  /** As Database.query's `prepare`. */
  prepare?: boolean;
  read(rows: Array<Record<string, unknown>>): T;
}

/** What each statement of a batch answers, in order. */
type Answers<T extends readonly Statement<unknown>[]> = { [K in keyof T]: T[K] extends Statement<infer R> ? R : never };

/** node-postgres' client as a query runner holds it: what batch() sends on. */
interface PgClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

interface HydrationStep {
  column: EntityMetadata['columns'][number];
  /** Whether TypeORM's driver conversion (and the column's transformer) must run. */
  convert: boolean;
  /** A plain property of the entity (not in an embedded, not a relation's virtual column). */
  direct: boolean;
}

/**
 * One service's database, and the one way to open a transaction in it.
 *
 * A service method that owns a use case opens the transaction (`transaction(() => ...)`) and
 * calls plain repository steps inside it; the repositories never take an EntityManager, they ask
 * for `manager`, which is the open transaction's when there is one and the pool's otherwise. A
 * transaction opened inside another one joins it, so a step does not care who opened it.
 *
 * The scope is per instance: in single-process mode every service has its own Database, and a
 * call that crosses to another service over the in-process bus does not carry this service's
 * transaction with it.
 */
export class Database {
  private readonly scope = new AsyncLocalStorage<EntityManager>();
  /** What afterCommit() was given, per open transaction. */
  private readonly committed = new WeakMap<EntityManager, Array<() => void>>();
  private readonly plans = new Map<EntityMetadata, HydrationStep[]>();
  private readonly columnLists = new Map<EntityMetadata, Map<string, string>>();

  constructor(readonly dataSource: DataSource) {}

  /** The open transaction's manager, or the pool's outside one. */
  get manager(): EntityManager {
    return this.scope.getStore() ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.scope.getStore() !== undefined;
  }

  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. Joins an open one. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const open = this.scope.getStore();
    if (open) return work(open);
    return this.outermost(work);
  }

  /**
   * Runs `done` once the open transaction has committed (never if it rolls back), or at once
   * outside a transaction: for what must not happen before others can see the change (dropping a
   * cached copy, waking a worker), whichever class opened the transaction. `done` must not throw.
   */
  afterCommit(done: () => void): void {
    const open = this.scope.getStore();
    if (!open) return done();
    const pending = this.committed.get(open);
    if (pending) pending.push(done);
    else this.committed.set(open, [done]);
  }

  private async outermost<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    let used: EntityManager | undefined;
    try {
      const result = await this.dataSource.transaction((manager) => {
        used = manager;
        return this.scope.run(manager, () => work(manager));
      });
      const done = (used && this.committed.get(used)) ?? [];
      for (const callback of done) callback();
      return result;
    } finally {
      if (used) this.committed.delete(used);
    }
  }

  repository<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E> {
    return this.manager.getRepository(entity);
  }

  /**
   * Plain SQL for the statements the repository API cannot say (row locks with SKIP LOCKED,
   * fenced writes, set-based updates) or where a benchmark shows it pays. Answers the rows, also
   * for UPDATE/DELETE ... RETURNING, which TypeORM answers as [rows, count]. `prepare`: a hot
   * statement, prepared once per connection (no parse and plan per call); its result columns must
   * be listed, never `*` (see columnList).
   */
  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: { prepare?: boolean } = {}): Promise<T[]> {
    const result: unknown = await this.manager.query(options.prepare ? PREPARED_MARKER + sql : sql, params as unknown[]);
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
    return Array.isArray(result) ? (result as T[]) : [];
  }

  /** Sends one statement and reads its rows (see Statement). */
  async run<T>(statement: Statement<T>): Promise<T> {
    return statement.read(await this.query<Record<string, unknown>>(statement.sql, statement.params, { prepare: statement.prepare }));
  }

  /**
   * Sends statements that must take effect together in one round trip (the pool's connections
   * pipeline): each sees what those before it wrote, and either all commit or none does. Outside
   * a transaction they are sent between a BEGIN and a COMMIT; inside one, on its connection, and
   * the transaction's end decides. Rejects with the first statement's failure (those after it
   * then fail too, and a COMMIT after a failure rolls back).
   */
  async batch<T extends readonly Statement<unknown>[]>(statements: readonly [...T]): Promise<Answers<T>> {
    const open = this.scope.getStore();
    const runner = open?.queryRunner ?? this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PgClient;
    try {
      // Called one after the other with no await between: the connection sends them in this order.
      const begun = open ? [] : [client.query('BEGIN')];
      const texts = statements.map((s) => client.query(s.prepare ? PREPARED_MARKER + s.sql : s.sql, [...s.params]));
      const sent = open ? texts : [...begun, ...texts, client.query('COMMIT')];
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const results = (open ? settled : settled.slice(1, -1)) as Array<PromiseFulfilledResult<{ rows: Array<Record<string, unknown>> }>>;
      return statements.map((s, i) => s.read(results[i].value.rows)) as Answers<T>;
    } finally {
      if (!open) await runner.release();
    }
  }

  /**
   * Plain SQL whose rows are whole rows of one entity's table (`SELECT *`, `RETURNING *`), mapped
   * to the entity by its own column metadata, with TypeORM's own value conversions: the entity
   * stays the one description of the table, and nothing maps the row by hand. Extra columns the
   * statement computes are dropped; read them with query() instead.
   */
  async rows<E extends ObjectLiteral>(entity: EntityTarget<E>, sql: string, params: readonly unknown[] = []): Promise<E[]> {
    const raw = await this.query<Record<string, unknown>>(sql, params);
    return raw.map((row) => this.hydrate(entity, row));
  }

  /** rows(), for a statement that answers at most one row. */
  async row<E extends ObjectLiteral>(entity: EntityTarget<E>, sql: string, params: readonly unknown[] = []): Promise<E | null> {
    const [first] = await this.rows(entity, sql, params);
    return first ?? null;
  }

  /** One raw row of the entity's table as the entity, as TypeORM would hydrate it. */
  hydrate<E extends ObjectLiteral>(entity: EntityTarget<E>, row: Record<string, unknown>): E {
    const metadata = this.dataSource.getMetadata(entity);
    const driver = this.dataSource.driver;
    const instance = metadata.create() as E;
    for (const { column, convert, direct } of this.planOf(metadata)) {
      if (!(column.databaseName in row)) continue;
      const raw = row[column.databaseName];
      const value = convert ? driver.prepareHydratedValue(raw, column) : raw;
      if (direct) (instance as Record<string, unknown>)[column.propertyName] = value;
      else column.setEntityValue(instance, value);
    }
    return instance;
  }

  /**
   * How each column of an entity is hydrated, worked out once: a page of a thousand rows runs
   * this per column per row. TypeORM's conversion is skipped where it would give back what
   * node-postgres answered (PASS_THROUGH types without a transformer), and a plain property is
   * set directly rather than through TypeORM's embedded-aware setter.
   */
  private planOf(metadata: EntityMetadata): HydrationStep[] {
    let plan = this.plans.get(metadata);
    if (!plan) {
      plan = metadata.columns.map((column) => ({
        column,
        convert: column.transformer !== undefined || typeof column.type !== 'string' || !PASS_THROUGH.has(column.type),
        direct: column.embeddedMetadata === undefined && !column.isVirtual,
      }));
      this.plans.set(metadata, plan);
    }
    return plan;
  }

  /** The entity's columns as a SQL list (`"id", "owner_id", ...`, each prefixed `alias.` when given): a result that names its columns. */
  columnList<E extends ObjectLiteral>(entity: EntityTarget<E>, alias?: string): string {
    const metadata = this.dataSource.getMetadata(entity);
    let lists = this.columnLists.get(metadata);
    if (!lists) this.columnLists.set(metadata, (lists = new Map()));
    const key = alias ?? '';
    let list = lists.get(key);
    if (list === undefined) {
      list = metadata.columns.map((c) => `${alias ? `${alias}.` : ''}"${c.databaseName}"`).join(', ');
      lists.set(key, list);
    }
    return list;
  }

  /**
   * The table's name as SQL (`"schema"."table"`) and, for an INSERT of the given entity, its
   * column list and values converted as TypeORM would persist them: plain SQL that writes a whole
   * row still takes its shape from the entity.
   */
  columnsOf<E extends ObjectLiteral>(entity: EntityTarget<E>, values: Partial<E>): { table: string; columns: string[]; params: unknown[] } {
    const metadata = this.dataSource.getMetadata(entity);
    const driver = this.dataSource.driver;
    const columns: string[] = [];
    const params: unknown[] = [];
    for (const column of metadata.columns) {
      const value = column.getEntityValue(values);
      if (value === undefined) continue;
      columns.push(`"${column.databaseName}"`);
      params.push(driver.preparePersistentValue(value, column));
    }
    return { table: `"${metadata.schema}"."${metadata.tableName}"`, columns, params };
  }
}

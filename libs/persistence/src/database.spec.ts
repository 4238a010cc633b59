import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './base.entity.js';
import { Database } from './database.js';

class Counters {
  @Column('integer')
  hits: number;
}

@Entity({ name: 'samples' })
class SampleEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('boolean')
  active: boolean;

  @Column('jsonb', { nullable: true })
  data: Record<string, unknown> | null;

  @Column('bigint')
  raw: string;

  @Column('bigint', { transformer: bigintNumber })
  costMicros: number;

  @Column('timestamptz')
  createdAt: Date;

  @Column('date')
  day: string;

  @Column('text', { array: true })
  tags: string[];

  @Column(() => Counters)
  counters: Counters;
}

/** Rows as node-postgres answers them, hydrated by Database and by TypeORM's own conversion, column by column. */
describe('Database.hydrate', () => {
  let dataSource: DataSource;
  let database: Database;

  beforeAll(async () => {
    dataSource = new DataSource({ type: 'postgres', entities: [SampleEntity] });
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    database = new Database(dataSource);
  });

  const typeormHydrate = (row: Record<string, unknown>): SampleEntity => {
    const metadata = dataSource.getMetadata(SampleEntity);
    const instance = metadata.create() as SampleEntity;
    for (const column of metadata.columns) {
      if (column.databaseName in row) column.setEntityValue(instance, dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return instance;
  };

  it('gives what TypeORM gives, conversions, transformers and embedded columns included', () => {
    const rows: Array<Record<string, unknown>> = [
      {
        id: '018f0000-0000-7000-8000-000000000001',
        name: 'a',
        active: true,
        data: { k: [1, 2] },
        raw: '9007199254740993',
        costMicros: '1500',
        createdAt: new Date('2025-01-02T03:04:05.678Z'),
        day: new Date('2025-01-02T00:00:00Z'),
        tags: ['x', 'y'],
        countersHits: 3,
      },
      { id: '018f0000-0000-7000-8000-000000000002', name: 'b', active: false, data: null, raw: '0', costMicros: null, createdAt: '2025-01-02 03:04:05+00', countersHits: 0 },
    ];
    for (const row of rows) expect(database.hydrate(SampleEntity, row)).toEqual(typeormHydrate(row));
    expect(database.hydrate(SampleEntity, rows[0])).toMatchObject({ costMicros: 1500, raw: '9007199254740993', counters: { hits: 3 } });
  });

  it('sets only the columns the row has', () => {
    const partial = database.hydrate(SampleEntity, { id: '018f0000-0000-7000-8000-000000000003', costMicros: '7' });
    expect(partial).toEqual(Object.assign(dataSource.getMetadata(SampleEntity).create(), { id: '018f0000-0000-7000-8000-000000000003', costMicros: 7 }));
  });
});

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * rate-limiter-flexible's RateLimiterPostgres layout: the library reads and writes this table,
 * no code of ours does. UNLOGGED in the migration, which an entity cannot state.
 */
@Entity({ schema: 'workflow', name: 'rate_limits' })
export class RateLimitEntity {
  /** `<limit name>:<sha256 of the key>`. */
  @PrimaryColumn('varchar', { length: 255 })
  key: string;

  @Column('integer', { default: 0 })
  points: number;

  /** Epoch milliseconds when the window ends; bigint, read as a string. */
  @Column('bigint', { nullable: true })
  expire: string | null;
}

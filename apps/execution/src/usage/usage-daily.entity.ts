import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from '#persistence';

/** An owner's model calls of one UTC day, per agent and model: what the usage report sums. */
@Entity({ schema: 'execution', name: 'usage_daily' })
@Check(
  'usage_daily_counts_ck',
  `"request_count" >= 0 AND "run_count" >= 0 AND "prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0`,
)
export class UsageDailyEntity {
  @PrimaryColumn('uuid')
  ownerId: string;

  /** YYYY-MM-DD (UTC). */
  @PrimaryColumn('date')
  day: string;

  @PrimaryColumn('uuid')
  agentId: string;

  /** '' when the steps named no model. */
  @PrimaryColumn('text')
  model: string;

  @Column('integer', { default: 0 })
  requestCount: number;

  @Column('integer', { default: 0 })
  runCount: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  promptTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  completionTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  costMicros: number;

  @UpdateDateColumn({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** One entry of a run's stored stream (state changes, steps, tokens), numbered from 1 per run: what a reader replays from its last seen number. */
@Entity({ schema: 'execution', name: 'run_events' })
@Check('run_events_seq_ck', `"seq" > 0`)

export class RunEventEntity {
  @PrimaryColumn('uuid')
  @ForeignKey('runs', { name: 'run_events_run_id_fkey', onDelete: 'CASCADE' })
  runId: string;

  @PrimaryColumn('integer')
  seq: number;

  @Column('text')
  type: string;

  @Column('jsonb', { default: {} })
  data: unknown;

  @CreateDateColumn({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

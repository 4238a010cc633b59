import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** One entry of a run's stored stream (state changes, steps, tokens), numbered from 1 per run: what a reader replays from its last seen number. */
@Entity({ schema: 'execution', name: 'run_events' })
@Check('run_events_seq_ck', `"seq" > 0`)
@ForeignKey('runs', ['runId', 'ownerId'], ['id', 'ownerId'], { name: 'run_events_parent_owner_fk' })

export class RunEventEntity {
  @PrimaryColumn('uuid')
  @ForeignKey('runs', { name: 'run_events_run_id_fkey', onDelete: 'CASCADE' })
  runId: string;

  @PrimaryColumn('integer')
  seq: number;

  /**
   * The run's owner, for row-level security (enableCarriedOwnerRowSecurity): filled by the database
   * on insert when not given, and bound to the run's by the foreign key above.
   */
  @Column('uuid')
  ownerId?: string;

  @Column('text')
  type: string;

  @Column('jsonb', { default: {} })
  data: unknown;

  @CreateDateColumn({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

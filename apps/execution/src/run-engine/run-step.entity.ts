import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import type { RunErrorInfo, StepType } from '#contracts';
import { BaseEntity, bigintNumber } from '#persistence';
import type { RunUsage } from './run.entity.js';

export type StepStatus = 'running' | 'completed' | 'failed' | 'abandoned';

/** A step's usage: its tokens fit an integer, its cost is micro-dollars. */
export class StepUsageColumns implements RunUsage {
  @Column('integer', { default: 0 })
  promptTokens: number;

  @Column('integer', { default: 0 })
  completionTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  costMicros: number;
}

/** One model call, tool call or answer of a run, written when it starts and when it ends: the journal a later attempt resumes from. */
@Entity({ schema: 'execution', name: 'run_steps' })
@Unique('run_steps_run_id_seq_uq', ['runId', 'seq'])
@Check('run_steps_type_ck', `"step_type" IN ('llm_call', 'tool', 'decision', 'retrieval', 'human_input')`)
@Check('run_steps_status_ck', `"status" IN ('running', 'completed', 'failed', 'abandoned')`)
@Check('run_steps_tokens_ck', `"prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0`)
// A step the executor names once is done once: a resumed attempt finds it instead of repeating it.
@Index('run_steps_run_id_step_key_uq', ['runId', 'key'], { unique: true, where: `"status" = 'completed'` })
export class RunStepEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('runs', { name: 'run_steps_run_id_fkey', onDelete: 'CASCADE' })
  runId: string;

  @Column('integer')
  seq: number;

  /** The executor's stable name for the step, so a resumed attempt can find it. */
  @Column('text', { name: 'step_key' })
  key: string;

  @Column('text', { name: 'step_name' })
  name: string;

  @Column('text', { name: 'step_type' })
  type: StepType;

  /** The model a model call used (for usage per model). */
  @Column('text', { nullable: true })
  model: string | null;

  @Column('text', { default: 'running' })
  status: StepStatus;

  @Column('jsonb', { nullable: true })
  input: unknown;

  @Column('jsonb', { nullable: true })
  output: unknown;

  @Column('jsonb', { nullable: true })
  error: RunErrorInfo | null;

  @Column(() => StepUsageColumns, { prefix: false })
  usage: StepUsageColumns;

  /** The attempt that wrote the step. */
  @Column('integer')
  attempt: number;

  @Column('timestamptz', { default: () => 'now()' })
  startedAt: Date;

  @Column('timestamptz', { nullable: true })
  completedAt: Date | null;
}

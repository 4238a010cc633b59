import { IsIn, IsObject, IsOptional, IsUUID } from 'class-validator';
import { event } from '../contract.js';

export const RUN_STATUSES = ['pending', 'running', 'requires_action', 'completed', 'failed', 'cancelled', 'expired'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** States a run never leaves. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'expired'];
/** States in which a run does nothing until someone acts: ended, or waiting for the caller (requires_action). */
export const SETTLED_RUN_STATUSES: readonly RunStatus[] = [...FINAL_RUN_STATUSES, 'requires_action'];

export function isSettledRunStatus(status: RunStatus): boolean {
  return SETTLED_RUN_STATUSES.includes(status);
}

export const RUN_KINDS = ['agent', 'workflow'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const STEP_TYPES = ['llm_call', 'tool', 'decision', 'retrieval', 'human_input'] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Why a run failed, as stored on the run and its steps. */
export interface RunErrorInfo {
  code: string;
  message: string;
  /** For LIMIT_EXCEEDED: maxSteps, maxTokens, budget or timeout. */
  limit?: string;
}

export class RunFinishedEvent {
  @IsUUID()
  runId: string;

  @IsUUID()
  ownerId: string;

  @IsIn(FINAL_RUN_STATUSES)
  status: RunStatus;

  @IsOptional()
  @IsUUID()
  agentId?: string;

  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @IsOptional()
  @IsUUID()
  conversationId?: string;

  @IsOptional()
  @IsObject()
  error?: RunErrorInfo;
}

export const RunCompleted = event('events.execution.run.completed', RunFinishedEvent);
/** Also carries expired runs (status `expired`): for a listener both mean "ended without an answer". */
export const RunFailed = event('events.execution.run.failed', RunFinishedEvent);
export const RunCancelled = event('events.execution.run.cancelled', RunFinishedEvent);

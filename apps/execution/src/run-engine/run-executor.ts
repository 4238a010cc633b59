import type { RunErrorInfo, StepType } from '#contracts';
import type { RunStepEntity } from './run-step.entity.js';
import type { RunEntity, RunUsage } from './run.entity.js';

export interface StepStart {
  key: string;
  name: string;
  type: StepType;
  input?: unknown;
  model?: string;
}

export interface StepFinish {
  output?: unknown;
  usage?: Partial<RunUsage>;
  /** A step that completed with a known problem (e.g. TOOL_OUTCOME_UNKNOWN): it is done and is not redone. */
  error?: RunErrorInfo;
  /** An event of the step not stored yet (a model call's last tokens): stored by the step's end, just before its own event. */
  pending?: { type: string; data: unknown };
}

/**
 * What an executor writes through. Every write is fenced by the worker's attempt and lease: once
 * another worker owns the run (or the run was cancelled or expired) a write changes nothing and
 * throws LeaseLostError, which the executor should let propagate.
 */
export interface StepJournal {
  /** A completed step of this run (any attempt) by its key, or undefined. */
  completed(key: string): RunStepEntity | undefined;
  /** True when an earlier attempt started this step and never finished it (it was abandoned): whether it took effect is unknown. */
  startedBefore(key: string): boolean;
  startStep(step: StepStart): Promise<RunStepEntity>;
  finishStep(step: RunStepEntity, finish: StepFinish): Promise<RunStepEntity>;
  failStep(step: RunStepEntity, error: RunErrorInfo): Promise<void>;
  /**
   * The step's earlier output when it completed before (in this attempt or an earlier one),
   * otherwise starts it, runs `work` and records what it returns. The idiom for "never repeat a
   * completed model or tool call". The work runs once its start is stored, so an attempt that no
   * longer holds the run learns it there and spends nothing (a model call sent while the start
   * was written, with no other check, cost two paid calls for one run under load in the scale-out
   * e2e). The one exception is a model call (`llm_call`) while the attempt's lease was taken or
   * renewed less than half a lease ago: no other worker can hold the run then, so the call goes out
   * while its start is written, and `startFailed` aborts when that write fails (a cancel is heard
   * as before, by the run's signal). What the step returns is recorded by the end of the event
   * loop's turn it returned in, or with the run's end if the attempt ends the run in that turn
   * (one round trip for both).
   */
  step<T>(step: StepStart, work: (startFailed: AbortSignal) => Promise<{ output: T } & Omit<StepFinish, 'output'>>): Promise<T>;
  /** Appends an event to the run's stored stream; returns its sequence number. */
  append(type: string, data?: unknown): Promise<number>;
  /** The answer so far, kept (marked partial) if the run is cancelled, expires or fails. */
  reportPartial(output: unknown): void;
}

export type ExecutorResult =
  | { status: 'completed'; output: unknown; usage?: RunUsage }
  | { status: 'requires_action'; action: unknown; usage?: RunUsage };

export interface RunContext {
  run: RunEntity;
  /** Steps completed by earlier attempts (and, as it goes, this one), in order: the journal to resume from. */
  completedSteps: readonly RunStepEntity[];
  journal: StepJournal;
  /** Aborted when the run is cancelled, expires, or its lease is lost; `signal.reason` says which. */
  signal: AbortSignal;
}

/** Runs one kind of run (agents, workflows), registered with the engine. */
export interface RunExecutor {
  execute(context: RunContext): Promise<ExecutorResult>;
}

/** Why an attempt stops; 'unwritten': the run was started before its row was written, and the row never was (refused, or the insert failed). */
export type AbortReason = 'cancelled' | 'timeout' | 'lease-lost' | 'shutdown' | 'unwritten';

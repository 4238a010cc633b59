import type { RunErrorInfo, RunKind, RunStatus, StepType } from '#contracts';

/** Bounds a run carries from its agent's configuration (capped by the operator). */
export interface RunLimits {
  maxSteps?: number;
  maxTokens?: number;
  /** Wall-clock limit from the first claim; the operator's cap applies. */
  timeoutMs?: number;
  budgetMicros?: number;
}

export type RunTarget = { kind: 'agent'; agentId: string; agentVersion: number } | { kind: 'workflow'; workflowId: string; workflowVersion: number };

export interface EnqueueRunRequest {
  ownerId: string;
  target: RunTarget;
  input: unknown;
  conversationId?: string;
  sessionId?: string;
  limits?: RunLimits;
  /** The same key from the same owner returns the run it first created. */
  idempotencyKey?: string;
  traceId?: string;
  /** Nobody waits on the answer: its end is announced as a notification. */
  background?: boolean;
  /** The worker that holds, in memory only, a key sent with the request: only it may run the run. */
  keyHolder?: string;
  /** What the target resolved to when queued (an agent's pinned version), so workers need not ask again. */
  targetSnapshot?: unknown;
}

export interface RunUsage {
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export interface Run {
  id: string;
  ownerId: string;
  kind: RunKind;
  agentId: string | null;
  agentVersion: number | null;
  workflowId: string | null;
  workflowVersion: number | null;
  conversationId: string | null;
  sessionId: string | null;
  status: RunStatus;
  input: unknown;
  output: unknown;
  /** True when the run ended (cancelled, expired, failed) before its answer was whole. */
  outputPartial: boolean;
  requiredAction: unknown;
  error: RunErrorInfo | null;
  lastError: RunErrorInfo | null;
  traceId: string | null;
  usage: RunUsage;
  limits: RunLimits;
  timeoutMs: number;
  idempotencyKey: string | null;
  background: boolean;
  keyHolder: string | null;
  /** The pinned agent version as resolved when the run was queued (null for runs queued before it was kept). */
  agentSnapshot: unknown;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  attempt: number;
  failureCount: number;
  cancelRequestedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type StepStatus = 'running' | 'completed' | 'failed' | 'abandoned';

export interface RunStep {
  id: string;
  runId: string;
  seq: number;
  /** The executor's stable name for the step, so a resumed attempt can find it. */
  key: string;
  name: string;
  type: StepType;
  /** The model a model call used (for usage per model). */
  model: string | null;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: RunErrorInfo | null;
  usage: RunUsage;
  /** The attempt that wrote the step. */
  attempt: number;
  startedAt: Date;
  completedAt: Date | null;
}

export interface RunEvent {
  runId: string;
  seq: number;
  type: string;
  data: unknown;
  createdAt: Date;
}

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
}

/**
 * What an executor writes through. Every write is fenced by the worker's attempt and lease: once
 * another worker owns the run (or the run was cancelled or expired) a write changes nothing and
 * throws LeaseLostError, which the executor should let propagate.
 */
export interface StepJournal {
  /** A completed step of this run (any attempt) by its key, or undefined. */
  completed(key: string): RunStep | undefined;
  startStep(step: StepStart): Promise<RunStep>;
  finishStep(step: RunStep, finish: StepFinish): Promise<RunStep>;
  failStep(step: RunStep, error: RunErrorInfo): Promise<void>;
  /**
   * The step's earlier output when it completed before (in this attempt or an earlier one),
   * otherwise starts it, runs `work` and records what it returns. The idiom for "never repeat a
   * completed model or tool call".
   */
  step<T>(step: StepStart, work: () => Promise<{ output: T; usage?: Partial<RunUsage> }>): Promise<T>;
  /** Appends an event to the run's stored stream; returns its sequence number. */
  append(type: string, data?: unknown): Promise<number>;
  /** The answer so far, kept (marked partial) if the run is cancelled, expires or fails. */
  reportPartial(output: unknown): void;
}

export type ExecutorResult =
  | { status: 'completed'; output: unknown; usage?: RunUsage }
  | { status: 'requires_action'; action: unknown; usage?: RunUsage };

export interface RunContext {
  run: Run;
  /** Steps completed by earlier attempts (and, as it goes, this one), in order: the journal to resume from. */
  completedSteps: readonly RunStep[];
  journal: StepJournal;
  /** Aborted when the run is cancelled, expires, or its lease is lost; `signal.reason` says which. */
  signal: AbortSignal;
}

/** Runs one kind of run (agents, workflows). Registered with the ExecutorRegistry. */
export interface RunExecutor {
  execute(context: RunContext): Promise<ExecutorResult>;
}

export type AbortReason = 'cancelled' | 'timeout' | 'lease-lost' | 'shutdown';

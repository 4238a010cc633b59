import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DayRangeQuery } from '../common/day-range.js';
import { MAX_INT32 } from '../common/int32.js';
import { RunLimits } from '../agent/agents.contracts.js';
import { PageQuery } from '../common/page-query.js';
import { rpc } from '../contract.js';
import { RUN_STATUSES, type RunErrorInfo, type RunStatus, STEP_TYPES, type StepType } from './runs.events.js';

/** What a second message does while a run of the same conversation is still active. */
export const ACTIVE_RUN_POLICIES = ['reject', 'enqueue', 'interrupt'] as const;
export type ActiveRunPolicy = (typeof ACTIVE_RUN_POLICIES)[number];

/** Longest user input a run takes, in characters (the conversation service caps messages the same way). */
export const MAX_RUN_INPUT_CHARS = 100_000;

/** A tool the caller executes itself: the run pauses in requires_action until its result comes back. */
export class ClientToolDefinition {
  @ApiProperty({ example: 'lookup_order', description: 'Letters, digits, "_" and "-" (at most 64), as model providers require' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'name must be 1-64 letters, digits, "_" or "-"' })
  name: string;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  description: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON Schema of the arguments (an object schema)' })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;
}

/** Options every way of starting a run shares. */
export class RunOptionsBody {
  @ApiPropertyOptional({ type: [ClientToolDefinition], maxItems: 64, description: 'Client-side tools: their calls pause the run until POST /runs/:id/resume' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => ClientToolDefinition)
  tools?: ClientToolDefinition[];

  @ApiPropertyOptional({ type: RunLimits, description: "Bounds for this run: the agent's own limits and the operator's caps still apply (the smallest wins)" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RunLimits)
  limits?: RunLimits;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Session variables; {{name}} in the system prompt is replaced by its value' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'A provider API key for this run only: used in memory by the worker that received the request, never stored or logged',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  apiKey?: string;

  @ApiPropertyOptional({ enum: ACTIVE_RUN_POLICIES, default: 'reject', description: 'When the conversation already has an active run: 409, queue behind it, or cancel it' })
  @IsOptional()
  @IsIn(ACTIVE_RUN_POLICIES)
  onActiveRun?: ActiveRunPolicy;
  @ApiPropertyOptional({ maxLength: 2000, example: 'https://example.com/hooks/runs', description: 'Called (POST, signed with your webhook secret, retried with backoff) when the run ends' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  webhookUrl?: string;
}

export class StartAgentRunBody extends RunOptionsBody {
  @ApiProperty({ maxLength: MAX_RUN_INPUT_CHARS, description: 'The user message' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  input: string;

  @ApiPropertyOptional({ minimum: 1, description: 'The agent version to run; the current one when omitted' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Run inside this conversation of the agent: the history is read from it and the answer written to it' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;
}

export class ConversationMessageRunBody extends RunOptionsBody {
  @ApiProperty({ maxLength: MAX_RUN_INPUT_CHARS })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  content: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'The message this one answers; the current leaf when omitted; null starts a new first message (a new branch from the top, as editing the first message does)' })
  @IsOptional()
  @IsUUID()
  parentId?: string | null;
}

/** The workflow of POST /workflows/:id/runs. */
export class WorkflowRunParams {
  @IsUUID()
  id: string;
}

export class StartWorkflowRunBody {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The workflow's declared inputs by name (defaults fill the ones left out)" })
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, description: 'The workflow version to run; the current one when omitted' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;

  @ApiPropertyOptional({ type: RunLimits, description: "Bounds for the whole run, across its nodes; the operator's caps still apply (the smallest wins)" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RunLimits)
  limits?: RunLimits;

  @ApiPropertyOptional({ maxLength: 2000, example: 'https://example.com/hooks/runs', description: 'Called (POST, signed with your webhook secret, retried with backoff) when the run ends' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  webhookUrl?: string;
}

/** The bus request behind POST /workflows/:id/runs (and a message to a workflow's conversation). */
export class StartWorkflowRunRequest extends StartWorkflowRunBody {
  @IsUUID()
  workflowId: string;

  @IsOptional()
  @IsBoolean()
  background?: boolean;

  /** The wait mode: the reply waits up to this long for the run to settle (one request where a start and a wait would be two). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20_000)
  waitMs?: number;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  idempotencyKey?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  traceId?: string;
}

/** How the HTTP caller waits; the gateway reads it, the execution service records it (background runs notify on completion). */
export class RunModeQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Answer with Server-Sent Events as the run goes' })
  @IsOptional()
  @IsIn(['true', 'false'])
  stream?: 'true' | 'false';

  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Answer 202 with the run at once' })
  @IsOptional()
  @IsIn(['true', 'false'])
  background?: 'true' | 'false';
}

/** Roles of the messages a caller may hand a standalone run as its history. */
export const RUN_HISTORY_ROLES = ['user', 'assistant', 'tool'] as const;
export type RunHistoryRole = (typeof RUN_HISTORY_ROLES)[number];

/** Longest history a standalone run takes, in messages. */
export const MAX_RUN_HISTORY = 500;

export class RunHistoryToolCall {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  id: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'name must be 1-64 letters, digits, "_" or "-"' })
  name: string;

  @IsString()
  @MaxLength(200_000)
  arguments: string;
}

/** One earlier message of a standalone run's conversation, as the caller holds it (the OpenAI-compatible face's `messages`). */
export class RunHistoryMessage {
  @IsIn(RUN_HISTORY_ROLES)
  role: RunHistoryRole;

  @IsString()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  content: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => RunHistoryToolCall)
  toolCalls?: RunHistoryToolCall[];

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  toolCallId?: string;
}

/** Model settings a caller may ask of one run; the agent's own maxTokens still caps maxTokens. */
export class RunModelSettings {
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200_000)
  maxTokens?: number;
}

/** The bus request behind both HTTP routes: an agent run, or (with conversationId and no agentId) a message that runs its conversation's agent. */
export class StartRunRequest extends RunOptionsBody {
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;

  @IsOptional()
  @IsUUID()
  conversationId?: string;

  /** null: a new first message of the conversation. */
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  input: string;

  @IsOptional()
  @IsBoolean()
  background?: boolean;

  /** The wait mode: the reply waits up to this long for the run to settle (one request where a start and a wait would be two). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20_000)
  waitMs?: number;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  idempotencyKey?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  traceId?: string;

  /** Earlier messages of a run outside any conversation (the caller keeps the conversation); not with conversationId. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_RUN_HISTORY)
  @ValidateNested({ each: true })
  @Type(() => RunHistoryMessage)
  history?: RunHistoryMessage[];

  /** The caller's own instructions, read by the model after the agent's system prompt. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  instructions?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => RunModelSettings)
  modelSettings?: RunModelSettings;

  /** Who the caller serves (OpenAI's `user`): kept with the run's input, for the caller's own tracing. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  endUser?: string;
}

export class RunUsageView {
  @ApiProperty() promptTokens: number;
  @ApiProperty() completionTokens: number;
  @ApiProperty() totalTokens: number;
  @ApiProperty({ description: 'Micro-dollars (1e-6 USD)' }) costMicros: number;
}

export class RunErrorView implements RunErrorInfo {
  @ApiProperty({ example: 'LIMIT_EXCEEDED' }) code: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ example: 'maxSteps', description: 'For LIMIT_EXCEEDED: which limit' }) limit?: string;
}

export class RunView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: RunStatus;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agentId: string | null;
  @ApiProperty({ nullable: true, type: Number }) agentVersion: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'For workflow runs' }) workflowId: string | null;
  @ApiProperty({ nullable: true, type: Number }) workflowVersion: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) conversationId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) sessionId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the run was asked (the user message, client tools)' }) input: unknown;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: '{ content, messageId?, userMessageId? } for agent runs (the message ids in a conversation)' }) output: unknown;
  @ApiProperty({ description: 'True when the run ended before its answer was whole (cancelled, failed, expired): output holds what was said so far' })
  outputPartial: boolean;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'For requires_action: { type: "client_tool_calls", toolCalls }' })
  requiredAction: unknown;
  @ApiProperty({ nullable: true, type: RunErrorView }) error: RunErrorView | null;
  @ApiProperty({ type: RunUsageView }) usage: RunUsageView;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The bounds in force: maxSteps, maxTokens, timeoutMs, budgetMicros' }) limits: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) traceId: string | null;
  @ApiProperty({ description: 'Attempts so far (a worker that died leaves its attempt to the next)' }) attempt: number;
  @ApiProperty() background: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
}

export class RunPage {
  @ApiProperty({ type: [RunView] }) items: RunView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ListRunsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "A workflow's runs" })
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;
}

export class RunIdRequest {
  @IsUUID()
  id: string;
}

export class StepView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() seq: number;
  @ApiProperty({ example: 'llm:1' }) key: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STEP_TYPES }) type: StepType;
  @ApiProperty({ enum: ['running', 'completed', 'failed', 'abandoned'] }) status: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) input: unknown;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) output: unknown;
  @ApiProperty({ nullable: true, type: RunErrorView }) error: RunErrorView | null;
  @ApiProperty({ type: RunUsageView }) usage: RunUsageView;
  @ApiProperty() attempt: number;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs: number | null;
}

export class StepList {
  @ApiProperty({ type: [StepView] }) items: StepView[];
}

export class RunEventView {
  @ApiProperty({ description: 'Sequence number within the run, from 1: the SSE id' }) seq: number;
  @ApiProperty({ example: 'token', description: 'run.queued, run.started, step.started, token, step.completed, step.failed, run.completed, ...' }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: unknown;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** Events after `afterSeq`; with waitMs, waits up to that long for the first one (long poll). */
export class ReadRunEventsRequest extends RunIdRequest {
  /** Any position past the end answers nothing yet; beyond safe integers it is not a position. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterSeq: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20_000)
  waitMs?: number;
}

export class RunEventBatch {
  @ApiProperty({ type: [RunEventView] }) items: RunEventView[];
  @ApiProperty({ enum: RUN_STATUSES }) status: RunStatus;
  @ApiProperty({ description: 'Nothing more will come: the run ended, or waits for the caller (requires_action) until resumed; items hold that last event' })
  ended: boolean;
}

/** Waits up to waitMs for the run to end or to need action; answers the run as it is then. */
export class WaitRunRequest extends RunIdRequest {
  @IsInt()
  @Min(0)
  @Max(20_000)
  waitMs: number;
}

export class ToolOutputInput {
  @ApiProperty({ description: 'The id of the tool call being answered' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  toolCallId: string;

  @ApiProperty({ maxLength: 200_000, description: 'The result the model will read' })
  @IsString()
  @MaxLength(200_000)
  output: string;
}

export class ToolApprovalInput {
  @ApiProperty({ description: 'The id of the tool call being approved or denied' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  toolCallId: string;

  @ApiProperty({ description: 'true runs the call; false does not, and the model reads the denial as the tool answer' })
  @IsBoolean()
  approved: boolean;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why, for a denial: the model reads it' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

/**
 * The answer to a run in requires_action, by what it waits for (`requiredAction.type`):
 * `client_tool_calls` takes `toolOutputs`, `tool_approval` takes `approvals`, `human_input` takes
 * `input` (checked against the form's schema). Exactly one of them.
 */
export class ResumeRunBody {
  @ApiPropertyOptional({ type: [ToolOutputInput], description: 'client_tool_calls: one result for every tool call of the required action' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => ToolOutputInput)
  toolOutputs?: ToolOutputInput[];

  @ApiPropertyOptional({ type: [ToolApprovalInput], description: 'tool_approval: a decision for every tool call of the required action' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => ToolApprovalInput)
  approvals?: ToolApprovalInput[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "human_input: the person's answer to the form" })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;
}

export class ResumeRunRequest extends ResumeRunBody {
  @IsUUID()
  id: string;
}

export const SESSION_STATUSES = ['running', 'paused', 'completed', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export class SessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) conversationId: string | null;
  @ApiProperty({ enum: SESSION_STATUSES }) status: SessionStatus;
  @ApiProperty({ type: 'object', additionalProperties: true }) context: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) variables: Record<string, string>;
  @ApiProperty() messagesCount: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Tool name -> calls' }) toolsUsed: Record<string, number>;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'The latest errors of its runs, newest last (at most 50)' })
  errorLogs: Array<{ runId: string; code: string; message: string; at: string }>;
  @ApiProperty() runCount: number;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time' }) lastActiveAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
}

export class SessionIdRequest {
  @IsUUID()
  id: string;
}

export const USAGE_GROUPS = ['day', 'agent', 'model'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export class UsageQuery extends DayRangeQuery {
  @ApiPropertyOptional({ enum: USAGE_GROUPS, default: 'day' })
  @IsOptional()
  @IsIn(USAGE_GROUPS)
  groupBy?: UsageGroup;
}

export class UsageRow {
  @ApiProperty({ description: 'The day (YYYY-MM-DD), agent id or model, per groupBy' }) key: string;
  @ApiProperty({ description: 'Model calls' }) requests: number;
  @ApiProperty() runs: number;
  @ApiProperty() promptTokens: number;
  @ApiProperty() completionTokens: number;
  @ApiProperty() totalTokens: number;
  @ApiProperty({ description: 'Micro-dollars (1e-6 USD)' }) costMicros: number;
}

export class UsageReport {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: USAGE_GROUPS }) groupBy: UsageGroup;
  @ApiProperty({ type: [UsageRow] }) items: UsageRow[];
  @ApiProperty({ type: UsageRow, description: 'Totals over the whole range (key "total")' }) total: UsageRow;
}

/** What started a run on its owner's behalf when no request of the owner did. */
export const RUN_TRIGGER_KINDS = ['schedule', 'webhook', 'public_link'] as const;
export type RunTriggerKind = (typeof RUN_TRIGGER_KINDS)[number];

export class RunTrigger {
  @ApiProperty({ enum: RUN_TRIGGER_KINDS })
  @IsIn(RUN_TRIGGER_KINDS)
  kind: RunTriggerKind;

  @ApiProperty({ format: 'uuid', description: 'The schedule, webhook trigger or public link' })
  @IsUUID()
  id: string;
}

/**
 * For the workflow service only (schedules, inbound webhooks, public links): starts a run billed to
 * its owner, always in the background. Exactly one of agentId (an automation agent) and workflowId.
 * The idempotency key is required: a tick or a delivery that is retried must not run twice.
 */
export class StartRunForOwnerRequest {
  @IsUUID()
  ownerId: string;

  @IsOptional()
  @IsUUID()
  agentId?: string;

  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;

  /** An agent run's user message. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  input?: string;

  /** A workflow run's inputs, checked against the workflow's declared inputs. */
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;

  @ValidateNested()
  @Type(() => RunTrigger)
  trigger: RunTrigger;

  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  idempotencyKey: string;
  @ApiPropertyOptional({ maxLength: 2000, example: 'https://example.com/hooks/runs', description: 'Called (POST, signed with your webhook secret, retried with backoff) when the run ends' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  webhookUrl?: string;
}

/** For the workflow service only: a run of an owner it started (public links, webhooks), waiting up to waitMs for it to settle. */
export class GetRunForOwnerRequest {
  @IsUUID()
  ownerId: string;

  @IsUUID()
  id: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20_000)
  waitMs?: number;
}

export const RunContracts = {
  start: rpc('execution.runs.start', StartRunRequest, RunView),
  startWorkflow: rpc('execution.runs.start-workflow', StartWorkflowRunRequest, RunView),
  get: rpc('execution.runs.get', RunIdRequest, RunView),
  list: rpc('execution.runs.list', ListRunsQuery, RunPage),
  steps: rpc('execution.runs.steps', RunIdRequest, StepList),
  events: rpc('execution.runs.events', ReadRunEventsRequest, RunEventBatch),
  wait: rpc('execution.runs.wait', WaitRunRequest, RunView),
  cancel: rpc('execution.runs.cancel', RunIdRequest, RunView),
  resume: rpc('execution.runs.resume', ResumeRunRequest, RunView),
  startForOwner: rpc('execution.runs.start-for-owner', StartRunForOwnerRequest, RunView),
  getForOwner: rpc('execution.runs.get-for-owner', GetRunForOwnerRequest, RunView),
} as const;

export const SessionContracts = {
  get: rpc('execution.sessions.get', SessionIdRequest, SessionView),
} as const;

export const UsageContracts = {
  get: rpc('execution.usage.get', UsageQuery, UsageReport),
} as const;

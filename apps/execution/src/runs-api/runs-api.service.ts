import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import {
  type Actor,
  type RunLimits as AgentRunLimits,
  AppError,
  ConfigCacheContracts,
  ConversationContracts,
  type ConversationView,
  ErrorCode,
  FINAL_RUN_STATUSES,
  isSettledRunStatus,
  SETTLED_RUN_STATUSES,
  type ListRunsQuery,
  type ReadRunEventsRequest,
  type ResolvedAgent,
  type ResumeRunRequest,
  type RunEventBatch,
  type RunPage,
  type RunStatus,
  type RunView,
  requireUserId,
  type StartRunRequest,
  type StepList,
  type WaitRunRequest,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { RequestContext } from '#observability';
import { decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import type { EntityManager } from 'typeorm';
import { type AgentRunInput, type ClientToolCallsAction, toolStepKey } from '../agent-runs/agent-run.types.js';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { EphemeralKeys } from '../runs/ephemeral-keys.js';
import { RunEventsHub } from '../runs/run-events-hub.js';
import { type CancelOutcome, RunQueue } from '../runs/run-queue.js';
import { RunWorker } from '../runs/run-worker.js';
import { RunsErrors } from '../runs/runs.errors.js';
import { RunsRepository } from '../runs/runs.repository.js';
import type { Run, RunLimits } from '../runs/run.types.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { toRunEventView, toRunView, toStepView } from './run.mapper.js';

const DEFAULT_PAGE = 20;
/** RunEventsHub.read answers at most this many events (its page): a shorter batch of an ended run holds its last event. */
const EVENTS_PAGE = 1000;
/** The events after which a run writes nothing until it is resumed (or ever): a stream of it ends there. */
const SETTLING_EVENT_TYPES = new Set(SETTLED_RUN_STATUSES.map((s) => `run.${s}`));

const isFinal = (status: RunStatus) => FINAL_RUN_STATUSES.includes(status);
/** How long a cancel waits for the worker to end a running run (it takes milliseconds; the heartbeat is the fallback). */
const CANCEL_WAIT_MS = 3000;

function invalidField(field: string, problem: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `${field} is invalid`, { errors: [{ field, problems: [problem] }] });
}

/** The smallest of the bounds that are set; undefined when none is. */
function smallest(...values: Array<number | undefined>): number | undefined {
  const set = values.filter((v): v is number => v !== undefined);
  return set.length === 0 ? undefined : Math.min(...set);
}

/** The gateway's run routes over the queue: who may start what, with which bounds, and reading runs back. */
@Injectable()
export class RunsApiService {
  constructor(
    private readonly queue: RunQueue,
    private readonly runs: RunsRepository,
    private readonly hub: RunEventsHub,
    private readonly worker: RunWorker,
    private readonly keys: EphemeralKeys,
    private readonly sessions: SessionsRepository,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  async start(actor: Actor, request: StartRunRequest): Promise<RunView> {
    const ownerId = requireUserId(actor);
    if (request.parentId !== undefined && request.conversationId === undefined) throw invalidField('parentId', 'parentId needs a conversationId');
    const { agent, conversation } = await this.resolveTarget(actor, request);
    const conversationId = conversation?.id;
    const limits = this.limitsFor(request.limits, agent.snapshot.configuration?.limits);
    const variables = request.variables ?? {};
    // A conversation keeps one session across its runs; a standalone run gets its own, written with it.
    const session = conversationId ? await this.sessions.findOrCreateForConversation(ownerId, agent.agentId, conversationId) : null;
    const sessionId = session?.id ?? newId();
    const input: AgentRunInput = {
      message: request.input,
      ...(request.parentId !== undefined ? { parentId: request.parentId } : {}),
      ...(request.tools !== undefined ? { clientTools: request.tools.map((t) => ({ ...t })) } : {}),
      ...(request.variables !== undefined ? { variables } : {}),
      // The key itself never goes into the row: only that one was sent.
      providerKeySent: request.apiKey !== undefined,
    };
    const policy = request.onActiveRun ?? 'reject';
    let interrupted: CancelOutcome[] = [];

    const guard = async (manager: EntityManager): Promise<void> => {
      interrupted = [];
      // Concurrent starts of one owner (and of one conversation) decide one after another, each seeing the others' runs.
      await this.runs.advisoryLock(manager, `execution.runs.owner:${ownerId}`);
      if (conversationId) {
        await this.runs.advisoryLock(manager, `execution.runs.conversation:${conversationId}`);
        const active = await this.runs.lockActiveByConversation(manager, conversationId);
        if (active.length > 0 && policy === 'reject') {
          throw new AppError(ErrorCode.CONFLICT, 'the conversation already has an active run', { activeRunId: active[0].id });
        }
        // 'enqueue' needs nothing here: the claim query runs a conversation's runs one at a time, oldest first.
        if (policy === 'interrupt') for (const run of active) interrupted.push(await this.queue.cancelInTransaction(manager, run.id, ownerId));
      }
      const activeRuns = await this.runs.countActiveByOwner(manager, ownerId);
      const limit = this.config.maxActiveRunsPerUser;
      if (activeRuns >= limit) throw new AppError(ErrorCode.RATE_LIMITED, `you have ${activeRuns} runs pending or running, the most allowed at once`, { limit });
      if (session) await this.sessions.markStarted(manager, session.id, variables);
      else await this.sessions.insertStandalone(manager, { id: sessionId, ownerId, agentId: agent.agentId, variables });
    };

    const { run, created } = await this.queue.enqueue(
      {
        ownerId,
        target: { kind: 'agent', agentId: agent.agentId, agentVersion: agent.version },
        input,
        conversationId,
        sessionId,
        limits,
        idempotencyKey: request.idempotencyKey,
        // By default the start request's id: one id then follows the request, the run and every call the run makes.
        traceId: request.traceId ?? RequestContext.requestId() ?? randomBytes(16).toString('hex'),
        background: request.background ?? false,
        // Only this process holds the key, so only its worker may run the run.
        keyHolder: request.apiKey !== undefined ? this.worker.id : undefined,
        // The version just resolved travels with the run: its worker need not ask the agent service again.
        targetSnapshot: agent,
      },
      { beforeInsert: guard },
    );
    // Cancels take effect only with the new run's commit; a replayed key ran no guard.
    if (created) for (const cancel of interrupted) this.queue.announceCancel(cancel);
    if (request.apiKey !== undefined && run.keyHolder === this.worker.id && !isFinal(run.status)) {
      this.keys.put(run.id, request.apiKey, run.timeoutMs + this.config.leaseMs);
    }
    return toRunView(run);
  }

  async get(actor: Actor, id: string): Promise<RunView> {
    return toRunView(await this.owned(actor, id));
  }

  async list(actor: Actor, query: ListRunsQuery): Promise<RunPage> {
    const ownerId = requireUserId(actor);
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor !== undefined ? decodeCursor(query.cursor, { createdAt: 'timestamp', id: 'uuid' }) : undefined;
    const rows = await this.runs.listByOwner({ ownerId, status: query.status, agentId: query.agentId, conversationId: query.conversationId, after, limit: limit + 1 });
    return pageOf(
      rows,
      limit,
      (r) => toRunView(r.run),
      (r) => encodeCursor({ createdAt: r.createdKey, id: r.run.id }),
    );
  }

  async steps(actor: Actor, id: string): Promise<StepList> {
    await this.owned(actor, id);
    return { items: (await this.queue.steps(id)).map(toStepView) };
  }

  async events(actor: Actor, request: ReadRunEventsRequest): Promise<RunEventBatch> {
    // The status first: a run's final event commits with its final status, so a final status read
    // here guarantees the read below sees that event.
    const run = await this.owned(actor, request.id);
    // An ended run gets no more events, and one waiting for the caller none until the caller acts:
    // waiting would only hold the reader.
    const settled = isSettledRunStatus(run.status);
    const items = await this.hub.read(run.id, request.afterSeq, settled ? 0 : (request.waitMs ?? 0));
    const last = items.at(-1);
    // The run may have ended (or parked) during the wait: then the batch closes with that event.
    const settledNow = last !== undefined && SETTLING_EVENT_TYPES.has(last.type);
    return {
      items: items.map(toRunEventView),
      status: settledNow ? (last.type.slice('run.'.length) as RunStatus) : run.status,
      ended: settledNow || (settled && items.length < EVENTS_PAGE),
    };
  }

  async wait(actor: Actor, request: WaitRunRequest): Promise<RunView> {
    const run = await this.hub.waitUntil(request.id, requireUserId(actor), request.waitMs, (r) => isSettledRunStatus(r.status));
    if (!run) throw RunsErrors.notFound();
    return toRunView(run);
  }

  /**
   * A running run is cancelled by the worker holding it, which aborts the model call at once: the
   * reply waits (briefly) for that, so the caller sees `cancelled` and the partial answer rather
   * than a run still marked running.
   */
  async cancel(actor: Actor, id: string): Promise<RunView> {
    const ownerId = requireUserId(actor);
    const run = await this.queue.requestCancel(id, ownerId);
    if (isFinal(run.status)) return toRunView(run);
    const ended = await this.hub.waitUntil(id, ownerId, CANCEL_WAIT_MS, (r) => isFinal(r.status));
    return toRunView(ended ?? run);
  }

  async resume(actor: Actor, request: ResumeRunRequest): Promise<RunView> {
    const ownerId = requireUserId(actor);
    const run = await this.owned(actor, request.id);
    if (run.status !== 'requires_action') throw RunsErrors.notWaiting(run.status);
    const action = run.requiredAction as Partial<ClientToolCallsAction> | null;
    if (action?.type !== 'client_tool_calls' || !Array.isArray(action.toolCalls)) {
      throw new AppError(ErrorCode.CONFLICT, 'the run is not waiting for client tool results', { status: run.status });
    }
    const names = new Map(action.toolCalls.map((c) => [c.id, c.name]));
    const answered = new Set<string>();
    const unknown: string[] = [];
    const duplicate: string[] = [];
    for (const { toolCallId } of request.toolOutputs) {
      if (!names.has(toolCallId)) unknown.push(toolCallId);
      else if (answered.has(toolCallId)) duplicate.push(toolCallId);
      answered.add(toolCallId);
    }
    const missing = [...names.keys()].filter((id) => !answered.has(id));
    if (unknown.length + duplicate.length + missing.length > 0) {
      const problems = [
        ...(missing.length > 0 ? [`no output for tool calls: ${missing.join(', ')}`] : []),
        ...(unknown.length > 0 ? [`not tool calls of this run: ${unknown.join(', ')}`] : []),
        ...(duplicate.length > 0 ? [`answered more than once: ${duplicate.join(', ')}`] : []),
      ];
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'toolOutputs must answer every tool call of the run exactly once', {
        errors: [{ field: 'toolOutputs', problems }],
        missing,
        unknown,
        duplicate,
      });
    }
    const resumed = await this.queue.resume(
      run.id,
      request.toolOutputs.map((a) => ({ stepKey: toolStepKey(a.toolCallId), stepName: names.get(a.toolCallId), output: { result: a.output } })),
      ownerId,
    );
    return toRunView(resumed);
  }

  /** The caller's run; another user's is not found (no existence leak). */
  private async owned(actor: Actor, id: string): Promise<Run> {
    const run = await this.queue.get(id, requireUserId(actor));
    if (!run) throw RunsErrors.notFound();
    return run;
  }

  /**
   * The agent (pinned version) and conversation a start names. Ownership is the other services'
   * to check: asked with the caller as actor, another user's agent or conversation is their 404.
   */
  private async resolveTarget(actor: Actor, request: StartRunRequest): Promise<{ agent: ResolvedAgent; conversation?: ConversationView }> {
    const getConversation = (id: string) => this.bus.request(ConversationContracts.get, { id }, { actor });
    const resolve = (agentId: string) =>
      this.bus.request(ConfigCacheContracts.resolve, { agentId, ...(request.version !== undefined ? { version: request.version } : {}) }, { actor });
    if (request.agentId !== undefined) {
      const agent = await resolve(request.agentId);
      if (agent.ownerId !== requireUserId(actor)) throw AppError.notFound('agent');
      if (request.conversationId === undefined) return { agent };
      const conversation = await getConversation(request.conversationId);
      if (conversation.agentId !== request.agentId) throw invalidField('conversationId', 'conversationId must be a conversation of this agent');
      return { agent, conversation };
    }
    if (request.conversationId === undefined) throw invalidField('agentId', 'agentId or conversationId is required');
    const conversation = await getConversation(request.conversationId);
    if (!conversation.agentId) throw new AppError(ErrorCode.CONFLICT, 'workflow runs are not available yet');
    const agent = await resolve(conversation.agentId);
    if (agent.ownerId !== requireUserId(actor)) throw AppError.notFound('agent');
    return { agent, conversation };
  }

  /** The smallest of what the request asks, what the agent allows and the operator's caps. */
  private limitsFor(requested: AgentRunLimits | undefined, agent: AgentRunLimits | undefined): RunLimits {
    const limits: RunLimits = {
      maxSteps: Math.min(smallest(requested?.maxSteps, agent?.maxSteps) ?? this.config.defaultMaxSteps, this.config.maxStepsCap),
    };
    const maxTokens = smallest(requested?.maxTokens, agent?.maxTokens, this.config.maxTokensCap);
    if (maxTokens !== undefined) limits.maxTokens = maxTokens;
    const timeoutSeconds = smallest(requested?.timeoutSeconds, agent?.timeoutSeconds) ?? this.config.runTimeoutSeconds;
    limits.timeoutMs = Math.min(timeoutSeconds, this.config.runTimeoutMaxSeconds) * 1000;
    const budget = smallest(requested?.costBudgetMicros, agent?.costBudgetMicros, this.config.budgetCapMicros > 0 ? this.config.budgetCapMicros : undefined);
    if (budget !== undefined) limits.budgetMicros = budget;
    return limits;
  }
}

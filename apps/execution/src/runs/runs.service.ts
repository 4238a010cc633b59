import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import {
  type Actor,
  type RunLimits as AgentRunLimits,
  AppError,
  ErrorCode,
  ConversationContracts,
  type ConversationView,
  FINAL_RUN_STATUSES,
  isSettledRunStatus,
  SETTLED_RUN_STATUSES,
  type ListRunsQuery,
  type ActiveRunPolicy,
  type ReadRunEventsRequest,
  type ResolvedAgent,
  type ResolvedWorkflow,
  requireService,
  serviceActor,
  type GetRunForOwnerRequest,
  type StartRunForOwnerRequest,
  type StartWorkflowRunRequest,
  WorkflowResolveContracts,
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
import { RequestContext, Tracing } from '#observability';
import { ActingUser, Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { type AgentRunInput, approvalStepKey, type ClientToolCallsAction, type ToolApprovalAction, toolStepKey } from '../agent-loop/agent-loop.service.js';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { type CancelOutcome, type EnqueueRunRequest, type Queued, type RunEntity, RunEngineService, type RunLimits, type RunSessionWrite, RunStages } from '../run-engine/run-engine.service.js';
import { EVENTS_PAGE, RunEventsService } from '../run-events/run-events.service.js';
import { ResolvedAgentsService } from '../resolved-agents/resolved-agents.service.js';
import { RunWebhooksService } from '../run-webhooks/run-webhooks.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { toRunEventView, toRunView, toStepView } from './run.mapper.js';
import { RunsErrors } from './runs.errors.js';
import { type HumanInputAction, type WorkflowRunInput } from '../workflow-runs/workflow-runs.service.js';
import { formProblems } from './human-input.js';
import { workflowInputs } from './workflow-inputs.js';

const EXECUTION = serviceActor('execution');
const DEFAULT_PAGE = 20;
/** The events after which a run writes nothing until it is resumed (or ever): a stream of it ends there. */
const SETTLING_EVENT_TYPES = new Set(SETTLED_RUN_STATUSES.map((s) => `run.${s}`));

const isFinal = (status: RunStatus) => FINAL_RUN_STATUSES.includes(status);
/** How long a cancel waits for the worker to end a running run (it takes milliseconds; the heartbeat is the fallback). */
const CANCEL_WAIT_MS = 3000;

/** How long what a start learnt of its owner's active runs is used to decide whether the next start may begin before it is written. */
const ROOM_KNOWN_MS = 60_000;
/** Owners whose active runs are remembered, at most (the longest unheard of are forgotten first). */
const ROOM_OWNERS = 10_000;

/** The smallest of the bounds that are set; undefined when none is. */
function smallest(...values: Array<number | undefined>): number | undefined {
  const set = values.filter((v): v is number => v !== undefined);
  return set.length === 0 ? undefined : Math.min(...set);
}

interface Started extends Queued {
  /** The conversation's runs this start cancelled (policy interrupt): announced once the new run is committed. */
  interrupted: CancelOutcome[];
}

/** The gateway's run routes over the queue: who may start what, with which bounds, and reading runs back. */
@Injectable()
export class RunsService {
  /** Per owner, how many runs were active after their last start here, and when (see queue). */
  private readonly room = new Map<string, { active: number; at: number }>();

  constructor(
    private readonly engine: RunEngineService,
    private readonly runEvents: RunEventsService,
    private readonly sessions: SessionsService,
    private readonly webhooks: RunWebhooksService,
    private readonly database: Database,
    private readonly stages: RunStages,
    private readonly agents: ResolvedAgentsService,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  /** Resolves what to run (the agent, the conversation and its session), then queues it. */
  async start(actor: Actor, request: StartRunRequest): Promise<RunView> {
    const received = this.stages.now();
    const ownerId = requireUserId(actor);
    if (request.parentId !== undefined && request.conversationId === undefined) throw AppError.invalidField('parentId', 'parentId needs a conversationId');
    if (request.history !== undefined && request.conversationId !== undefined) throw AppError.invalidField('history', 'a run in a conversation reads its history from the conversation');
    await this.webhooks.checkUrl(request.webhookUrl);
    const target = await this.resolveTarget(actor, request);
    if ('workflow' in target) return this.startWorkflowMessage(ownerId, target.workflow, target.conversation, request);
    const resolved = this.stages.now();
    const { agent, conversation } = target;
    // A conversation keeps one session across its runs; a standalone run gets its own, written with it.
    const session = conversation ? await this.sessions.ofConversation(ownerId, agent.agentId, conversation.id) : null;
    const sessionId = session?.id ?? newId();
    const run = this.runToQueue(ownerId, agent, conversation?.id, sessionId, request);
    const started = await this.queue(run, {
      conversationId: conversation?.id,
      onActiveRun: request.onActiveRun,
      session: { id: sessionId, existing: session !== null, agentId: agent.agentId, variables: request.variables ?? {} },
      apiKey: request.apiKey,
    });
    this.stages.mark(started.run.id, 'start.received', received);
    this.stages.mark(started.run.id, 'start.resolved', resolved);
    this.stages.mark(started.run.id, 'start.committed');
    return toRunView(await this.settleWithin(started.run, request.waitMs));
  }

  /** A run of one of the caller's workflows: its version pinned, its inputs checked against the declared ones, then queued. */
  async startWorkflow(actor: Actor, request: StartWorkflowRunRequest): Promise<RunView> {
    const ownerId = requireUserId(actor);
    await this.webhooks.checkUrl(request.webhookUrl);
    const workflow = await this.resolveWorkflow(actor, request.workflowId, request.version);
    if (workflow.ownerId !== ownerId) throw AppError.notFound('workflow');
    const run = this.workflowRunToQueue(ownerId, workflow, { inputs: workflowInputs(workflow.definition, request.inputs) }, request);
    return toRunView(await this.settleWithin((await this.queue(run, {})).run, request.waitMs));
  }

  /**
   * A message to a conversation with a workflow: the message fills the workflow's first text input
   * (the others take their defaults), and the run writes the message and the workflow's answer to
   * the conversation, one run at a time per conversation as agents do.
   */
  private async startWorkflowMessage(ownerId: string, workflow: ResolvedWorkflow, conversation: ConversationView, request: StartRunRequest): Promise<RunView> {
    for (const field of ['tools', 'variables', 'apiKey', 'history', 'instructions', 'modelSettings'] as const) {
      if (request[field] !== undefined) throw AppError.invalidField(field, `${field} does not apply to a conversation with a workflow`);
    }
    const messageInput = workflow.definition.inputs.find((f) => f.type === 'string' || f.type === 'any');
    if (!messageInput) throw RunsErrors.noMessageInput();
    const input: WorkflowRunInput = {
      inputs: workflowInputs(workflow.definition, { [messageInput.name]: request.input }),
      message: request.input,
      ...(request.parentId !== undefined ? { parentId: request.parentId } : {}),
    };
    const run = { ...this.workflowRunToQueue(ownerId, workflow, input, request), conversationId: conversation.id };
    return toRunView(await this.settleWithin((await this.queue(run, { conversationId: conversation.id, onActiveRun: request.onActiveRun })).run, request.waitMs));
  }

  /** A workflow run the caller starts, with its bounds, its key, its webhook and its trace id; the pinned version travels with it. */
  private workflowRunToQueue(
    ownerId: string,
    workflow: ResolvedWorkflow,
    input: WorkflowRunInput,
    request: Pick<StartWorkflowRunRequest, 'limits' | 'idempotencyKey' | 'webhookUrl' | 'traceId' | 'background'>,
  ): EnqueueRunRequest {
    return {
      ownerId,
      target: { kind: 'workflow', workflowId: workflow.workflowId, workflowVersion: workflow.version },
      input,
      limits: this.limitsFor(request.limits, undefined),
      idempotencyKey: request.idempotencyKey,
      webhookUrl: request.webhookUrl,
      traceId: Tracing.traceId() ?? request.traceId ?? RequestContext.requestId() ?? randomBytes(16).toString('hex'),
      background: request.background ?? false,
      targetSnapshot: workflow,
    };
  }

  /**
   * For the workflow service (schedules, inbound webhooks, public links): a background run billed
   * to the owner, of their automation agent or their workflow, once per idempotency key. Another
   * owner's agent or workflow is not found.
   */
  startForOwner(actor: Actor, request: StartRunForOwnerRequest): Promise<RunView> {
    requireService(actor, 'workflow');
    // The workflow service starts a run for the owner it names: the run is written as that owner.
    return ActingUser.run(request.ownerId, () => this.startForOwnerAs(request));
  }

  private async startForOwnerAs(request: StartRunForOwnerRequest): Promise<RunView> {
    if ((request.agentId === undefined) === (request.workflowId === undefined)) throw AppError.invalidField('agentId', 'give exactly one of agentId and workflowId');
    await this.webhooks.checkUrl(request.webhookUrl);
    const trigger = { kind: request.trigger.kind, id: request.trigger.id };
    const common = {
      ownerId: request.ownerId,
      idempotencyKey: request.idempotencyKey,
      background: true,
      traceId: Tracing.traceId() ?? RequestContext.requestId() ?? randomBytes(16).toString('hex'),
      webhookUrl: request.webhookUrl,
    };
    if (request.workflowId !== undefined) {
      if (request.input !== undefined) throw AppError.invalidField('input', 'a workflow run takes inputs, not input');
      const workflow = await this.resolveWorkflow(EXECUTION, request.workflowId, request.version, request.ownerId);
      const run: EnqueueRunRequest = {
        ...common,
        target: { kind: 'workflow', workflowId: workflow.workflowId, workflowVersion: workflow.version },
        input: { inputs: workflowInputs(workflow.definition, request.inputs), trigger } satisfies WorkflowRunInput,
        limits: this.limitsFor(undefined, undefined),
        targetSnapshot: workflow,
      };
      return toRunView((await this.queue(run, {})).run);
    }
    if (request.inputs !== undefined) throw AppError.invalidField('inputs', 'an agent run takes input, not inputs');
    if (request.input === undefined || request.input.length === 0) throw AppError.invalidField('input', 'an agent run needs its input message');
    const agent = await this.agents.resolve(EXECUTION, request.agentId!, request.version);
    if (agent.ownerId !== request.ownerId) throw AppError.notFound('agent');
    const sessionId = newId();
    const input: AgentRunInput & { trigger: typeof trigger } = { message: request.input, providerKeySent: false, trigger };
    const run: EnqueueRunRequest = {
      ...common,
      target: { kind: 'agent', agentId: agent.agentId, agentVersion: agent.version },
      input,
      sessionId,
      limits: this.limitsFor(undefined, agent.snapshot.configuration?.limits),
      targetSnapshot: agent,
    };
    return toRunView((await this.queue(run, { session: { id: sessionId, existing: false, agentId: agent.agentId, variables: {} } })).run);
  }

  /** For the workflow service: a run it started for this owner, once settled or as it is after waitMs; another owner's is not found. */
  async getForOwner(actor: Actor, request: GetRunForOwnerRequest): Promise<RunView> {
    requireService(actor, 'workflow');
    const run = await ActingUser.run(request.ownerId, () => this.watch(request.id, request.ownerId, request.waitMs ?? 0, (r) => isSettledRunStatus(r.status)));
    if (!run) throw RunsErrors.notFound();
    return toRunView(run);
  }

  /**
   * Decides and queues: the idempotency key first (a twin's run is the answer, whatever the rules
   * would say now), then, under the owner's and the conversation's locks so concurrent starts
   * decide one after another, the conversation's active runs, then the owner's cap, the session
   * and the run (one statement, see RunEngineService.insert). In one transaction; a start with
   * neither key nor conversation is that one statement alone. Only after the commit are workers,
   * readers and cancelled runs' holders told. When this process's worker has a free slot and
   * nothing in the conversation runs before it, the run is written leased to that worker and
   * starts here at once, without a claim. An agent run that decides nothing before its insert
   * starts even before the insert commits (its first model call goes out meanwhile, see
   * RunEngineService.insertStarted) when its owner is known to be far from the cap: at most half
   * of it in use after their last start here, in the last minute. A start the cap refuses anyway
   * stops the call it began within the statement's round trip, and the refusal makes that owner's
   * next starts wait for their insert again.
   */
  private async queue(
    run: EnqueueRunRequest,
    how: { conversationId?: string; onActiveRun?: ActiveRunPolicy; session?: RunSessionWrite; apiKey?: string },
  ): Promise<Started> {
    const { ownerId } = run;
    const slot = this.engine.reserveSlot(run.target.kind);
    // Before anything is sent: the lease a leased insert writes cannot end before this plus its length.
    const leasedAt = performance.now();
    const cap = this.config.maxActiveRunsPerUser;
    /** The run, its events and its session in one statement, which takes the owner's turn and refuses past the cap. */
    const counted = (answer: { run: RunEntity | null; activeBefore: number }): RunEntity => {
      this.noteRoom(ownerId, answer.run ? answer.activeBefore + 1 : answer.activeBefore);
      if (!answer.run) throw RunsErrors.tooManyActive(answer.activeBefore, cap);
      return answer.run;
    };
    const insert = async (leased: boolean): Promise<RunEntity> => counted(await this.engine.insert(run, leased, how.session, cap));
    const decidesNothing = run.idempotencyKey === undefined && !how.conversationId;
    if (slot && decidesNothing && run.target.kind === 'agent' && this.roomFor(ownerId, cap)) {
      // Started while it is written: the worker has it already; nothing to announce or give back.
      const inserted = counted(await this.engine.insertStarted(run, leasedAt, how.session, cap, how.apiKey));
      return { run: inserted, created: true, interrupted: [] };
    }
    let started: Started;
    try {
      if (decidesNothing) {
        // Nothing to decide before the insert: one statement, no transaction.
        started = { run: await insert(slot), created: true, interrupted: [] };
      } else {
        started = await this.database.transaction(async (): Promise<Started> => {
          const twin = await this.engine.lockIdempotencyKey(ownerId, run.idempotencyKey);
          if (twin) return { run: twin, created: false, interrupted: [] };
          let turn: { interrupted: CancelOutcome[]; behind: boolean } = { interrupted: [], behind: false };
          if (how.conversationId) {
            await this.engine.lockOwner(ownerId);
            turn = await this.takeConversationTurn(how.conversationId, ownerId, how.onActiveRun ?? 'reject');
          }
          return { run: await insert(slot && !turn.behind), created: true, interrupted: turn.interrupted };
        });
      }
    } catch (err) {
      // A twin with the same key committed first (the key's unique index refused this one): it is the run.
      started = { run: await this.engine.twinAfterRace(err, ownerId, run.idempotencyKey).catch((thrown: unknown) => {
        if (slot) this.engine.releaseSlot();
        throw thrown;
      }), created: false, interrupted: [] };
    }
    // Not written leased (a twin, or queued behind the conversation's runs): the slot goes back.
    if (slot && !(started.created && started.run.status === 'running')) this.engine.releaseSlot();
    // The key sent with the request, in memory before the run can start.
    if (how.apiKey !== undefined) this.engine.holdProviderKey(started.run, how.apiKey);

    if (started.created) {
      this.engine.announceQueued(started.run, leasedAt);
      for (const cancel of started.interrupted) this.engine.announceCancel(cancel);
    }
    return started;
  }

  /** What the owner's last start here learnt: `active` runs pending or running, counting its own. */
  private noteRoom(ownerId: string, active: number): void {
    this.room.delete(ownerId);
    this.room.set(ownerId, { active, at: Date.now() });
    if (this.room.size > ROOM_OWNERS) this.room.delete(this.room.keys().next().value as string);
  }

  /** The owner used at most half the cap at their last start here, in the last minute. */
  private roomFor(ownerId: string, cap: number): boolean {
    const known = this.room.get(ownerId);
    return known !== undefined && Date.now() - known.at < ROOM_KNOWN_MS && known.active * 2 <= cap;
  }

  /** A workflow's pinned version; another owner's (or a missing) workflow is the workflow service's 404. */
  private resolveWorkflow(actor: Actor, workflowId: string, version: number | undefined, ownerId?: string): Promise<ResolvedWorkflow> {
    return this.bus.request(
      WorkflowResolveContracts.resolve,
      { workflowId, ...(version !== undefined ? { version } : {}), ...(ownerId !== undefined ? { ownerId } : {}) },
      { actor },
    );
  }

  async get(actor: Actor, id: string): Promise<RunView> {
    return toRunView(await this.owned(actor, id));
  }

  async list(actor: Actor, query: ListRunsQuery): Promise<RunPage> {
    const ownerId = requireUserId(actor);
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor !== undefined ? decodeCursor(query.cursor, { createdAt: 'timestamp', id: 'uuid' }) : undefined;
    const rows = await this.engine.list({ ownerId, status: query.status, agentId: query.agentId, workflowId: query.workflowId, conversationId: query.conversationId, after, limit: limit + 1 });
    return pageOf(
      rows,
      limit,
      (r) => toRunView(r.run),
      (r) => encodeCursor({ createdAt: r.createdKey, id: r.run.id }),
    );
  }

  async steps(actor: Actor, id: string): Promise<StepList> {
    await this.owned(actor, id);
    return { items: (await this.engine.steps(id)).map(toStepView) };
  }

  async events(actor: Actor, request: ReadRunEventsRequest): Promise<RunEventBatch> {
    // The status first: a run's final event commits with its final status, so a final status read
    // here guarantees the read below sees that event.
    const run = await this.owned(actor, request.id);
    // An ended run gets no more events, and one waiting for the caller none until the caller acts:
    // waiting would only hold the reader.
    const settled = isSettledRunStatus(run.status);
    const items = await this.runEvents.read(run.id, request.afterSeq, settled ? 0 : (request.waitMs ?? 0));
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
    const run = await this.watch(request.id, requireUserId(actor), request.waitMs, (r) => isSettledRunStatus(r.status));
    if (!run) throw RunsErrors.notFound();
    this.stages.mark(run.id, 'wait.answered');
    return toRunView(run);
  }

  /**
   * A running run is cancelled by the worker holding it, which aborts the model call at once: the
   * reply waits (briefly) for that, so the caller sees `cancelled` and the partial answer rather
   * than a run still marked running.
   */
  async cancel(actor: Actor, id: string): Promise<RunView> {
    const ownerId = requireUserId(actor);
    const run = await this.engine.requestCancel(id, ownerId);
    if (isFinal(run.status)) return toRunView(run);
    const ended = await this.watch(id, ownerId, CANCEL_WAIT_MS, (r) => isFinal(r.status));
    return toRunView(ended ?? run);
  }

  /** Brings a run in requires_action the answer it waits for; each kind of wait has its own answer and checks. */
  async resume(actor: Actor, request: ResumeRunRequest): Promise<RunView> {
    const given = [request.toolOutputs && 'toolOutputs', request.approvals && 'approvals', request.input && 'input'].filter(Boolean);
    if (given.length !== 1) throw RunsErrors.oneAnswer();
    const run = await this.owned(actor, request.id);
    if (run.status !== 'requires_action') throw RunsErrors.notWaiting(run.status);
    const waitingFor = (run.requiredAction as { type?: string } | null)?.type ?? 'nothing';
    if (request.toolOutputs) return this.resumeWithToolOutputs(run, request.toolOutputs);
    if (request.approvals) {
      if (waitingFor !== 'tool_approval') throw RunsErrors.notWaitingFor('tool approvals', waitingFor);
      return this.resumeWithApprovals(run, request.approvals);
    }
    return this.resumeWithInput(run, request.input!, waitingFor);
  }

  /** human_input: the person's answer, checked against the node's form, stored as the human node's completed step. */
  private async resumeWithInput(run: RunEntity, input: Record<string, unknown>, waitingFor: string): Promise<RunView> {
    const action = run.requiredAction as Partial<HumanInputAction> | null;
    if (action?.type !== 'human_input' || typeof action.stepKey !== 'string' || typeof action.nodeId !== 'string') throw RunsErrors.notWaitingFor('human input', waitingFor);
    const errors = formProblems(action.schema ?? {}, input);
    if (errors.length > 0) throw new AppError(ErrorCode.VALIDATION_FAILED, 'the input does not match the form', { errors });
    const resumed = await this.engine.resume(run.id, [{ stepKey: action.stepKey, stepName: action.nodeId, output: input }], run.ownerId, [
      { type: 'node.completed', data: { nodeId: action.nodeId, type: 'human', output: input } },
    ]);
    return toRunView(resumed);
  }

  /** client_tool_calls: every call answered exactly once, each answer stored as that tool call's completed step. */
  private async resumeWithToolOutputs(run: RunEntity, toolOutputs: NonNullable<ResumeRunRequest['toolOutputs']>): Promise<RunView> {
    const action = run.requiredAction as Partial<ClientToolCallsAction> | null;
    if (action?.type !== 'client_tool_calls' || !Array.isArray(action.toolCalls)) {
      throw RunsErrors.notWaitingForToolResults(run.status);
    }
    const names = new Map(action.toolCalls.map((c) => [c.id, c.name]));
    const answered = new Set<string>();
    const unknown: string[] = [];
    const duplicate: string[] = [];
    for (const { toolCallId } of toolOutputs) {
      if (!names.has(toolCallId)) unknown.push(toolCallId);
      else if (answered.has(toolCallId)) duplicate.push(toolCallId);
      answered.add(toolCallId);
    }
    const missing = [...names.keys()].filter((id) => !answered.has(id));
    if (unknown.length + duplicate.length + missing.length > 0) throw RunsErrors.toolOutputsMismatch(missing, unknown, duplicate);
    const resumed = await this.engine.resume(
      run.id,
      toolOutputs.map((a) => ({ stepKey: toolStepKey(a.toolCallId), stepName: names.get(a.toolCallId), output: { result: a.output } })),
      run.ownerId,
    );
    return toRunView(resumed);
  }

  /**
   * tool_approval: a decision for every call, exactly once, each stored as that call's approval
   * step. The run then goes on: approved calls run, denied ones answer the model with the denial.
   */
  private async resumeWithApprovals(run: RunEntity, approvals: NonNullable<ResumeRunRequest['approvals']>): Promise<RunView> {
    const action = run.requiredAction as Partial<ToolApprovalAction> | null;
    const names = new Map((action?.toolCalls ?? []).map((c) => [c.id, c.name]));
    const answered = new Set<string>();
    const unknown: string[] = [];
    const duplicate: string[] = [];
    for (const { toolCallId } of approvals) {
      if (!names.has(toolCallId)) unknown.push(toolCallId);
      else if (answered.has(toolCallId)) duplicate.push(toolCallId);
      answered.add(toolCallId);
    }
    const missing = [...names.keys()].filter((id) => !answered.has(id));
    if (unknown.length + duplicate.length + missing.length > 0) throw RunsErrors.approvalsMismatch(missing, unknown, duplicate);
    const resumed = await this.engine.resume(
      run.id,
      approvals.map((a) => ({
        stepKey: approvalStepKey(a.toolCallId),
        stepName: `approval of ${names.get(a.toolCallId)}`,
        output: { approved: a.approved, ...(a.reason !== undefined ? { reason: a.reason } : {}) },
      })),
      run.ownerId,
    );
    return toRunView(resumed);
  }

  /** The caller's run; another user's is not found (no existence leak). */
  private async owned(actor: Actor, id: string): Promise<RunEntity> {
    const run = await this.engine.get(id, requireUserId(actor));
    if (!run) throw RunsErrors.notFound();
    return run;
  }

  /** The owner's run once `done` holds, or as it is after `waitMs`; null when it does not exist (for this owner). */
  private watch(id: string, ownerId: string, waitMs: number, done: (run: RunEntity) => boolean, known?: RunEntity): Promise<RunEntity | null> {
    return this.runEvents.watch(
      id,
      waitMs,
      () => this.engine.get(id, ownerId),
      (run) => run === null || done(run),
      'state',
      known,
    );
  }

  /**
   * A run a start just queued, once settled (ended, or waiting for the caller) or as it is after
   * `waitMs` (none: at once). Its row is not read again until it changes.
   */
  private async settleWithin(run: RunEntity, waitMs: number | undefined): Promise<RunEntity> {
    if (!waitMs || isSettledRunStatus(run.status)) return run;
    const settled = await this.watch(run.id, run.ownerId, waitMs, (r) => isSettledRunStatus(r.status), run);
    if (settled) this.stages.mark(run.id, 'wait.answered');
    return settled ?? run;
  }

  /**
   * With the conversation's turn held, its active runs per the start's policy: reject (a conflict
   * naming the active run), enqueue (nothing to do: the claim query runs a conversation's runs one
   * at a time, oldest first) or interrupt (each cancelled in this transaction). `behind`: runs of
   * the conversation have not ended yet (an interrupted one ends when its worker stops it), so the
   * new run waits for its turn in the queue.
   */
  private async takeConversationTurn(conversationId: string, ownerId: string, policy: ActiveRunPolicy): Promise<{ interrupted: CancelOutcome[]; behind: boolean }> {
    const active = await this.engine.lockConversation(conversationId);
    if (active.length === 0) return { interrupted: [], behind: false };
    if (policy === 'enqueue') return { interrupted: [], behind: true };
    if (policy === 'reject') throw RunsErrors.conversationBusy(active[0].id);
    const interrupted: CancelOutcome[] = [];
    for (const run of active) interrupted.push(await this.engine.cancel(run.id, ownerId));
    return { interrupted, behind: true };
  }

  /** The agent run a start queues, with its bounds, its input (never the key itself) and its trace id. */
  private runToQueue(ownerId: string, agent: ResolvedAgent, conversationId: string | undefined, sessionId: string, request: StartRunRequest): EnqueueRunRequest {
    const input: AgentRunInput = {
      message: request.input,
      ...(request.parentId !== undefined ? { parentId: request.parentId } : {}),
      ...(request.tools !== undefined ? { clientTools: request.tools.map((t) => ({ ...t })) } : {}),
      ...(request.variables !== undefined ? { variables: request.variables } : {}),
      ...(request.history !== undefined ? { history: request.history.map((m) => ({ ...m, ...(m.toolCalls ? { toolCalls: m.toolCalls.map((c) => ({ ...c })) } : {}) })) } : {}),
      ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
      ...(request.modelSettings !== undefined ? { modelSettings: { ...request.modelSettings } } : {}),
      ...(request.endUser !== undefined ? { endUser: request.endUser } : {}),
      // The key itself never goes into the row: only that one was sent.
      providerKeySent: request.apiKey !== undefined,
    };
    return {
      ownerId,
      target: { kind: 'agent', agentId: agent.agentId, agentVersion: agent.version },
      input,
      conversationId,
      sessionId,
      limits: this.limitsFor(request.limits, agent.snapshot.configuration?.limits),
      idempotencyKey: request.idempotencyKey,
      webhookUrl: request.webhookUrl,
      // By default the start request's id: one id then follows the request, the run and every call the run makes.
      traceId: Tracing.traceId() ?? request.traceId ?? RequestContext.requestId() ?? randomBytes(16).toString('hex'),
      background: request.background ?? false,
      // Only this process holds the key, so only its worker may run the run.
      keyHolder: request.apiKey !== undefined ? this.engine.keyHolder : undefined,
      // The version just resolved travels with the run: its worker need not ask the agent service again.
      targetSnapshot: agent,
    };
  }

  /**
   * The agent (pinned version) and conversation a start names. Ownership is the other services'
   * to check: asked with the caller as actor, another user's agent or conversation is their 404.
   */
  private async resolveTarget(
    actor: Actor,
    request: StartRunRequest,
  ): Promise<{ agent: ResolvedAgent; conversation?: ConversationView } | { workflow: ResolvedWorkflow; conversation: ConversationView }> {
    const getConversation = (id: string) => this.bus.request(ConversationContracts.get, { id }, { actor });
    const resolve = (agentId: string) => this.agents.resolve(actor, agentId, request.version);
    if (request.agentId !== undefined) {
      const agent = await resolve(request.agentId);
      if (agent.ownerId !== requireUserId(actor)) throw AppError.notFound('agent');
      if (request.conversationId === undefined) return { agent };
      const conversation = await getConversation(request.conversationId);
      if (conversation.agentId !== request.agentId) throw AppError.invalidField('conversationId', 'conversationId must be a conversation of this agent');
      return { agent, conversation };
    }
    if (request.conversationId === undefined) throw AppError.invalidField('agentId', 'agentId or conversationId is required');
    const conversation = await getConversation(request.conversationId);
    if (conversation.workflowId) {
      const workflow = await this.resolveWorkflow(actor, conversation.workflowId, request.version);
      if (workflow.ownerId !== requireUserId(actor)) throw AppError.notFound('workflow');
      return { workflow, conversation };
    }
    if (!conversation.agentId) throw AppError.notFound('conversation');
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

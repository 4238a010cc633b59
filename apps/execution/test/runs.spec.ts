import { randomUUID } from 'node:crypto';
import { type Actor, type RpcContract, RunContracts, type RunView, type StartRunForOwnerRequest, type StartRunRequest, type WorkflowDefinition } from '#contracts';
import type { RunningService, Runtime } from '#service-kit';
import { query } from '#testing';
import { RunEndings } from '../src/run-engine/run-endings.js';
import { type FinishPatch, RunEngineService } from '../src/run-engine/run-engine.service.js';
import { RunEventsService } from '../src/run-events/run-events.service.js';
import { type AgentStandIn, type ExecutionUnderTest, fieldsOf, outcomeOf, OwnedTargets, startExecution } from './support/execution-spec.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The run routes against the real PostgreSQL through the in-process bus, as the gateway calls
 * them. No worker executes (concurrency 0): the spec moves runs along through the queue's own
 * ending code, or puts a row in the state a worker would.
 */
describe('execution runs API', () => {
  let execution: ExecutionUnderTest;
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;

  const ENV = {
    EXECUTION_WORKER_CONCURRENCY: '0',
    EXECUTION_MAX_ACTIVE_RUNS_PER_USER: '3',
    EXECUTION_DEFAULT_MAX_STEPS: '7',
    EXECUTION_MAX_STEPS_CAP: '50',
    EXECUTION_MAX_TOKENS_CAP: '100000',
    EXECUTION_BUDGET_CAP_MICROS: '900000',
    EXECUTION_RUN_TIMEOUT_SECONDS: '60',
    EXECUTION_RUN_TIMEOUT_MAX_SECONDS: '600',
  };

  // The agent and conversation services' stand-ins: they own what the spec registered, nothing else.
  const targets = new OwnedTargets();
  const resolvedVersions = targets.resolvedVersions;

  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const agentOf = (actor: Actor, limits?: AgentStandIn['limits']): string => targets.agentOf(actor, limits);
  const conversationOf = (actor: Actor, target: { agentId?: string; workflowId?: string }): string => targets.conversationOf(actor, target);

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const start = (actor: Actor, request: Omit<StartRunRequest, 'input'> & { input?: string }) => call(RunContracts.start, { input: 'hello', ...request } as StartRunRequest, actor);
  const failure = outcomeOf;

  /** Ends (or parks) a run the way a worker would, and wakes its readers. */
  const endRun = async (runId: string, patch: FinishPatch) => {
    await service.database.transaction(() => service.app.get(RunEndings).end(runId, null, patch));
    service.app.get(RunEventsService).notify(runId);
  };
  /** What a worker's claim leaves: the run held under a lease. */
  const markRunning = (runId: string) =>
    query(
      databaseUrl,
      `UPDATE execution.runs SET status = 'running', lease_owner = 'spec-worker', lease_expires_at = now() + interval '1 hour', attempt = attempt + 1, started_at = now() WHERE id = $1`,
      [runId],
    );
  const statusOf = async (runId: string) => (await query<{ status: string }>(databaseUrl, `SELECT status FROM execution.runs WHERE id = $1`, [runId]))[0]?.status;

  beforeAll(async () => {
    targets.respond();
    execution = await startExecution('runsapi', ENV);
    ({ runtime, service, databaseUrl } = execution);
  });

  afterAll(async () => {
    targets.stop();
    await execution?.close();
  });

  describe('start', () => {
    it('queues an agent run with the stored input, a trace id and a session of its own', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const tools = [{ name: 'lookup_order', description: 'finds an order', parameters: { type: 'object' } }];
      const run = await start(user, { agentId, version: 2, input: 'Where is my order?', tools, variables: { name: 'Ada' }, background: true });
      expect(run).toMatchObject({
        status: 'pending',
        agentId,
        agentVersion: 2,
        conversationId: null,
        background: true,
        attempt: 0,
        outputPartial: false,
        error: null,
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 },
        input: { message: 'Where is my order?', clientTools: tools, variables: { name: 'Ada' }, providerKeySent: false },
      });
      expect(resolvedVersions.at(-1)).toBe(2);
      // The start request's id, so the request, the run and the run's own calls share one id.
      const traced = await runtime.client.request(RunContracts.start, { input: 'traced', agentId } as StartRunRequest, { actor: user, requestId: 'req-to-follow' });
      expect(traced.traceId).toBe('req-to-follow');
      expect(run.traceId).toEqual(expect.any(String));
      expect(run.sessionId).not.toBeNull();
      expect(new Date(run.createdAt).toISOString()).toBe(run.createdAt);
      const [row] = await query<{ input: unknown; owner_id: string; trace_id: string }>(databaseUrl, `SELECT input, owner_id, trace_id FROM execution.runs WHERE id = $1`, [run.id]);
      expect(row).toEqual({ input: run.input, owner_id: user.userId, trace_id: run.traceId });
      const [session] = await query<{ status: string; variables: unknown; conversation_id: string | null }>(
        databaseUrl,
        `SELECT status, variables, conversation_id FROM execution.sessions WHERE id = $1`,
        [run.sessionId],
      );
      expect(session).toEqual({ status: 'running', variables: { name: 'Ada' }, conversation_id: null });
      const other = await start(user, { agentId, traceId: 'trace-from-caller' });
      expect(other.sessionId).not.toBe(run.sessionId);
      expect(other.traceId).toBe('trace-from-caller');
    });

    it('runs the agent of a conversation on the message route, sharing one session per conversation', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const conversationId = conversationOf(user, { agentId });
      const parentId = randomUUID();
      const first = await start(user, { conversationId, parentId, input: 'first', variables: { a: '1', b: '1' } });
      expect(first).toMatchObject({ agentId, agentVersion: 4, conversationId, input: { message: 'first', parentId } });
      await endRun(first.id, { status: 'completed', output: { content: 'ok' } });
      const second = await start(user, { conversationId, agentId, input: 'second', variables: { b: '2' } });
      expect(second.sessionId).toBe(first.sessionId);
      const sessions = await query<{ id: string; variables: unknown; status: string }>(databaseUrl, `SELECT id, variables, status FROM execution.sessions WHERE conversation_id = $1`, [
        conversationId,
      ]);
      expect(sessions).toEqual([{ id: first.sessionId, variables: { a: '1', b: '2' }, status: 'running' }]);
    });

    it('finds one session for concurrent first runs of a conversation', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const conversationId = conversationOf(user, { agentId });
      const runs = await Promise.all([0, 1, 2].map((i) => start(user, { conversationId, input: `m${i}`, onActiveRun: 'enqueue' })));
      expect(new Set(runs.map((r) => r.sessionId)).size).toBe(1);
      const [{ count }] = await query<{ count: string }>(databaseUrl, `SELECT count(*) FROM execution.sessions WHERE conversation_id = $1`, [conversationId]);
      expect(Number(count)).toBe(1);
    });

    it('answers 404 for another user’s (or a missing) agent, workflow or conversation, and 400 for a mismatch', async () => {
      const owner = newUser();
      const stranger = newUser();
      const agentId = agentOf(owner);
      const conversationId = conversationOf(owner, { agentId });
      expect((await failure(start(stranger, { agentId }))).code).toBe('NOT_FOUND');
      expect((await failure(start(owner, { agentId: randomUUID() }))).code).toBe('NOT_FOUND');
      expect((await failure(start(stranger, { conversationId }))).code).toBe('NOT_FOUND');
      // The stranger's own agent with the owner's conversation: the conversation is not theirs.
      expect((await failure(start(stranger, { agentId: agentOf(stranger), conversationId }))).code).toBe('NOT_FOUND');
      // A conversation with a workflow that is gone (or not the caller's) answers the workflow's 404.
      const workflowConversation = conversationOf(owner, { workflowId: randomUUID() });
      expect((await failure(start(owner, { conversationId: workflowConversation }))).code).toBe('NOT_FOUND');
      const mismatch = await failure(start(owner, { agentId: agentOf(owner), conversationId }));
      expect(mismatch.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(mismatch.details)).toEqual(['conversationId']);
      expect((await failure(start(owner, {}))).code).toBe('VALIDATION_FAILED');
      expect((await failure(start(owner, { agentId, parentId: randomUUID() }))).code).toBe('VALIDATION_FAILED');
      const [{ count }] = await query<{ count: string }>(databaseUrl, `SELECT count(*) FROM execution.runs WHERE owner_id = ANY($1::uuid[])`, [[owner.userId, stranger.userId]]);
      expect(Number(count)).toBe(0);
    });

    it('takes the smallest of the request’s limits, the agent’s and the operator’s caps', async () => {
      const user = newUser();
      const strict = agentOf(user, { maxSteps: 8, maxTokens: 3000, timeoutSeconds: 30, costBudgetMicros: 500_000 });
      const a = await start(user, { agentId: strict, limits: { maxSteps: 5, maxTokens: 5000, timeoutSeconds: 100, costBudgetMicros: 2_000_000 } });
      expect(a.limits).toEqual({ maxSteps: 5, maxTokens: 3000, timeoutMs: 30_000, budgetMicros: 500_000 });
      const loose = agentOf(user, { maxSteps: 150 });
      const b = await start(user, { agentId: loose, limits: { maxSteps: 120, timeoutSeconds: 3600, costBudgetMicros: 1_000_000 } });
      expect(b.limits).toEqual({ maxSteps: 50, maxTokens: 100_000, timeoutMs: 600_000, budgetMicros: 900_000 });
      const c = await start(user, { agentId: agentOf(user) });
      expect(c.limits).toEqual({ maxSteps: 7, maxTokens: 100_000, timeoutMs: 60_000, budgetMicros: 900_000 });
      const [row] = await query<{ limits: unknown; timeout_ms: number }>(databaseUrl, `SELECT limits, timeout_ms FROM execution.runs WHERE id = $1`, [a.id]);
      expect(row).toEqual({ limits: a.limits, timeout_ms: 30_000 });
    });

    it('returns the first run for a repeated idempotency key, without running the guards again', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const conversationId = conversationOf(user, { agentId });
      // Concurrent twins in a busy-rejecting conversation: the twin is returned, not refused.
      const twins = await Promise.all([0, 1, 2, 3].map(() => start(user, { conversationId, idempotencyKey: 'send-1' })));
      expect(new Set(twins.map((r) => r.id)).size).toBe(1);
      const again = await start(user, { conversationId, idempotencyKey: 'send-1' });
      expect(again.id).toBe(twins[0].id);
      const busy = await failure(start(user, { conversationId, idempotencyKey: 'send-2' }));
      expect(busy).toMatchObject({ code: 'CONFLICT', details: { activeRunId: twins[0].id } });
      const [{ count }] = await query<{ count: string }>(databaseUrl, `SELECT count(*) FROM execution.runs WHERE owner_id = $1`, [user.userId]);
      expect(Number(count)).toBe(1);
    });

    it('answers 429 beyond the active runs a user may have, counting pending and running only', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const runs: RunView[] = [];
      for (let i = 0; i < 3; i++) runs.push(await start(user, { agentId }));
      await markRunning(runs[0].id);
      const refused = await failure(start(user, { agentId }));
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 3 } });
      // Another user is not affected; a run waiting for input does not count.
      const other = newUser();
      expect((await start(other, { agentId: agentOf(other) })).status).toBe('pending');
      await endRun(runs[1].id, { status: 'requires_action', requiredAction: { type: 'client_tool_calls', toolCalls: [] } });
      expect((await start(user, { agentId })).status).toBe('pending');
      expect((await failure(start(user, { agentId }))).code).toBe('RATE_LIMITED');
      const concurrent = newUser();
      const theirs = agentOf(concurrent);
      const results = await Promise.all([0, 1, 2, 3, 4].map(() => failure(start(concurrent, { agentId: theirs }))));
      expect(results.map((r) => r.code).sort()).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'ok', 'ok', 'ok']);
    });
  });

  describe('a conversation with an active run', () => {
    it('rejects a second message by default, naming the active run', async () => {
      const user = newUser();
      const conversationId = conversationOf(user, { agentId: agentOf(user) });
      const first = await start(user, { conversationId });
      await endRun(first.id, { status: 'requires_action', requiredAction: { type: 'client_tool_calls', toolCalls: [] } });
      const refused = await failure(start(user, { conversationId, onActiveRun: 'reject' }));
      expect(refused).toMatchObject({ code: 'CONFLICT', details: { activeRunId: first.id } });
      await endRun(first.id, { status: 'cancelled' });
      expect((await start(user, { conversationId })).status).toBe('pending');
    });

    it('queues it behind the active run with enqueue', async () => {
      const user = newUser();
      const conversationId = conversationOf(user, { agentId: agentOf(user) });
      const first = await start(user, { conversationId });
      await markRunning(first.id);
      const second = await start(user, { conversationId, onActiveRun: 'enqueue' });
      expect(second.status).toBe('pending');
      expect(await statusOf(first.id)).toBe('running');
    });

    it('cancels the active runs with interrupt: waiting ones at once, a running one through its worker', async () => {
      const user = newUser();
      const conversationId = conversationOf(user, { agentId: agentOf(user) });
      const running = await start(user, { conversationId });
      await markRunning(running.id);
      const waiting = await start(user, { conversationId, onActiveRun: 'enqueue' });
      const next = await start(user, { conversationId, onActiveRun: 'interrupt' });
      expect(next.status).toBe('pending');
      expect(await statusOf(waiting.id)).toBe('cancelled');
      const [held] = await query<{ status: string; cancel_requested_at: Date | null }>(databaseUrl, `SELECT status, cancel_requested_at FROM execution.runs WHERE id = $1`, [running.id]);
      expect(held.status).toBe('running');
      expect(held.cancel_requested_at).not.toBeNull();
      const waitingEvents = await call(RunContracts.events, { id: waiting.id, afterSeq: 0 }, user);
      expect(waitingEvents).toMatchObject({ status: 'cancelled', ended: true });
      expect(waitingEvents.items.map((e) => e.type)).toEqual(['run.queued', 'run.cancelled']);
    });
  });

  it('keeps a provider key out of the database, held in memory for the run’s worker', async () => {
    const user = newUser();
    const apiKey = `sk-spec-${randomUUID()}`;
    const run = await start(user, { agentId: agentOf(user), apiKey });
    expect(run.input).toMatchObject({ providerKeySent: true });
    expect(JSON.stringify(run)).not.toContain(apiKey);
    const rows = await query<{ row: string }>(databaseUrl, `SELECT row_to_json(r)::text AS row FROM execution.runs r WHERE id = $1`, [run.id]);
    expect(rows[0].row).not.toContain(apiKey);
    const events = await query<{ data: string }>(databaseUrl, `SELECT data::text FROM execution.run_events WHERE run_id = $1`, [run.id]);
    expect(events.map((e) => e.data).join()).not.toContain(apiKey);
    const [{ key_holder }] = await query<{ key_holder: string }>(databaseUrl, `SELECT key_holder FROM execution.runs WHERE id = $1`, [run.id]);
    expect(key_holder).toBe(service.app.get(RunEngineService).keyHolder);
    expect(service.app.get(RunEngineService).providerKeyOf(run.id)).toBe(apiKey);
    const plain = await start(user, { agentId: agentOf(user) });
    expect(service.app.get(RunEngineService).providerKeyOf(plain.id)).toBeUndefined();
  });

  it('lists the caller’s runs newest first, page by page, with filters', async () => {
    const user = newUser();
    const agentA = agentOf(user);
    const agentB = agentOf(user);
    const conversationId = conversationOf(user, { agentId: agentA });
    const made: RunView[] = [];
    for (let i = 0; i < 2; i++) made.push(await start(user, { agentId: agentA }));
    made.push(await start(user, { agentId: agentB }));
    // Ended, so the next two fit under the active-run cap.
    for (const r of made) await endRun(r.id, { status: 'completed', output: { content: 'x' } });
    made.push(await start(user, { conversationId }));
    made.push(await start(user, { agentId: agentB }));
    const stranger = newUser();
    await start(stranger, { agentId: agentOf(stranger) });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(RunContracts.list, { limit: 2, ...(cursor ? { cursor } : {}) }, user);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(made.map((r) => r.id).reverse());

    const byAgent = await call(RunContracts.list, { agentId: agentB }, user);
    expect(byAgent.items.map((r) => r.id)).toEqual([made[4].id, made[2].id]);
    const completed = await call(RunContracts.list, { status: 'completed' }, user);
    expect(completed.items.map((r) => r.id)).toEqual([made[2].id, made[1].id, made[0].id]);
    const inConversation = await call(RunContracts.list, { conversationId }, user);
    expect(inConversation.items.map((r) => r.id)).toEqual([made[3].id]);
    expect((await call(RunContracts.list, { agentId: agentA }, stranger)).items).toEqual([]);
    expect((await failure(call(RunContracts.list, { cursor: 'not-a-cursor' }, user))).code).toBe('VALIDATION_FAILED');
  });

  it('answers 404 for another user’s run on every route', async () => {
    const owner = newUser();
    const stranger = newUser();
    const run = await start(owner, { agentId: agentOf(owner) });
    const id = run.id;
    const codes = await Promise.all([
      failure(call(RunContracts.get, { id }, stranger)),
      failure(call(RunContracts.steps, { id }, stranger)),
      failure(call(RunContracts.cancel, { id }, stranger)),
      failure(call(RunContracts.resume, { id, toolOutputs: [{ toolCallId: 'c1', output: 'x' }] }, stranger)),
      failure(call(RunContracts.events, { id, afterSeq: 0 }, stranger)),
      failure(call(RunContracts.wait, { id, waitMs: 0 }, stranger)),
      failure(call(RunContracts.get, { id: randomUUID() }, owner)),
    ]);
    expect(codes.map((c) => c.code)).toEqual(Array(7).fill('NOT_FOUND'));
    expect(await statusOf(id)).toBe('pending');
    expect((await call(RunContracts.get, { id }, owner)).id).toBe(id);
  });

  it('cancels a pending run, and answers 409 for a finished one', async () => {
    const user = newUser();
    const run = await start(user, { agentId: agentOf(user) });
    const cancelled = await call(RunContracts.cancel, { id: run.id }, user);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(cancelled.completedAt).not.toBeNull();
    expect((await failure(call(RunContracts.cancel, { id: run.id }, user))).code).toBe('CONFLICT');
  });

  it('shows the steps of a run with usage and durations', async () => {
    const user = newUser();
    const run = await start(user, { agentId: agentOf(user) });
    await query(
      databaseUrl,
      `INSERT INTO execution.run_steps (id, run_id, seq, step_key, step_name, step_type, status, attempt, model, prompt_tokens, completion_tokens, cost_micros, started_at, completed_at)
       VALUES ($1, $2, 1, 'llm:1', 'model call', 'llm_call', 'completed', 1, 'gpt-4o-mini', 10, 4, 3, now() - interval '2 seconds', now())`,
      [randomUUID(), run.id],
    );
    const steps = await call(RunContracts.steps, { id: run.id }, user);
    expect(steps.items).toHaveLength(1);
    expect(steps.items[0]).toMatchObject({ seq: 1, key: 'llm:1', type: 'llm_call', status: 'completed', usage: { promptTokens: 10, completionTokens: 4, totalTokens: 14, costMicros: 3 } });
    expect(steps.items[0].durationMs).toBeGreaterThanOrEqual(1900);
  });

  describe('resume', () => {
    const action = { type: 'client_tool_calls', toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"id":1}' }, { id: 'call_2', name: 'weather', arguments: '{}' }] };

    it('answers 409 for a run that is not waiting for input', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      const result = await failure(call(RunContracts.resume, { id: run.id, toolOutputs: [{ toolCallId: 'call_1', output: 'x' }] }, user));
      expect(result.code).toBe('CONFLICT');
    });

    it('wants every tool call answered exactly once, then stores the outputs and queues the run', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      await endRun(run.id, { status: 'requires_action', requiredAction: action });
      const missing = await failure(call(RunContracts.resume, { id: run.id, toolOutputs: [{ toolCallId: 'call_1', output: 'x' }] }, user));
      expect(missing).toMatchObject({ code: 'VALIDATION_FAILED', details: { missing: ['call_2'], unknown: [], duplicate: [] } });
      expect(fieldsOf(missing.details)).toEqual(['toolOutputs']);
      const unknown = await failure(
        call(
          RunContracts.resume,
          {
            id: run.id,
            toolOutputs: [
              { toolCallId: 'call_1', output: 'x' },
              { toolCallId: 'call_2', output: 'y' },
              { toolCallId: 'call_9', output: 'z' },
            ],
          },
          user,
        ),
      );
      expect(unknown).toMatchObject({ code: 'VALIDATION_FAILED', details: { unknown: ['call_9'], missing: [] } });
      const duplicate = await failure(
        call(
          RunContracts.resume,
          {
            id: run.id,
            toolOutputs: [
              { toolCallId: 'call_1', output: 'x' },
              { toolCallId: 'call_1', output: 'y' },
            ],
          },
          user,
        ),
      );
      expect(duplicate).toMatchObject({ code: 'VALIDATION_FAILED', details: { duplicate: ['call_1'], missing: ['call_2'] } });
      expect(await statusOf(run.id)).toBe('requires_action');

      const resumed = await call(
        RunContracts.resume,
        {
          id: run.id,
          toolOutputs: [
            { toolCallId: 'call_2', output: 'sunny' },
            { toolCallId: 'call_1', output: 'shipped' },
          ],
        },
        user,
      );
      expect(resumed).toMatchObject({ status: 'pending', requiredAction: null });
      const steps = await call(RunContracts.steps, { id: run.id }, user);
      expect(steps.items.map((s) => [s.key, s.name, s.type, s.output])).toEqual([
        ['tool:call_2', 'weather', 'human_input', { result: 'sunny' }],
        ['tool:call_1', 'lookup_order', 'human_input', { result: 'shipped' }],
      ]);
    });
  });

  describe('events and wait', () => {
    it('long-polls: answers as soon as an event is appended, and says when the run has ended', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      const first = await call(RunContracts.events, { id: run.id, afterSeq: 0 }, user);
      expect(first).toMatchObject({ status: 'pending', ended: false });
      expect(first.items.map((e) => [e.seq, e.type])).toEqual([[1, 'run.queued']]);

      const askedAt = Date.now();
      const polling = call(RunContracts.events, { id: run.id, afterSeq: 1, waitMs: 10_000 }, user);
      await sleep(300);
      await endRun(run.id, { status: 'completed', output: { content: 'done' } });
      const batch = await polling;
      expect(Date.now() - askedAt).toBeLessThan(2000);
      expect(batch).toMatchObject({ status: 'completed', ended: true });
      expect(batch.items.map((e) => [e.seq, e.type])).toEqual([[2, 'run.completed']]);
      expect(batch.items[0].data).toMatchObject({ status: 'completed', output: { content: 'done' } });

      // An ended run answers at once, however long the caller would wait.
      const again = Date.now();
      const tail = await call(RunContracts.events, { id: run.id, afterSeq: 2, waitMs: 10_000 }, user);
      expect(Date.now() - again).toBeLessThan(1000);
      expect(tail).toEqual({ items: [], status: 'completed', ended: true });
      const all = await call(RunContracts.events, { id: run.id, afterSeq: 0 }, user);
      expect(all).toMatchObject({ ended: true });
      expect(all.items).toHaveLength(2);
    });

    it('answers an event position beyond any run with nothing, not an error', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      expect(await call(RunContracts.events, { id: run.id, afterSeq: 999_999_999_999_999, waitMs: 0 }, user)).toMatchObject({ items: [], status: 'pending', ended: false });
      expect(fieldsOf((await outcomeOf(call(RunContracts.events, { id: run.id, afterSeq: 1e20, waitMs: 0 }, user))).details)).toEqual(['afterSeq']);
    });

    it('times out a long poll with nothing new, not ended', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      const askedAt = Date.now();
      const batch = await call(RunContracts.events, { id: run.id, afterSeq: 1, waitMs: 400 }, user);
      expect(Date.now() - askedAt).toBeGreaterThanOrEqual(350);
      expect(batch).toEqual({ items: [], status: 'pending', ended: false });
    });

    it('waits for a run to need action or end', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      const quick = await call(RunContracts.wait, { id: run.id, waitMs: 0 }, user);
      expect(quick.status).toBe('pending');
      const waiting = call(RunContracts.wait, { id: run.id, waitMs: 10_000 }, user);
      await sleep(200);
      const askedAt = Date.now();
      await endRun(run.id, { status: 'requires_action', requiredAction: { type: 'client_tool_calls', toolCalls: [{ id: 'c', name: 't', arguments: '{}' }] } });
      const parked = await waiting;
      expect(Date.now() - askedAt).toBeLessThan(2000);
      expect(parked).toMatchObject({ status: 'requires_action', requiredAction: { type: 'client_tool_calls' } });
    });
  });

  it('shows a stored error as it is, limit included', async () => {
    const user = newUser();
    const run = await start(user, { agentId: agentOf(user) });
    await endRun(run.id, { status: 'failed', error: { code: 'LIMIT_EXCEEDED', message: 'maxSteps reached', limit: 'maxSteps' } });
    const failed = await call(RunContracts.get, { id: run.id }, user);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'LIMIT_EXCEEDED', message: 'maxSteps reached', limit: 'maxSteps' } });
  });
  describe('start-for-owner and get-for-owner (the workflow service’s triggers)', () => {
    const workflowService: Actor = { kind: 'service', service: 'workflow' };
    const definition = {
      inputs: [
        { name: 'topic', type: 'string', required: true },
        { name: 'count', type: 'integer', default: 3 },
      ],
      outputs: [{ name: 'text', type: 'string' }],
      state: [],
      nodes: [{ id: 'start', type: 'start' }, { id: 'out', type: 'output', config: { values: { text: 'inputs.topic' } } }],
      edges: [{ from: 'start', to: 'out' }],
    } as unknown as WorkflowDefinition;
    const trigger = { kind: 'schedule' as const, id: randomUUID() };
    const startFor = (request: Partial<StartRunForOwnerRequest>, actor: Actor = workflowService) =>
      call(RunContracts.startForOwner, { trigger, idempotencyKey: randomUUID(), ...request } as StartRunForOwnerRequest, actor);

    it('queues a background workflow run billed to the owner, its inputs checked and completed, once per idempotency key', async () => {
      const owner = newUser();
      const workflowId = targets.workflowOf(owner, definition);
      const idempotencyKey = `tick:${randomUUID()}`;
      const run = await startFor({ ownerId: owner.userId!, workflowId, inputs: { topic: 'tides' }, idempotencyKey });
      expect(run).toMatchObject({ status: 'pending', background: true, workflowId, workflowVersion: 3, agentId: null, sessionId: null, input: { inputs: { topic: 'tides', count: 3 }, trigger } });
      const [row] = await query<{ owner_id: string; kind: string; workflow_snapshot: { definition: unknown } }>(
        databaseUrl,
        `SELECT owner_id, kind, workflow_snapshot FROM execution.runs WHERE id = $1`,
        [run.id],
      );
      expect(row).toMatchObject({ owner_id: owner.userId, kind: 'workflow', workflow_snapshot: { definition } });
      // A retried tick answers the same run.
      const again = await startFor({ ownerId: owner.userId!, workflowId, inputs: { topic: 'other' }, idempotencyKey });
      expect(again.id).toBe(run.id);
      // The owner sees it among their runs.
      expect((await call(RunContracts.get, { id: run.id }, owner)).id).toBe(run.id);
      // Pinned versions reach the workflow service.
      expect((await startFor({ ownerId: owner.userId!, workflowId, version: 1, inputs: { topic: 't' } })).workflowVersion).toBe(1);
    });

    it('queues a background run of an automation agent with its input as the message', async () => {
      const owner = newUser();
      const agentId = agentOf(owner, { maxSteps: 4 });
      const run = await startFor({ ownerId: owner.userId!, agentId, input: 'daily digest' });
      expect(run).toMatchObject({ status: 'pending', background: true, agentId, agentVersion: 4, workflowId: null, input: { message: 'daily digest', trigger }, limits: { maxSteps: 4 } });
      expect(run.sessionId).not.toBeNull();
    });

    it('refuses every caller but the workflow service, and another owner’s agent or workflow is not found', async () => {
      const owner = newUser();
      const workflowId = targets.workflowOf(owner, definition);
      const agentId = agentOf(owner);
      expect((await failure(startFor({ ownerId: owner.userId!, workflowId, inputs: { topic: 't' } }, owner))).code).toBe('FORBIDDEN');
      expect((await failure(startFor({ ownerId: owner.userId!, workflowId, inputs: { topic: 't' } }, { kind: 'service', service: 'conversation' }))).code).toBe('FORBIDDEN');
      const stranger = newUser();
      expect((await failure(startFor({ ownerId: stranger.userId!, workflowId, inputs: { topic: 't' } }))).code).toBe('NOT_FOUND');
      expect((await failure(startFor({ ownerId: stranger.userId!, agentId, input: 'x' }))).code).toBe('NOT_FOUND');
      const run = await startFor({ ownerId: owner.userId!, workflowId, inputs: { topic: 't' } });
      expect((await failure(call(RunContracts.getForOwner, { ownerId: owner.userId!, id: run.id }, owner))).code).toBe('FORBIDDEN');
      expect((await failure(call(RunContracts.getForOwner, { ownerId: stranger.userId!, id: run.id }, workflowService))).code).toBe('NOT_FOUND');
    });

    it('answers 400 naming the field for every bad request', async () => {
      const owner = newUser();
      const workflowId = targets.workflowOf(owner, definition);
      const agentId = agentOf(owner);
      const bad = async (request: Partial<StartRunForOwnerRequest>) => {
        const outcome = await failure(startFor({ ownerId: owner.userId!, ...request }));
        expect(outcome.code).toBe('VALIDATION_FAILED');
        return fieldsOf(outcome.details);
      };
      expect(await bad({ workflowId, agentId, inputs: {} })).toEqual(['agentId']);
      expect(await bad({})).toEqual(['agentId']);
      expect(await bad({ workflowId, inputs: {} })).toEqual(['inputs.topic']);
      expect(await bad({ workflowId, inputs: { topic: 5, count: 1.5, extra: true } })).toEqual(['inputs.extra', 'inputs.topic', 'inputs.count']);
      expect(await bad({ workflowId, input: 'text' })).toEqual(['input']);
      expect(await bad({ agentId, inputs: { a: 1 } })).toEqual(['inputs']);
      expect(await bad({ agentId })).toEqual(['input']);
      expect(await bad({ agentId, input: 'x', idempotencyKey: '' })).toEqual(['idempotencyKey']);
      expect(await bad({ agentId, input: 'x', trigger: { kind: 'nope', id: 'x' } as never })).toEqual(expect.arrayContaining(['trigger.kind']));
    });

    it('answers the run once it settles, waiting up to waitMs', async () => {
      const owner = newUser();
      const workflowId = targets.workflowOf(owner, definition);
      const run = await startFor({ ownerId: owner.userId!, workflowId, inputs: { topic: 't' } });
      expect((await call(RunContracts.getForOwner, { ownerId: owner.userId!, id: run.id }, workflowService)).status).toBe('pending');
      const waiting = call(RunContracts.getForOwner, { ownerId: owner.userId!, id: run.id, waitMs: 10_000 }, workflowService);
      await sleep(50);
      await markRunning(run.id);
      await endRun(run.id, { status: 'completed', output: { text: 't' } });
      expect(await waiting).toMatchObject({ id: run.id, status: 'completed', output: { text: 't' } });
    });
  });
});

import { randomUUID } from 'node:crypto';
import { type Actor, type RpcContract, RunContracts, SessionContracts, type StartRunRequest, UsageContracts, UserDeleted } from '#contracts';
import type { RunningService, Runtime } from '#service-kit';
import { query } from '#testing';
import { RunEndings } from '../src/run-engine/run-endings.js';
import { type FinishPatch, RunEngineService } from '../src/run-engine/run-engine.service.js';
import { type ExecutionUnderTest, fieldsOf, outcomeOf, OwnedTargets, startExecution } from './support/execution-spec.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sessions and daily usage, kept by the hooks of run endings, against the real PostgreSQL and the in-process bus. */
describe('sessions and usage', () => {
  let execution: ExecutionUnderTest;
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;

  const ENV = { EXECUTION_WORKER_CONCURRENCY: '0', EXECUTION_MAX_ACTIVE_RUNS_PER_USER: '50' };
  const targets = new OwnedTargets();

  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const agentOf = (actor: Actor): string => targets.agentOf(actor);
  const conversationOf = (actor: Actor, agentId: string): string => targets.conversationOf(actor, { agentId });
  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const start = (actor: Actor, request: Omit<StartRunRequest, 'input'>) => call(RunContracts.start, { input: 'hello', ...request } as StartRunRequest, actor);
  const failure = async (promise: Promise<unknown>) => {
    const outcome = await outcomeOf(promise);
    return { code: outcome.code, fields: fieldsOf(outcome.details) };
  };
  const endRun = (runId: string, patch: FinishPatch) => service.database.transaction(() => service.app.get(RunEndings).end(runId, null, patch));
  /** A step as an executor's journal leaves it. */
  const step = (runId: string, seq: number, type: string, name: string, extra: { model?: string | null; status?: string; prompt?: number; completion?: number; cost?: number } = {}) =>
    query(
      databaseUrl,
      `INSERT INTO execution.run_steps (id, run_id, seq, step_key, step_name, step_type, status, attempt, model, prompt_tokens, completion_tokens, cost_micros, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, now())`,
      [randomUUID(), runId, seq, `${type}:${seq}`, name, type, extra.status ?? 'completed', extra.model ?? null, extra.prompt ?? 0, extra.completion ?? 0, extra.cost ?? 0],
    );
  const today = () => new Date().toISOString().slice(0, 10);
  const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    targets.respond();
    execution = await startExecution('sessusage', ENV);
    ({ runtime, service, databaseUrl } = execution);
  });

  afterAll(async () => {
    targets.stop();
    await execution?.close();
  });

  describe('sessions', () => {
    it('follow their runs: paused while waiting, counts, messages, tools and status at the end', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const conversationId = conversationOf(user, agentId);
      const run = await start(user, { conversationId, variables: { lang: 'en' } });
      const sessionId = run.sessionId!;
      const fresh = await call(SessionContracts.get, { id: sessionId }, user);
      expect(fresh).toMatchObject({ id: sessionId, agentId, conversationId, status: 'running', runCount: 0, messagesCount: 0, variables: { lang: 'en' }, toolsUsed: {}, errorLogs: [], completedAt: null });

      await step(run.id, 1, 'llm_call', 'model call', { model: 'm1' });
      await step(run.id, 2, 'tool', 'calculator');
      await endRun(run.id, { status: 'requires_action', requiredAction: { type: 'client_tool_calls', toolCalls: [] } });
      const paused = await call(SessionContracts.get, { id: sessionId }, user);
      expect(paused).toMatchObject({ status: 'paused', runCount: 0, messagesCount: 0, toolsUsed: {}, completedAt: null });
      expect(Date.parse(paused.lastActiveAt)).toBeGreaterThanOrEqual(Date.parse(fresh.lastActiveAt));

      await service.app.get(RunEngineService).resume(run.id, [{ stepKey: 'tool:c1', output: { result: 'x' } }], user.userId);
      await query(databaseUrl, `UPDATE execution.runs SET status = 'running', lease_owner = 'w', lease_expires_at = now() + interval '1 hour', attempt = 2 WHERE id = $1`, [run.id]);
      await step(run.id, 4, 'tool', 'calculator');
      await step(run.id, 5, 'tool', 'http_get');
      await step(run.id, 6, 'tool', 'http_get', { status: 'failed' });
      await endRun(run.id, { status: 'completed', output: { content: 'done' } });
      const done = await call(SessionContracts.get, { id: sessionId }, user);
      expect(done).toMatchObject({ status: 'completed', runCount: 1, messagesCount: 2, toolsUsed: { calculator: 2, http_get: 1 }, errorLogs: [] });
      expect(done.completedAt).not.toBeNull();

      // The next message of the conversation reuses the session and adds to it.
      const second = await start(user, { conversationId, variables: { tone: 'dry' } });
      expect(second.sessionId).toBe(sessionId);
      expect(await call(SessionContracts.get, { id: sessionId }, user)).toMatchObject({ status: 'running', completedAt: null, variables: { lang: 'en', tone: 'dry' } });
      await step(second.id, 1, 'tool', 'calculator');
      await endRun(second.id, { status: 'failed', error: { code: 'LIMIT_EXCEEDED', message: 'maxSteps reached', limit: 'maxSteps' } });
      const failed = await call(SessionContracts.get, { id: sessionId }, user);
      expect(failed).toMatchObject({ status: 'failed', runCount: 2, messagesCount: 2, toolsUsed: { calculator: 3, http_get: 1 } });
      expect(failed.errorLogs).toEqual([{ runId: second.id, code: 'LIMIT_EXCEEDED', message: 'maxSteps reached', at: expect.any(String) }]);

      const third = await start(user, { conversationId });
      await endRun(third.id, { status: 'cancelled' });
      expect(await call(SessionContracts.get, { id: sessionId }, user)).toMatchObject({ status: 'completed', runCount: 3, messagesCount: 2 });
    });

    it('keep the last 50 error logs, newest last', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      const old = Array.from({ length: 50 }, (_, i) => ({ runId: randomUUID(), code: 'OLD', message: `old ${i}`, at: new Date().toISOString() }));
      await query(databaseUrl, `UPDATE execution.sessions SET error_logs = $2 WHERE id = $1`, [run.sessionId, JSON.stringify(old)]);
      await endRun(run.id, { status: 'expired', error: { code: 'TIMEOUT', message: 'out of time' } });
      const session = await call(SessionContracts.get, { id: run.sessionId! }, user);
      expect(session.status).toBe('failed');
      expect(session.errorLogs).toHaveLength(50);
      expect(session.errorLogs[0].message).toBe('old 1');
      expect(session.errorLogs.at(-1)).toMatchObject({ runId: run.id, code: 'TIMEOUT', message: 'out of time' });
      expect(session.messagesCount).toBe(0); // a standalone run writes no conversation messages
    });

    it('are found only by their owner', async () => {
      const user = newUser();
      const run = await start(user, { agentId: agentOf(user) });
      expect((await failure(call(SessionContracts.get, { id: run.sessionId! }, newUser()))).code).toBe('NOT_FOUND');
      expect((await failure(call(SessionContracts.get, { id: randomUUID() }, user))).code).toBe('NOT_FOUND');
    });
  });

  describe('usage', () => {
    it('adds a finished run’s model calls per model to today’s totals, the run counted on its main model', async () => {
      const user = newUser();
      const agentId = agentOf(user);
      const run = await start(user, { agentId });
      await step(run.id, 1, 'llm_call', 'model call', { model: 'gpt-a', prompt: 100, completion: 20, cost: 50 });
      await step(run.id, 2, 'tool', 'calculator', { prompt: 999 });
      await step(run.id, 3, 'llm_call', 'model call', { model: 'gpt-a', prompt: 120, completion: 30, cost: 60 });
      await step(run.id, 4, 'llm_call', 'model call', { model: 'gpt-b', prompt: 10, completion: 5, cost: 7 });
      await step(run.id, 5, 'llm_call', 'model call', { model: null, prompt: 1, completion: 1, cost: 1 });
      await step(run.id, 6, 'llm_call', 'model call', { model: 'gpt-b', status: 'abandoned', prompt: 500 });
      // Parking in requires_action counts nothing yet; the ending does.
      await endRun(run.id, { status: 'requires_action', requiredAction: { type: 'client_tool_calls', toolCalls: [] } });
      expect(await query(databaseUrl, `SELECT * FROM execution.usage_daily WHERE owner_id = $1`, [user.userId])).toEqual([]);
      await endRun(run.id, { status: 'cancelled' });
      const rows = await query<Record<string, unknown>>(
        databaseUrl,
        `SELECT day::text AS day, agent_id, model, request_count, run_count, prompt_tokens::int AS prompt, completion_tokens::int AS completion, cost_micros::int AS cost
         FROM execution.usage_daily WHERE owner_id = $1 ORDER BY model`,
        [user.userId],
      );
      expect(rows).toEqual([
        { day: today(), agent_id: agentId, model: '', request_count: 1, run_count: 0, prompt: 1, completion: 1, cost: 1 },
        { day: today(), agent_id: agentId, model: 'gpt-a', request_count: 2, run_count: 1, prompt: 220, completion: 50, cost: 110 },
        { day: today(), agent_id: agentId, model: 'gpt-b', request_count: 1, run_count: 0, prompt: 10, completion: 5, cost: 7 },
      ]);

      // A run without model calls adds nothing.
      const quiet = await start(user, { agentId });
      await endRun(quiet.id, { status: 'failed', error: { code: 'X', message: 'x' } });
      const [{ count }] = await query<{ count: string }>(databaseUrl, `SELECT count(*) FROM execution.usage_daily WHERE owner_id = $1`, [user.userId]);
      expect(Number(count)).toBe(3);
    });

    it('reports the caller’s usage grouped by day, agent or model, with a total', async () => {
      const user = newUser();
      const agentA = agentOf(user);
      const agentB = agentOf(user);
      const a = await start(user, { agentId: agentA });
      await step(a.id, 1, 'llm_call', 'm', { model: 'gpt-a', prompt: 100, completion: 10, cost: 40 });
      await endRun(a.id, { status: 'completed', output: { content: 'x' } });
      const b = await start(user, { agentId: agentB });
      await step(b.id, 1, 'llm_call', 'm', { model: 'gpt-b', prompt: 50, completion: 5, cost: 20 });
      await step(b.id, 2, 'llm_call', 'm', { model: 'gpt-a', prompt: 30, completion: 3, cost: 12 });
      await endRun(b.id, { status: 'completed', output: { content: 'y' } });
      // An older day, written as the hook would have then.
      await query(
        databaseUrl,
        `INSERT INTO execution.usage_daily (owner_id, day, agent_id, model, request_count, run_count, prompt_tokens, completion_tokens, cost_micros)
         VALUES ($1, $2::date, $3, 'gpt-a', 4, 2, 400, 40, 160)`,
        [user.userId, dayOffset(-3), agentA],
      );
      // Another user's usage is never in the report.
      const stranger = newUser();
      const s = await start(stranger, { agentId: agentOf(stranger) });
      await step(s.id, 1, 'llm_call', 'm', { model: 'gpt-a', prompt: 9999, completion: 1, cost: 1 });
      await endRun(s.id, { status: 'completed', output: { content: 'z' } });

      const from = dayOffset(-7);
      const to = dayOffset(1);
      const total = { key: 'total', requests: 7, runs: 4, promptTokens: 580, completionTokens: 58, totalTokens: 638, costMicros: 232 };
      const byDay = await call(UsageContracts.get, { from, to }, user);
      expect(byDay).toEqual({
        from,
        to,
        groupBy: 'day',
        items: [
          { key: dayOffset(-3), requests: 4, runs: 2, promptTokens: 400, completionTokens: 40, totalTokens: 440, costMicros: 160 },
          { key: today(), requests: 3, runs: 2, promptTokens: 180, completionTokens: 18, totalTokens: 198, costMicros: 72 },
        ],
        total,
      });
      const byAgent = await call(UsageContracts.get, { from, to, groupBy: 'agent' }, user);
      expect(byAgent.items).toEqual(
        [
          { key: agentA, requests: 5, runs: 3, promptTokens: 500, completionTokens: 50, totalTokens: 550, costMicros: 200 },
          { key: agentB, requests: 2, runs: 1, promptTokens: 80, completionTokens: 8, totalTokens: 88, costMicros: 32 },
        ].sort((x, y) => (x.key < y.key ? -1 : 1)),
      );
      expect(byAgent.total).toEqual(total);
      const byModel = await call(UsageContracts.get, { from, to, groupBy: 'model' }, user);
      // b's two calls tie: its run counts on the model first by name.
      expect(byModel.items).toEqual([
        { key: 'gpt-a', requests: 6, runs: 4, promptTokens: 530, completionTokens: 53, totalTokens: 583, costMicros: 212 },
        { key: 'gpt-b', requests: 1, runs: 0, promptTokens: 50, completionTokens: 5, totalTokens: 55, costMicros: 20 },
      ]);
      const onlyToday = await call(UsageContracts.get, { from: today(), to: today() }, user);
      expect(onlyToday.items.map((i) => i.key)).toEqual([today()]);
      const empty = await call(UsageContracts.get, { from: '2020-01-01', to: '2020-01-31', groupBy: 'model' }, newUser());
      expect(empty).toMatchObject({ items: [], total: { key: 'total', requests: 0, runs: 0, totalTokens: 0, costMicros: 0 } });
    });

    it('refuses bad ranges', async () => {
      const user = newUser();
      const bad = (data: { from: string; to: string; groupBy?: string }) => failure(call(UsageContracts.get, data as never, user));
      expect(await bad({ from: '2026-03-02', to: '2026-03-01' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['to'] });
      expect(await bad({ from: '2025-01-01', to: '2026-01-03' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['to'] });
      expect(await bad({ from: '2026-02-30', to: '2026-03-01' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['from'] });
      expect(await bad({ from: '2026-13-01', to: '2026-13-02' })).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await bad({ from: '1 March', to: '2026-03-01' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['from'] });
      expect(await bad({ from: '2026-03-01', to: '2026-03-02', groupBy: 'week' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['groupBy'] });
      // 366 days is the widest range (a leap year).
      expect((await bad({ from: '2024-01-01', to: '2025-01-01' })).code).toBe('ok');
    });
  });

  it('deletes a deleted user’s sessions and usage with their runs', async () => {
    const user = newUser();
    const run = await start(user, { agentId: agentOf(user) });
    await step(run.id, 1, 'llm_call', 'm', { model: 'gpt-a', prompt: 1 });
    await endRun(run.id, { status: 'completed', output: { content: 'x' } });
    const keep = newUser();
    const kept = await start(keep, { agentId: agentOf(keep) });
    await runtime.createPublisher().publish({ id: randomUUID(), subject: UserDeleted.subject, occurredAt: new Date().toISOString(), data: { userId: user.userId } });
    const left = async () =>
      (
        await query<{ n: string }>(
          databaseUrl,
          `SELECT (SELECT count(*) FROM execution.sessions WHERE owner_id = $1) + (SELECT count(*) FROM execution.usage_daily WHERE owner_id = $1)
                  + (SELECT count(*) FROM execution.runs WHERE owner_id = $1) AS n`,
          [user.userId],
        )
      )[0].n;
    const until = Date.now() + 5000;
    while (Number(await left()) > 0 && Date.now() < until) await sleep(50);
    expect(Number(await left())).toBe(0);
    expect((await call(SessionContracts.get, { id: kept.sessionId! }, keep)).id).toBe(kept.sessionId);
  });
});

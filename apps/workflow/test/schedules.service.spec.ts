import { randomUUID } from 'node:crypto';
import {
  type Actor,
  AppError,
  ConfigCacheContracts,
  type Envelope,
  type RpcContract,
  RunContracts,
  ScheduleContracts,
  type StartRunForOwnerRequest,
  WorkflowContracts,
  type WorkflowDefinition,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query } from '#testing';
import { workflowApp } from '../src/workflow.app.js';

/**
 * Schedules against the real PostgreSQL with two replicas of the workflow service ticking every
 * 100 ms. The execution service is a stand-in recording every start-for-owner it is asked, so
 * "each tick exactly once" is counted where the runs would start.
 */
describe('workflow service: schedules', () => {
  let runtime: Runtime;
  let replicas: RunningService[] = [];
  let databaseUrl: string;
  const bus = () => InProcessBus.shared();
  const starts: StartRunForOwnerRequest[] = [];
  let refuseStarts = 0;
  const agents = new Map<string, { ownerId: string; agentType: string }>();
  const stops: Array<() => void> = [];

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: 'ok', fields: [] as string[] }),
      (err: unknown) =>
        err instanceof AppError ? { code: err.code as string, fields: ((err.details?.errors ?? []) as Array<{ field: string }>).map((e) => e.field) } : { code: String(err), fields: [] },
    );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const startsOf = (scheduleId: string) => starts.filter((s) => s.trigger.id === scheduleId);
  async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(50);
    }
  }

  const definition: WorkflowDefinition = {
    inputs: [{ name: 'topic', type: 'string' }],
    outputs: [{ name: 'summary', type: 'string' }],
    state: [],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'done', type: 'output', config: { values: { summary: 'inputs.topic' } } },
    ],
    edges: [{ from: 'start', to: 'done' }],
  };
  const newWorkflow = async (owner: Actor) => (await call(WorkflowContracts.create, { name: 'Nightly', definition }, owner)).id;

  beforeAll(async () => {
    stops.push(
      bus().respond(RunContracts.startForOwner.subject, async (raw) => {
        const { data } = raw as Envelope<StartRunForOwnerRequest>;
        if (refuseStarts > 0) {
          refuseStarts -= 1;
          return { ok: false, error: { code: 'UNAVAILABLE', message: 'down' } };
        }
        starts.push(data);
        return { ok: true, data: { id: randomUUID(), status: 'queued' } };
      }),
      bus().respond(ConfigCacheContracts.resolve.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ agentId: string }>;
        const agent = agents.get(data.agentId);
        if (!agent || agent.ownerId !== actor.userId) return { ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } };
        return { ok: true, data: { agentId: data.agentId, ownerId: agent.ownerId, name: 'A', version: 1, snapshot: { agentType: agent.agentType } } };
      }),
    );
    process.env.WORKFLOW_SCHEDULER_INTERVAL_MS = '100';
    process.env.WORKFLOW_SCHEDULE_MISSED_AFTER_MS = '5000';
    databaseUrl = await createTestDatabase('wfsched');
    runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false }, 'workflow-schedules-spec');
    replicas = [await startBusService(workflowApp, runtime), await startBusService(workflowApp, runtime)];
  });

  afterAll(async () => {
    delete process.env.WORKFLOW_SCHEDULER_INTERVAL_MS;
    delete process.env.WORKFLOW_SCHEDULE_MISSED_AFTER_MS;
    for (const stop of stops) stop();
    for (const replica of replicas) await replica.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('fires a per-second schedule exactly once per tick across two replicas, for the owner, with the tick as idempotency key', async () => {
      const owner = newUser();
      const workflowId = await newWorkflow(owner);
      const startAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
      const endAt = new Date(startAt.getTime() + 4000);
      const schedule = await call(ScheduleContracts.create, { workflowId, cron: '* * * * * *', inputs: { topic: 'owls' }, startAt: startAt.toISOString(), endAt: endAt.toISOString() }, owner);
      expect(schedule.nextFireTimes).toEqual([0, 1, 2, 3].map((i) => new Date(startAt.getTime() + i * 1000).toISOString()));
      await until(() => Date.now() > endAt.getTime() + 500 && startsOf(schedule.id).length >= 4);
      await sleep(500);
      const mine = startsOf(schedule.id);
      expect(mine).toHaveLength(4);
      expect(new Set(mine.map((s) => s.idempotencyKey)).size).toBe(4);
      expect(mine[0]).toMatchObject({ ownerId: owner.userId, workflowId, inputs: { topic: 'owls' }, trigger: { kind: 'schedule', id: schedule.id }, idempotencyKey: `schedule:${schedule.id}:${startAt.toISOString()}` });
      const after = await call(ScheduleContracts.get, { id: schedule.id }, owner);
      expect(after).toMatchObject({ nextFireTimes: [], lastFiredAt: new Date(endAt.getTime() - 1000).toISOString(), lastRunId: expect.any(String), lastError: null });
    });

    it('runs several schedules of one target, pauses and resumes them, and lists the next fire times in their time zone', async () => {
      const owner = newUser();
      const workflowId = await newWorkflow(owner);
      const daily = await call(ScheduleContracts.create, { workflowId, cron: '0 9 * * *', timeZone: 'Asia/Tokyo' }, owner);
      expect(daily.nextFireTimes).toHaveLength(5);
      expect(daily.nextFireTimes.every((t) => t.endsWith('T00:00:00.000Z'))).toBe(true);
      const weekly = await call(ScheduleContracts.create, { workflowId, cron: '30 8 * * 1', missedPolicy: 'catch_up' }, owner);
      expect((await call(ScheduleContracts.list, { workflowId }, owner)).items.map((s) => s.id)).toEqual([weekly.id, daily.id]);
      const paused = await call(ScheduleContracts.update, { id: daily.id, paused: true }, owner);
      expect(paused).toMatchObject({ paused: true, nextFireTimes: [] });
      const resumed = await call(ScheduleContracts.update, { id: daily.id, paused: false, cron: '15 9 * * *' }, owner);
      expect(resumed.nextFireTimes[0]).toMatch(/T00:15:00.000Z$/);
      await call(ScheduleContracts.delete, { id: weekly.id }, owner);
      expect(await failure(call(ScheduleContracts.get, { id: weekly.id }, owner))).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('schedules an automation agent with its message', async () => {
      const owner = newUser();
      const agentId = randomUUID();
      agents.set(agentId, { ownerId: owner.userId as string, agentType: 'automation' });
      const schedule = await call(ScheduleContracts.create, { agentId, cron: '* * * * * *', input: 'Check the inbox' }, owner);
      await until(() => startsOf(schedule.id).length >= 1);
      await call(ScheduleContracts.update, { id: schedule.id, paused: true }, owner);
      expect(startsOf(schedule.id)[0]).toMatchObject({ ownerId: owner.userId, agentId, input: 'Check the inbox' });
      expect(startsOf(schedule.id)[0].workflowId).toBeUndefined();
    });

    it('skips missed ticks, or catches up with exactly one run', async () => {
      const owner = newUser();
      const workflowId = await newWorkflow(owner);
      // A yearly cron: no tick of its own falls in the test (a 5-minute one fired at :00 once, on skip).
      const skip = await call(ScheduleContracts.create, { workflowId, cron: '0 0 1 1 *', missedPolicy: 'skip' }, owner);
      const catchUp = await call(ScheduleContracts.create, { workflowId, cron: '0 0 1 1 *', missedPolicy: 'catch_up' }, owner);
      // As if every replica had been down for an hour: the ticks of that hour are due and missed.
      await query(databaseUrl, `UPDATE workflow.schedules SET next_fire_at = now() - interval '1 hour' WHERE id = ANY($1)`, [[skip.id, catchUp.id]]);
      await until(async () => (await query(databaseUrl, `SELECT 1 FROM workflow.schedules WHERE id = ANY($1) AND next_fire_at > now()`, [[skip.id, catchUp.id]])).length === 2);
      await until(() => startsOf(catchUp.id).length >= 1);
      await sleep(300);
      expect(startsOf(skip.id)).toHaveLength(0);
      expect(startsOf(catchUp.id)).toHaveLength(1);
    });

    it('retries a tick whose run could not be started, with the same key', async () => {
      const owner = newUser();
      const workflowId = await newWorkflow(owner);
      refuseStarts = 2;
      const schedule = await call(ScheduleContracts.create, { workflowId, cron: '* * * * * *' }, owner);
      await until(() => startsOf(schedule.id).length >= 1);
      await call(ScheduleContracts.update, { id: schedule.id, paused: true }, owner);
      const fires = await query<{ attempts: number; status: string }>(databaseUrl, `SELECT attempts, status FROM workflow.schedule_fires WHERE schedule_id = $1 ORDER BY fire_at`, [schedule.id]);
      expect(fires[0]).toEqual({ attempts: 3, status: 'started' });
    });
  });

  describe('failing', () => {
    it('refuses bad crons, time zones, targets and inputs, naming the field', async () => {
      const owner = newUser();
      const workflowId = await newWorkflow(owner);
      const bad = async (body: Record<string, unknown>) => failure(call(ScheduleContracts.create, { workflowId, cron: '0 9 * * *', ...body }, owner));
      expect(await bad({ cron: 'every day' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['cron'] });
      expect(await bad({ cron: '61 * * * *' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['cron'] });
      expect(await bad({ timeZone: 'Mars/Olympus' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['timeZone'] });
      expect(await bad({ agentId: randomUUID() })).toEqual({ code: 'VALIDATION_FAILED', fields: ['workflowId'] });
      expect(await failure(call(ScheduleContracts.create, { cron: '0 9 * * *' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['workflowId'] });
      expect(await failure(call(ScheduleContracts.create, { workflowId }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cron'] });
      const schedule = await call(ScheduleContracts.create, { workflowId, cron: '0 9 * * *' }, owner);
      expect(await failure(call(ScheduleContracts.update, { id: schedule.id, input: 'text' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['input'] });
      expect(await failure(call(ScheduleContracts.update, { id: schedule.id, cron: '* * *' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cron'] });

      const assistive = randomUUID();
      agents.set(assistive, { ownerId: owner.userId as string, agentType: 'assistive' });
      expect(await failure(call(ScheduleContracts.create, { agentId: assistive, cron: '0 9 * * *', input: 'x' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['agentId'] });
      const automation = randomUUID();
      agents.set(automation, { ownerId: owner.userId as string, agentType: 'automation' });
      expect(await failure(call(ScheduleContracts.create, { agentId: automation, cron: '0 9 * * *' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['input'] });
    });

    it('answers NOT_FOUND for another user’s schedule, workflow or agent', async () => {
      const owner = newUser();
      const stranger = newUser();
      const workflowId = await newWorkflow(owner);
      const schedule = await call(ScheduleContracts.create, { workflowId, cron: '0 9 * * *' }, owner);
      expect((await failure(call(ScheduleContracts.get, { id: schedule.id }, stranger))).code).toBe('NOT_FOUND');
      expect((await failure(call(ScheduleContracts.update, { id: schedule.id, paused: true }, stranger))).code).toBe('NOT_FOUND');
      expect((await failure(call(ScheduleContracts.delete, { id: schedule.id }, stranger))).code).toBe('NOT_FOUND');
      expect((await failure(call(ScheduleContracts.create, { workflowId, cron: '0 9 * * *' }, stranger))).code).toBe('NOT_FOUND');
      const theirAgent = randomUUID();
      agents.set(theirAgent, { ownerId: owner.userId as string, agentType: 'automation' });
      expect(await failure(call(ScheduleContracts.create, { agentId: theirAgent, cron: '0 9 * * *', input: 'x' }, stranger))).toEqual({ code: 'NOT_FOUND', fields: ['agentId'] });
      expect((await call(ScheduleContracts.list, {}, stranger)).items).toEqual([]);
    });

    it('stops a schedule whose target is gone', async () => {
      const owner = newUser();
      const agentId = randomUUID();
      agents.set(agentId, { ownerId: owner.userId as string, agentType: 'automation' });
      const stopGone = bus().respond(RunContracts.startForOwner.subject, async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } }));
      try {
        // Both stand-ins answer in turn; keep going until the gone one has answered a tick.
        const schedule = await call(ScheduleContracts.create, { agentId, cron: '* * * * * *', input: 'x' }, owner);
        await until(async () => (await call(ScheduleContracts.get, { id: schedule.id }, owner)).paused);
        expect(await call(ScheduleContracts.get, { id: schedule.id }, owner)).toMatchObject({ paused: true, lastError: 'NOT_FOUND', nextFireTimes: [] });
      } finally {
        stopGone();
      }
    });
  });
});

import { randomUUID } from 'node:crypto';
import { AgentDeleted, AppError, UserDeleted } from '#contracts';
import { loadConfig, loadExecutionConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query, testEnv, uniqueNamespace } from '#testing';
import { executionApp } from '../src/execution.app.js';
import { ExecutorRegistry } from '../src/run-engine/executor-registry.js';
import { RunEndings } from '../src/run-engine/run-endings.js';
import { LeaseLostError } from '../src/run-engine/run-engine.errors.js';
import { RunEngineRepository } from '../src/run-engine/run-engine.repository.js';
import {
  type EnqueueRunRequest,
  type ExecutorResult,
  type RunContext,
  type RunEntity,
  RunEngineService,
  type RunExecutor,
  RunFailure,
} from '../src/run-engine/run-engine.service.js';
import { RunWorker } from '../src/run-engine/run-worker.js';
import { RunStages } from '../src/run-engine/run-stages.js';
import { FencedStepJournal } from '../src/run-engine/step-journal.js';
import { RunEventsService } from '../src/run-events/run-events.service.js';

type Script = 'steps' | 'throw' | 'limit' | 'stream' | 'action';
interface ScriptInput {
  script: Script;
  /** Attempt 1 stops inside step s2 until the test lets it go. */
  hang?: boolean;
  /** Attempt 1 stops after s1, before s2 starts, until the test lets it go. */
  pauseBeforeS2?: boolean;
}

interface Gate {
  reached: Promise<void>;
  arrive: () => void;
  release: () => void;
  released: Promise<void>;
}

function gate(): Gate {
  let arrive = () => {};
  let release = () => {};
  const reached = new Promise<void>((r) => (arrive = r));
  const released = new Promise<void>((r) => (release = r));
  return { reached, arrive, release, released };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The test executor: a few scripted behaviours chosen by the run's input, counting what really
 * ran so the specs can tell a replayed step from a repeated one.
 */
class ScriptedExecutor implements RunExecutor {
  /** runId -> the lease owners of every attempt that started executing it. */
  readonly executions = new Map<string, string[]>();
  /** `${runId}/${stepKey}` -> how often the step's work really ran. */
  readonly stepWork = new Map<string, number>();
  readonly abortReasons = new Map<string, unknown>();
  readonly gates = new Map<string, Gate>();

  async execute({ run, journal, signal }: RunContext): Promise<ExecutorResult> {
    this.executions.set(run.id, [...(this.executions.get(run.id) ?? []), run.leaseOwner ?? '?']);
    signal.addEventListener('abort', () => this.abortReasons.set(run.id, signal.reason), { once: true });
    const input = run.input as ScriptInput;
    switch (input.script) {
      case 'steps': {
        const outputs: string[] = [];
        for (const key of ['s1', 's2', 's3']) {
          const paused = this.gates.get(run.id);
          if (key === 's2' && input.pauseBeforeS2 && run.attempt === 1 && paused) {
            paused.arrive();
            await paused.released;
          }
          outputs.push(
            await journal.step({ key, name: `model call ${key}`, type: 'llm_call', input: { key } }, async () => {
              this.stepWork.set(`${run.id}/${key}`, (this.stepWork.get(`${run.id}/${key}`) ?? 0) + 1);
              const g = this.gates.get(run.id);
              if (key === 's2' && input.hang && run.attempt === 1 && g) {
                g.arrive();
                await g.released;
              }
              return { output: `${key}-out`, usage: { promptTokens: 10, completionTokens: 5, costMicros: 7 } };
            }),
          );
        }
        return { status: 'completed', output: { answer: outputs.join(',') } };
      }
      case 'throw':
        throw new Error('boom');
      case 'limit':
        throw new RunFailure('LIMIT_EXCEEDED', 'maxSteps reached');
      case 'action': {
        const answered = journal.completed('client-tool');
        if (!answered) return { status: 'requires_action', action: { stepKey: 'client-tool', name: 'client_tool' } };
        return { status: 'completed', output: { toolSaid: answered.output } };
      }
      case 'stream': {
        let text = '';
        // Like a model stream that stops only when aborted; it keeps its partial answer reported.
        while (!signal.aborted) {
          text += 'tok ';
          journal.reportPartial({ text });
          await journal.append('token', { delta: 'tok ' });
          await sleep(40);
        }
        throw signal.reason;
      }
    }
  }
}

describe('run queue and workers', () => {
  const runtimes: Runtime[] = [];
  const services: RunningService[] = [];
  const executor = new ScriptedExecutor();
  let databaseUrl: string;
  let queue: RunEngineService;
  let workerA: RunWorker;
  let workerB: RunWorker;

  const ENV = {
    EXECUTION_WORKER_CONCURRENCY: '4',
    // Short enough to test takeovers quickly, long enough that a heartbeat delayed by a loaded
    // machine does not lose a lease a live worker holds.
    EXECUTION_LEASE_MS: '2000',
    EXECUTION_HEARTBEAT_MS: '250',
    EXECUTION_POLL_MS: '200',
    EXECUTION_MAX_ATTEMPTS: '3',
    EXECUTION_RETRY_DELAY_MS: '50',
  };

  const agentRun = (ownerId: string, input: ScriptInput, extra: Partial<EnqueueRunRequest> = {}): EnqueueRunRequest => ({
    ownerId,
    target: { kind: 'agent', agentId: randomUUID(), agentVersion: 1 },
    input,
    ...extra,
  });

  /** The run's stored events after `afterSeq`, without waiting. */
  const readEvents = (runId: string, afterSeq = 0) => services[0].app.get(RunEventsService).read(runId, afterSeq, 0);
  const waitFor = async (runId: string, done: (run: RunEntity) => boolean, timeoutMs = 8000): Promise<RunEntity> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const run = await queue.get(runId);
      if (run && done(run)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} is still ${run?.status ?? 'missing'}`);
      await sleep(25);
    }
  };
  const ended = (run: RunEntity) => ['completed', 'failed', 'cancelled', 'expired', 'requires_action'].includes(run.status);

  beforeAll(async () => {
    Object.assign(process.env, ENV);
    databaseUrl = await createTestDatabase('runs');
    const config = { ...loadConfig({}), databaseUrl, natsUrl: testEnv().natsUrl, busNamespace: uniqueNamespace('runs'), outboxRelay: false };
    for (const name of ['execution-a', 'execution-b']) {
      const runtime = await Runtime.create(config, name);
      runtimes.push(runtime);
      const service = await startBusService(executionApp, runtime);
      services.push(service);
      service.app.get(RunEngineService).register('agent', executor);
    }
    queue = services[0].app.get(RunEngineService);
    workerA = services[0].app.get(RunWorker);
    workerB = services[1].app.get(RunWorker);
    workerA.wake();
    workerB.wake();
  });

  afterAll(async () => {
    for (const key of Object.keys(ENV)) delete process.env[key];
    for (const service of services) await service.close();
    for (const runtime of runtimes) await runtime.close();
  });

  it('returns the same run for the same owner and idempotency key, also under concurrent requests', async () => {
    const owner = randomUUID();
    const request = agentRun(owner, { script: 'steps' }, { idempotencyKey: 'key-1' });
    const results = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue(request)));
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const again = await queue.enqueue(request);
    expect(again).toMatchObject({ created: false, run: { id: results[0].run.id } });
    const other = await queue.enqueue({ ...request, ownerId: randomUUID() });
    expect(other.created).toBe(true);
    expect(other.run.id).not.toBe(results[0].run.id);
    await waitFor(results[0].run.id, ended);
    await waitFor(other.run.id, ended);
  });

  it('gives each of many runs to exactly one of two workers, each executed once', async () => {
    const owner = randomUUID();
    const runs = await Promise.all(Array.from({ length: 24 }, () => queue.enqueue(agentRun(owner, { script: 'steps' }))));
    const done = await Promise.all(runs.map(({ run }) => waitFor(run.id, ended, 15_000)));
    expect(done.map((r) => r.status)).toEqual(done.map(() => 'completed'));
    for (const { run } of runs) {
      expect(executor.executions.get(run.id)).toHaveLength(1);
      for (const key of ['s1', 's2', 's3']) expect(executor.stepWork.get(`${run.id}/${key}`)).toBe(1);
    }
    expect(done.every((r) => r.attempt === 1 && r.leaseOwner === null)).toBe(true);
    expect(done[0]).toMatchObject({ output: { answer: 's1-out,s2-out,s3-out' }, outputPartial: false, usage: { promptTokens: 30, completionTokens: 15, costMicros: 21 } });
    const completedEvents = await query<{ count: string }>(databaseUrl, `SELECT count(*) FROM execution.outbox WHERE subject = 'events.execution.run.completed' AND envelope->'data'->>'ownerId' = $1`, [owner]);
    expect(Number(completedEvents[0].count)).toBe(24);
  });

  it('takes over the run of a dead worker after its lease, without repeating completed steps, and fences off the late worker', async () => {
    await workerB.stop();
    const owner = randomUUID();
    const g = gate();
    const { run } = await queue.enqueue(agentRun(owner, { script: 'steps', hang: true }, { idempotencyKey: 'crash' }));
    executor.gates.set(run.id, g);
    workerA.wake();
    await g.reached; // attempt 1 finished s1 and is inside s2
    expect(workerA.activeRunIds()).toContain(run.id);
    workerA.abandon(); // "kill -9": no heartbeat, nothing handed back
    const diedAt = Date.now();
    workerB.start();

    const finished = await waitFor(run.id, ended);
    expect(Date.now() - diedAt).toBeLessThan(5000);
    expect(finished).toMatchObject({ status: 'completed', attempt: 2, failureCount: 1, leaseOwner: null, lastError: { code: 'WORKER_LOST' } });
    expect(finished.output).toEqual({ answer: 's1-out,s2-out,s3-out' });
    expect(executor.executions.get(run.id)).toEqual([workerA.id, workerB.id]);
    // s1 completed in attempt 1 and was replayed from the journal; s2 was cut off and redone once.
    expect(['s1', 's2', 's3'].map((k) => executor.stepWork.get(`${run.id}/${k}`))).toEqual([1, 2, 1]);
    const steps = await queue.steps(run.id);
    expect(steps.map((s) => [s.key, s.status, s.attempt])).toEqual([
      ['s1', 'completed', 1],
      ['s2', 'abandoned', 1],
      ['s2', 'completed', 2],
      ['s3', 'completed', 2],
    ]);
    expect(finished.usage).toEqual({ promptTokens: 30, completionTokens: 15, costMicros: 21 });

    // The "dead" worker wakes up late and tries to finish its step and its run.
    const eventsBefore = await readEvents(run.id);
    g.release();
    await sleep(300);
    const late = await services[0].app.get(RunEndings).end(run.id, { runId: run.id, attempt: 1, leaseOwner: workerA.id }, { status: 'failed', error: { code: 'LATE', message: 'late write' } });
    expect(late).toBeNull();
    expect(await services[0].app.get(RunEventsService).appendFenced({ runId: run.id, attempt: 1, leaseOwner: workerA.id }, 'late', {})).toBeNull();
    expect(await queue.get(run.id)).toMatchObject({ status: 'completed', attempt: 2, output: { answer: 's1-out,s2-out,s3-out' }, updatedAt: finished.updatedAt });
    expect(await queue.steps(run.id)).toEqual(steps);
    expect(await readEvents(run.id)).toEqual(eventsBefore);
    workerA.start();
  });

  it('sends no model call from a worker that wakes after its run was taken over, though a fresh lease sends it while its start is written', async () => {
    await workerB.stop();
    const g = gate();
    const { run } = await queue.enqueue(agentRun(randomUUID(), { script: 'steps', pauseBeforeS2: true }));
    executor.gates.set(run.id, g);
    workerA.wake();
    await g.reached; // attempt 1 stored s1 and has not started s2
    workerA.abandon();
    workerB.start();
    const finished = await waitFor(run.id, ended);
    expect(finished).toMatchObject({ status: 'completed', attempt: 2, output: { answer: 's1-out,s2-out,s3-out' } });

    // Its lease is long gone by its own clock: s2's start is stored first, finds the run taken, and nothing is sent.
    g.release();
    await sleep(300);
    expect(['s1', 's2', 's3'].map((k) => executor.stepWork.get(`${run.id}/${k}`))).toEqual([1, 1, 1]);
    workerA.start();
  });

  it('aborts a model call sent while its start was written when that start finds the run gone; any other step waits for its start', async () => {
    const repository = services[0].app.get(RunEngineRepository);
    const events = services[0].app.get(RunEventsService);
    // A fence no run matches: the start's write finds the run gone.
    const journal = (leaseHeld: boolean) => new FencedStepJournal(repository, events, { runId: randomUUID(), attempt: 1, leaseOwner: 'gone' }, [], () => undefined, () => leaseHeld);
    const sent: string[] = [];
    const work = (name: string) => (startFailed: AbortSignal) => {
      sent.push(name);
      return new Promise<never>((_, reject) => startFailed.addEventListener('abort', () => reject(new Error(`${name} aborted`)), { once: true }));
    };
    await expect(journal(true).step({ key: 'llm:1', name: 'model', type: 'llm_call', input: {} }, work('model, fresh lease'))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(journal(false).step({ key: 'llm:1', name: 'model', type: 'llm_call', input: {} }, work('model, old lease'))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(journal(true).step({ key: 'tool:1', name: 'tool', type: 'tool', input: {} }, work('tool'))).rejects.toBeInstanceOf(LeaseLostError);
    expect(sent).toEqual(['model, fresh lease']);
  });

  it('fails a run whose executor keeps throwing after the configured attempts, with the reason', async () => {
    const { run } = await queue.enqueue(agentRun(randomUUID(), { script: 'throw' }));
    const failed = await waitFor(run.id, ended);
    expect(failed).toMatchObject({ status: 'failed', attempt: 3, leaseOwner: null, error: { code: 'EXECUTOR_ERROR', message: 'gave up after 3 failed attempts: boom' } });
    expect(executor.executions.get(run.id)).toHaveLength(3);
    const types = (await readEvents(run.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'run.retrying')).toHaveLength(2);
    expect(types.at(-1)).toBe('run.failed');
  });

  it('fails a run at once on a failure the executor marks as final', async () => {
    const { run } = await queue.enqueue(agentRun(randomUUID(), { script: 'limit' }));
    const failed = await waitFor(run.id, ended);
    expect(failed).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'LIMIT_EXCEEDED', message: 'maxSteps reached' } });
  });

  it('fails a run whose workers keep dying instead of leaving it running', async () => {
    const owner = randomUUID();
    // Held for a worker that does not exist, so no worker here claims it before the spec rewrites it.
    const { run } = await queue.enqueue({ ownerId: owner, target: { kind: 'workflow', workflowId: randomUUID(), workflowVersion: 1 }, input: { script: 'steps' }, keyHolder: 'no-such-worker' });
    // Two workers already died on it and the third is gone too: what the claim query finds after kill -9s.
    await query(
      databaseUrl,
      `UPDATE execution.runs SET kind = 'agent', agent_id = $2, agent_version = 1, workflow_id = NULL, workflow_version = NULL, status = 'running',
         lease_owner = 'ghost', lease_expires_at = now() - interval '1 second', attempt = 3, failure_count = 2, started_at = now(), key_holder = NULL WHERE id = $1`,
      [run.id, randomUUID()],
    );
    const failed = await waitFor(run.id, ended);
    expect(failed).toMatchObject({
      status: 'failed',
      leaseOwner: null,
      error: { code: 'WORKER_LOST', message: 'gave up after 3 failed attempts: the worker running attempt 3 stopped renewing its lease' },
    });
    expect(executor.executions.has(run.id)).toBe(false);
  });

  it('keeps a run longer than the lease through heartbeats, then expires it at its wall-clock limit with the partial answer', async () => {
    // 3.5 s against a 2 s lease: without heartbeats the other worker would take it over.
    const { run } = await queue.enqueue(agentRun(randomUUID(), { script: 'stream' }, { limits: { timeoutMs: 3500 } }));
    const expired = await waitFor(run.id, ended, 15_000);
    expect(expired).toMatchObject({ status: 'expired', attempt: 1, failureCount: 0, outputPartial: true, error: { code: 'LIMIT_EXCEEDED', limit: 'timeout' }, timeoutMs: 3500 });
    expect((expired.output as { text: string }).text).toMatch(/^(tok )+$/);
    // Ended by its own limit, not by a lease running out somewhere later.
    expect(expired.completedAt!.getTime() - expired.startedAt!.getTime()).toBeGreaterThanOrEqual(3500);
    expect(executor.executions.get(run.id)).toHaveLength(1);
    expect(executor.abortReasons.get(run.id)).toBe('timeout');
  });

  it('wakes an idle worker through the broadcast, long before its poll', async () => {
    await Promise.all([workerA.stop(), workerB.stop()]);
    const registry = new ExecutorRegistry();
    registry.register('agent', executor);
    const config = { ...loadExecutionConfig(), pollMs: 60_000 };
    const sleepy = new RunWorker(
      services[1].app.get(RunEngineRepository),
      registry,
      services[1].app.get(RunEndings),
      services[1].app.get(RunEventsService),
      services[1].database,
      new RunStages(config),
      runtimes[1].createBroadcast(),
      config,
    );
    sleepy.start();
    try {
      await sleep(200); // its first look at start-up is over; from now on only a wake-up or the poll finds work
      const { run } = await queue.enqueue(agentRun(randomUUID(), { script: 'steps' }));
      const enqueuedAt = Date.now();
      const done = await waitFor(run.id, ended, 15_000);
      expect(Date.now() - enqueuedAt).toBeLessThan(2000);
      expect(executor.executions.get(run.id)).toEqual([sleepy.id]);
      expect(done.status).toBe('completed');
    } finally {
      await sleepy.stop();
      workerA.start();
      workerB.start();
    }
  });

  it('cancels a running run within a second on whichever worker holds it, keeping the partial answer', async () => {
    const owner = randomUUID();
    const { run } = await queue.enqueue(agentRun(owner, { script: 'stream' }));
    const until = Date.now() + 5000;
    while ((await readEvents(run.id)).filter((e) => e.type === 'token').length < 3) {
      if (Date.now() > until) throw new Error('the run never streamed');
      await sleep(20);
    }
    const askedAt = Date.now();
    // Through the replica that does not necessarily hold the run: the broadcast reaches the holder.
    expect((await services[1].app.get(RunEngineService).requestCancel(run.id, owner)).status).toBe('running');
    const cancelled = await waitFor(run.id, ended, 10_000);
    expect(Date.now() - askedAt).toBeLessThan(1500);
    expect(cancelled).toMatchObject({ status: 'cancelled', outputPartial: true, leaseOwner: null });
    expect((cancelled.output as { text: string }).text).toMatch(/^(tok )+$/);
    expect(executor.abortReasons.get(run.id)).toBe('cancelled');
    const events = await readEvents(run.id);
    expect(events.at(-1)).toMatchObject({ type: 'run.cancelled', data: { status: 'cancelled', partial: true } });
    await sleep(150);
    expect(await readEvents(run.id)).toHaveLength(events.length); // the executor's later writes were refused
    const outbox = await query<{ subject: string }>(databaseUrl, `SELECT subject FROM execution.outbox WHERE envelope->'data'->>'runId' = $1`, [run.id]);
    expect(outbox.map((o) => o.subject)).toEqual(['events.execution.run.cancelled']);
    await expect(queue.requestCancel(run.id, owner)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('hands its runs back on a graceful stop, without counting a failure, and another worker carries on', async () => {
    const owner = randomUUID();
    const { run } = await queue.enqueue(agentRun(owner, { script: 'stream' }));
    const running = await waitFor(run.id, (r) => r.status === 'running');
    const holder = running.leaseOwner === workerA.id ? workerA : workerB;
    const other = holder === workerA ? workerB : workerA;
    await holder.stop();
    const moved = await waitFor(run.id, (r) => r.status === 'running' && r.leaseOwner === other.id, 15_000);
    expect(moved).toMatchObject({ attempt: 2, failureCount: 0 });
    expect(executor.abortReasons.get(run.id)).toBe('shutdown');
    holder.start();
    await queue.requestCancel(run.id, owner);
    expect(await waitFor(run.id, ended, 10_000)).toMatchObject({ status: 'cancelled' });
  });

  it('cancels a pending run directly, and hides runs from other owners', async () => {
    const owner = randomUUID();
    // Held for a worker that does not exist, so this one stays pending.
    const { run } = await queue.enqueue({ ownerId: owner, target: { kind: 'workflow', workflowId: randomUUID(), workflowVersion: 2 }, input: {}, keyHolder: 'no-such-worker' });
    await expect(queue.requestCancel(run.id, randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const cancelled = await queue.requestCancel(run.id, owner);
    expect(cancelled).toMatchObject({ status: 'cancelled', attempt: 0, outputPartial: false });
    expect(cancelled.completedAt).not.toBeNull();
    const err = await queue.requestCancel(run.id, owner).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((await readEvents(run.id)).map((e) => e.type)).toEqual(['run.queued', 'run.cancelled']);
  });

  it('parks a run that needs a client action in requires_action, and resumes it with the answer', async () => {
    const owner = randomUUID();
    const { run } = await queue.enqueue(agentRun(owner, { script: 'action' }));
    const parked = await waitFor(run.id, ended);
    expect(parked).toMatchObject({ status: 'requires_action', requiredAction: { stepKey: 'client-tool' }, leaseOwner: null, completedAt: null });
    await expect(queue.resume(run.id, [{ stepKey: 'client-tool', output: 'x' }], randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await queue.resume(run.id, [{ stepKey: 'client-tool', output: { temperature: 21 } }], owner)).toMatchObject({ status: 'pending' });
    const done = await waitFor(run.id, (r) => r.status === 'completed');
    expect(done).toMatchObject({ attempt: 2, failureCount: 0, output: { toolSaid: { temperature: 21 } } });
    expect((await queue.steps(run.id)).map((s) => [s.key, s.type, s.status])).toEqual([['client-tool', 'human_input', 'completed']]);
    await expect(queue.resume(run.id, [{ stepKey: 'client-tool', output: 1 }], owner)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('replays stored events in order after a given sequence number', async () => {
    const { run } = await queue.enqueue(agentRun(randomUUID(), { script: 'steps' }));
    await waitFor(run.id, ended);
    const all = await readEvents(run.id);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'run.completed',
    ]);
    expect(await readEvents(run.id, 3)).toEqual(all.slice(3));
    expect(await readEvents(run.id, all.length)).toEqual([]);
  });

  it('cancels the runs of a deleted agent that have not started', async () => {
    const owner = randomUUID();
    const agentId = randomUUID();
    // Agent runs need an executor; stopping both workers keeps this one pending.
    await Promise.all([workerA.stop(), workerB.stop()]);
    try {
      const { run } = await queue.enqueue({ ownerId: owner, target: { kind: 'agent', agentId, agentVersion: 3 }, input: { script: 'steps' } });
      await runtimes[0].createPublisher().publish({ id: randomUUID(), subject: AgentDeleted.subject, occurredAt: new Date().toISOString(), data: { agentId, ownerId: owner, version: 3 } });
      const cancelled = await waitFor(run.id, ended);
      expect(cancelled).toMatchObject({ status: 'cancelled', attempt: 0, error: { code: 'AGENT_DELETED' } });
    } finally {
      workerA.start();
      workerB.start();
    }
  });

  it('removes a deleted user\'s runs with their steps and events', async () => {
    const owner = randomUUID();
    const kept = await queue.enqueue(agentRun(randomUUID(), { script: 'steps' }));
    const gone = await queue.enqueue(agentRun(owner, { script: 'steps' }));
    await waitFor(gone.run.id, ended);
    await waitFor(kept.run.id, ended);
    await runtimes[0].createPublisher().publish({ id: randomUUID(), subject: UserDeleted.subject, occurredAt: new Date().toISOString(), data: { userId: owner } });
    const until = Date.now() + 8000;
    while ((await queue.get(gone.run.id)) !== null) {
      if (Date.now() > until) throw new Error('the user\'s run was not deleted');
      await sleep(50);
    }
    const left = await query<{ steps: string; events: string }>(
      databaseUrl,
      `SELECT (SELECT count(*) FROM execution.run_steps WHERE run_id = $1) AS steps, (SELECT count(*) FROM execution.run_events WHERE run_id = $1) AS events`,
      [gone.run.id],
    );
    expect(left[0]).toEqual({ steps: '0', events: '0' });
    expect(await queue.get(kept.run.id)).not.toBeNull();
  });
});

import { randomUUID } from 'node:crypto';
import {
  type Actor,
  AppError,
  type Envelope,
  PublicLinkContracts,
  type RpcContract,
  RunContracts,
  type StartRunForOwnerRequest,
  WorkflowContracts,
  type WorkflowDefinition,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase } from '#testing';
import { workflowApp } from '../src/workflow.app.js';

/**
 * Publishing and public links against the real PostgreSQL. The execution service is a stand-in on
 * the same bus answering execution.runs.start-for-owner and get-for-owner, so what a public run
 * asks of it (owner, version, trigger, inputs) and what its caller gets back can be checked.
 */
describe('workflow service: public links', () => {
  let runtime: Runtime;
  let service: RunningService;
  const bus = () => InProcessBus.shared();
  const started: Array<{ request: StartRunForOwnerRequest; actor: Actor }> = [];
  const stops: Array<() => void> = [];

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const visitor = (ip: string): Actor => ({ kind: 'anonymous', ip });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (err: unknown) => (err instanceof AppError ? err.code : `not-an-app-error: ${String(err)}`),
    );

  const definition: WorkflowDefinition = {
    inputs: [{ name: 'topic', type: 'string', required: true }],
    outputs: [{ name: 'summary', type: 'string' }],
    state: [{ name: 'draft', type: 'string' }],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'write', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate: 'About {{ inputs.topic }}', output: 'draft' } },
      { id: 'done', type: 'output', config: { values: { summary: 'state.draft' } } },
    ],
    edges: [
      { from: 'start', to: 'write' },
      { from: 'write', to: 'done' },
    ],
  };

  const run = (id: string, ownerId: string, status: string) => ({
    id,
    status,
    agentId: null,
    agentVersion: null,
    conversationId: null,
    sessionId: null,
    input: {},
    // The run's own output holds more than the declared outputs; a public caller must see only those.
    output: status === 'completed' ? { summary: 'Short.', secret: 'internal note' } : null,
    outputPartial: false,
    requiredAction: null,
    error: status === 'failed' ? { code: 'LIMIT_EXCEEDED', message: 'maxTokens exceeded at node write (internal detail)' } : null,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 },
    limits: {},
    traceId: null,
    attempt: 1,
    background: true,
    createdAt: new Date().toISOString(),
    startedAt: null,
    completedAt: null,
    ownerId,
  });

  beforeAll(async () => {
    let status = 'completed';
    stops.push(
      bus().respond(RunContracts.startForOwner.subject, async (raw) => {
        const { data, actor } = raw as Envelope<StartRunForOwnerRequest>;
        started.push({ request: data, actor });
        if ((data.inputs as { topic?: unknown }).topic === undefined) return { ok: false, error: { code: 'VALIDATION_FAILED', message: 'inputs.topic is required', details: { errors: [{ field: 'inputs.topic', problems: ['required'] }] } } };
        status = (data.inputs as { topic: string }).topic === 'fail' ? 'failed' : 'completed';
        return { ok: true, data: run(randomUUID(), data.ownerId, 'queued') };
      }),
      bus().respond(RunContracts.getForOwner.subject, async (raw) => {
        const { data } = raw as Envelope<{ ownerId: string; id: string }>;
        return { ok: true, data: run(data.id, data.ownerId, status) };
      }),
    );
    process.env.WORKFLOW_PUBLIC_RUNS_PER_ADDRESS_PER_MINUTE = '3';
    const config = { ...loadConfig({}), databaseUrl: await createTestDatabase('wflinks'), outboxRelay: false };
    runtime = await Runtime.create(config, 'workflow-links-spec');
    service = await startBusService(workflowApp, runtime);
  });

  afterAll(async () => {
    delete process.env.WORKFLOW_PUBLIC_RUNS_PER_ADDRESS_PER_MINUTE;
    for (const stop of stops) stop();
    await service?.close();
    await runtime?.close();
  });

  async function publishedLink(owner: Actor, options: { runsPerMinute?: number; expiresAt?: string } = {}) {
    const wf = await call(WorkflowContracts.create, { name: 'Public summariser', definition }, owner);
    const published = await call(PublicLinkContracts.publish, { id: wf.id, publicLink: options }, owner);
    return { wf, published, token: published.publicLink?.token as string };
  }

  describe('successful', () => {
    it('publishes with a link whose token is shown once, and shows the form of the published version', async () => {
      const owner = newUser();
      const { wf, published, token } = await publishedLink(owner);
      expect(published).toMatchObject({ id: wf.id, publishedVersion: 1, publicLink: { workflowId: wf.id, version: 1, runsPerMinute: 60, expiresAt: null, revokedAt: null } });
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(published.publicLink?.path).toBe(`/api/v1/public/workflows/${token}`);
      const links = await call(PublicLinkContracts.list, { id: wf.id }, owner);
      expect(links.items).toHaveLength(1);
      expect(JSON.stringify(links)).not.toContain(token);
      const form = await call(PublicLinkContracts.form, { token }, visitor('10.0.0.1'));
      expect(form).toEqual({ name: 'Public summariser', description: null, inputs: definition.inputs, outputs: definition.outputs, expiresAt: null });
    });

    it('runs the published version billed to the owner, and the caller sees only the declared outputs', async () => {
      const owner = newUser();
      const { wf, published, token } = await publishedLink(owner);
      // A later version does not change what the link runs.
      await call(WorkflowContracts.update, { id: wf.id, definition: { ...definition, state: [...definition.state, { name: 'extra', type: 'string' }] } }, owner);
      const result = await call(PublicLinkContracts.startRun, { token, inputs: { topic: 'owls' } }, visitor('10.0.0.2'));
      expect(result).toEqual({ runId: expect.any(String), status: 'completed', outputs: { summary: 'Short.' }, error: null });
      const asked = started[started.length - 1];
      expect(asked.request).toMatchObject({ ownerId: owner.userId, workflowId: wf.id, version: 1, inputs: { topic: 'owls' }, trigger: { kind: 'public_link', id: published.publicLink?.id } });
      expect(asked.request.idempotencyKey).toMatch(/^public-link:/);
      expect(asked.actor).toMatchObject({ kind: 'service', service: 'workflow' });
      expect(await call(PublicLinkContracts.getRun, { token, runId: result.runId }, visitor('10.0.0.2'))).toMatchObject({ runId: result.runId, outputs: { summary: 'Short.' } });
    });

    it('tells the caller only the code of a failure', async () => {
      const { token } = await publishedLink(newUser());
      expect(await call(PublicLinkContracts.startRun, { token, inputs: { topic: 'fail' } }, visitor('10.0.0.3'))).toMatchObject({ status: 'failed', outputs: null, error: 'LIMIT_EXCEEDED' });
    });
  });

  describe('failing', () => {
    it('limits runs per link across callers, and per client address across links', async () => {
      const owner = newUser();
      const { token } = await publishedLink(owner, { runsPerMinute: 2 });
      expect(await call(PublicLinkContracts.startRun, { token, inputs: { topic: 'a' } }, visitor('10.1.0.1'))).toMatchObject({ status: 'completed' });
      expect(await call(PublicLinkContracts.startRun, { token, inputs: { topic: 'b' } }, visitor('10.1.0.2'))).toMatchObject({ status: 'completed' });
      expect(await failure(call(PublicLinkContracts.startRun, { token, inputs: { topic: 'c' } }, visitor('10.1.0.3')))).toBe('RATE_LIMITED');

      const links = await Promise.all([1, 2, 3, 4].map(() => publishedLink(owner)));
      const outcomes = [];
      for (const link of links) outcomes.push(await failure(call(PublicLinkContracts.startRun, { token: link.token, inputs: { topic: 'x' } }, visitor('10.2.0.9'))));
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
    });

    it('answers NOT_FOUND for an unknown, revoked or expired link, and for a run the link did not start', async () => {
      const owner = newUser();
      const { wf, published, token } = await publishedLink(owner);
      expect(await failure(call(PublicLinkContracts.form, { token: 'A'.repeat(43) }, visitor('10.3.0.1')))).toBe('NOT_FOUND');
      expect(await failure(call(PublicLinkContracts.getRun, { token, runId: randomUUID() }, visitor('10.3.0.1')))).toBe('NOT_FOUND');
      await call(PublicLinkContracts.revoke, { id: wf.id, linkId: published.publicLink?.id as string }, owner);
      expect(await failure(call(PublicLinkContracts.form, { token }, visitor('10.3.0.1')))).toBe('NOT_FOUND');
      expect(await failure(call(PublicLinkContracts.startRun, { token, inputs: { topic: 'x' } }, visitor('10.3.0.1')))).toBe('NOT_FOUND');
      expect((await call(PublicLinkContracts.list, { id: wf.id }, owner)).items[0].revokedAt).not.toBeNull();

      const soon = await publishedLink(owner, { expiresAt: new Date(Date.now() + 1500).toISOString() });
      expect(await failure(call(PublicLinkContracts.form, { token: soon.token }, visitor('10.3.0.1')))).toBe('ok');
      await new Promise((r) => setTimeout(r, 1600));
      expect(await failure(call(PublicLinkContracts.form, { token: soon.token }, visitor('10.3.0.1')))).toBe('NOT_FOUND');
    });

    it('refuses a past expiry, passes on bad inputs, and answers NOT_FOUND to another user on every owner route', async () => {
      const owner = newUser();
      const stranger = newUser();
      const { wf, published, token } = await publishedLink(owner);
      expect(await failure(call(PublicLinkContracts.publish, { id: wf.id, publicLink: { expiresAt: '2001-01-01T00:00:00Z' } }, owner))).toBe('VALIDATION_FAILED');
      expect(await failure(call(PublicLinkContracts.startRun, { token, inputs: {} }, visitor('10.4.0.1')))).toBe('VALIDATION_FAILED');
      expect(await failure(call(PublicLinkContracts.publish, { id: wf.id, publicLink: {} }, stranger))).toBe('NOT_FOUND');
      expect(await failure(call(PublicLinkContracts.list, { id: wf.id }, stranger))).toBe('NOT_FOUND');
      expect(await failure(call(PublicLinkContracts.revoke, { id: wf.id, linkId: published.publicLink?.id as string }, stranger))).toBe('NOT_FOUND');
      expect(await failure(call(PublicLinkContracts.form, { token }, visitor('10.4.0.1')))).toBe('ok');
    });

    it('takes its links with a deleted workflow', async () => {
      const owner = newUser();
      const { wf, token } = await publishedLink(owner);
      await call(WorkflowContracts.delete, { id: wf.id }, owner);
      expect(await failure(call(PublicLinkContracts.form, { token }, visitor('10.5.0.1')))).toBe('NOT_FOUND');
    });
  });
});

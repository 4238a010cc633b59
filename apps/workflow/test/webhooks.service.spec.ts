import { randomBytes, randomUUID } from 'node:crypto';
import { type Actor, AppError, type Envelope, type RpcContract, RunContracts, type StartRunForOwnerRequest, WebhookContracts, WorkflowContracts, type WorkflowDefinition } from '#contracts';
import { loadConfig } from '#config';
import { signWebhook } from '#crypto';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query } from '#testing';
import { workflowApp } from '../src/workflow.app.js';

/**
 * Inbound webhooks against the real PostgreSQL; the execution service is a stand-in recording
 * the runs it is asked to start (and refusing them when told to, as if it were down).
 */
describe('workflow service: inbound webhooks', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;
  const starts: StartRunForOwnerRequest[] = [];
  let executionDown = false;
  const stops: Array<() => void> = [];

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const anonymous: Actor = { kind: 'anonymous', ip: '10.9.0.1' };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (err: unknown) => (err instanceof AppError ? err.code : String(err)),
    );
  const now = () => Math.floor(Date.now() / 1000);
  const deliver = (triggerId: string, secret: string, body: string, options: { timestamp?: number; deliveryId?: string | null; signature?: string } = {}) => {
    const timestamp = options.timestamp ?? now();
    return call(
      WebhookContracts.deliver,
      {
        triggerId,
        body,
        timestamp: String(timestamp),
        signature: options.signature ?? signWebhook(secret, timestamp, body),
        deliveryId: options.deliveryId === null ? undefined : (options.deliveryId ?? randomUUID()),
      },
      anonymous,
    );
  };

  const definition: WorkflowDefinition = {
    inputs: [{ name: 'event', type: 'string' }],
    outputs: [{ name: 'seen', type: 'string' }],
    state: [],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'done', type: 'output', config: { values: { seen: 'inputs.event' } } },
    ],
    edges: [{ from: 'start', to: 'done' }],
  };

  async function trigger(owner: Actor) {
    const wf = await call(WorkflowContracts.create, { name: 'On push', definition }, owner);
    return { wf, created: await call(WebhookContracts.create, { id: wf.id, name: 'GitHub' }, owner) };
  }

  beforeAll(async () => {
    stops.push(
      InProcessBus.shared().respond(RunContracts.startForOwner.subject, async (raw) => {
        const { data } = raw as Envelope<StartRunForOwnerRequest>;
        if (executionDown) return { ok: false, error: { code: 'UNAVAILABLE', message: 'down' } };
        starts.push(data);
        return { ok: true, data: { id: randomUUID(), status: 'queued' } };
      }),
    );
    process.env.ENCRYPTION_KEYS = `k1:${randomBytes(32).toString('base64')}`;
    databaseUrl = await createTestDatabase('wfhooks');
    runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false }, 'workflow-webhooks-spec');
    service = await startBusService(workflowApp, runtime);
  });

  afterAll(async () => {
    delete process.env.ENCRYPTION_KEYS;
    for (const stop of stops) stop();
    await service?.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('makes a trigger whose secret is shown once and kept only encrypted', async () => {
      const owner = newUser();
      const { wf, created } = await trigger(owner);
      expect(created).toMatchObject({ workflowId: wf.id, name: 'GitHub', path: `/api/v1/hooks/${created.id}`, lastDeliveryAt: null, secret: expect.stringMatching(/^whsec_/) });
      const listed = await call(WebhookContracts.list, { id: wf.id }, owner);
      expect(listed.items.map((t) => t.id)).toEqual([created.id]);
      expect(JSON.stringify(listed)).not.toContain(created.secret);
      const [row] = await query<{ secret_ciphertext: Buffer }>(databaseUrl, `SELECT secret_ciphertext FROM workflow.webhook_triggers WHERE id = $1`, [created.id]);
      expect(row.secret_ciphertext.toString('latin1')).not.toContain(created.secret);
    });

    it('starts a run of the workflow for its owner with the body as inputs, once per delivery id', async () => {
      const owner = newUser();
      const { wf, created } = await trigger(owner);
      const body = JSON.stringify({ event: 'push' });
      const reply = await deliver(created.id, created.secret, body, { deliveryId: 'delivery-1' });
      expect(reply).toEqual({ runId: expect.any(String), status: 'queued' });
      expect(starts[starts.length - 1]).toMatchObject({
        ownerId: owner.userId,
        workflowId: wf.id,
        inputs: { event: 'push' },
        trigger: { kind: 'webhook', id: created.id },
        idempotencyKey: `webhook:${created.id}:delivery-1`,
      });
      expect(await failure(deliver(created.id, created.secret, body, { deliveryId: 'delivery-1' }))).toBe('CONFLICT');
      expect((await call(WebhookContracts.list, { id: wf.id }, owner)).items[0].lastDeliveryAt).not.toBeNull();
      // The accepted delivery is announced once, in its transaction, for the integration service's events log; the replay is not.
      const announced = await query<{ data: Record<string, unknown> }>(
        databaseUrl,
        `SELECT envelope->'data' AS data FROM workflow.outbox WHERE subject = 'events.workflow.webhook.received' AND envelope->'data'->>'triggerId' = $1`,
        [created.id],
      );
      expect(announced.map((r) => r.data)).toEqual([{ ownerId: owner.userId, workflowId: wf.id, triggerId: created.id, deliveryId: 'delivery-1', runId: reply.runId, bodyChars: body.length }]);
    });

    it('accepts a delivery again when its run could not be started the first time', async () => {
      const { created } = await trigger(newUser());
      executionDown = true;
      try {
        expect(await failure(deliver(created.id, created.secret, '{}', { deliveryId: 'retry-me' }))).toBe('UNAVAILABLE');
      } finally {
        executionDown = false;
      }
      expect(await deliver(created.id, created.secret, '{}', { deliveryId: 'retry-me' })).toMatchObject({ status: 'queued' });
    });
  });

  describe('failing', () => {
    it('refuses stale, unsigned and wrongly signed deliveries (401), a missing id (400) and a body that is not an object (400)', async () => {
      const { created } = await trigger(newUser());
      const before = starts.length;
      expect(await failure(deliver(created.id, created.secret, '{}', { timestamp: now() - 301 }))).toBe('UNAUTHENTICATED');
      expect(await failure(deliver(created.id, created.secret, '{}', { signature: signWebhook('whsec_wrong', now(), '{}') }))).toBe('UNAUTHENTICATED');
      expect(await failure(deliver(created.id, created.secret, '{"event":"x"}', { signature: signWebhook(created.secret, now(), '{"event":"y"}') }))).toBe('UNAUTHENTICATED');
      expect(await failure(call(WebhookContracts.deliver, { triggerId: created.id, body: '{}' }, anonymous))).toBe('UNAUTHENTICATED');
      expect(await failure(deliver(created.id, created.secret, '{}', { deliveryId: null }))).toBe('VALIDATION_FAILED');
      expect(await failure(deliver(created.id, created.secret, '[1,2]'))).toBe('VALIDATION_FAILED');
      expect(await failure(deliver(created.id, created.secret, 'not json'))).toBe('VALIDATION_FAILED');
      expect(starts.length).toBe(before);
    });

    it('answers NOT_FOUND for an unknown or deleted trigger, and to another user on every owner operation', async () => {
      const owner = newUser();
      const stranger = newUser();
      const { wf, created } = await trigger(owner);
      expect(await failure(deliver(randomUUID(), created.secret, '{}'))).toBe('NOT_FOUND');
      expect(await failure(call(WebhookContracts.create, { id: wf.id }, stranger))).toBe('NOT_FOUND');
      expect(await failure(call(WebhookContracts.list, { id: wf.id }, stranger))).toBe('NOT_FOUND');
      expect(await failure(call(WebhookContracts.delete, { id: wf.id, triggerId: created.id }, stranger))).toBe('NOT_FOUND');
      await call(WebhookContracts.delete, { id: wf.id, triggerId: created.id }, owner);
      expect(await failure(deliver(created.id, created.secret, '{}'))).toBe('NOT_FOUND');
    });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { AccountContracts, type Actor, type RpcContract, RunContracts, type RunView, RunWebhookContracts, type StartRunRequest, type StartWorkflowRunRequest } from '#contracts';
import { verifyWebhook } from '#crypto';
import { InProcessBus } from '#messaging';
import { FakeOpenAiServer, FakeWebhookReceiver, query } from '#testing';
import { type ExecutionUnderTest, fieldsOf, outcomeOf, OwnedTargets, startExecution } from './support/execution-spec.js';

/**
 * Outbound run webhooks against a real local receiver: deliveries written with the run's ending,
 * signed with the owner's secret (kept sealed), retried with backoff until a 2xx or the attempts
 * run out, and addresses the outbound policy refuses are refused at the start.
 */
describe('run webhooks', () => {
  let fake: FakeOpenAiServer;
  let receiver: FakeWebhookReceiver;
  let execution: ExecutionUnderTest;
  const targets = new OwnedTargets();
  const stops: Array<() => void> = [];
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => execution.runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const startAgent = (actor: Actor, request: Partial<StartRunRequest>) => call(RunContracts.start, { input: 'hi', ...request } as StartRunRequest, actor);
  const settled = (actor: Actor, run: RunView) => call(RunContracts.wait, { id: run.id, waitMs: 15_000 }, actor);
  const deliveries = (runId: string) =>
    query<{ id: string; status: string; attempts: number; last_status: number | null }>(
      execution.databaseUrl,
      `SELECT id, status, attempts, last_status FROM execution.run_webhook_deliveries WHERE run_id = $1`,
      [runId],
    );
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (let i = 0; ; i++) {
      const value = await read();
      if (done(value) || i > 300) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const signatureOf = (received: FakeWebhookReceiver['received'][number]) => ({
    timestamp: received.headers['x-webhook-timestamp'] as string,
    signature: received.headers['x-webhook-signature'] as string,
  });

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    fake.setDefaultReply({ kind: 'text', text: 'Done.' });
    receiver = await FakeWebhookReceiver.start();
    targets.respond();
    stops.push(InProcessBus.shared().respond(AccountContracts.revealProviderKey.subject, async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'no key' } })));
    execution = await startExecution('runwebhooks', {
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: 'sk-platform-env-key',
      ENCRYPTION_KEYS: `spec:${randomBytes(32).toString('base64')}`,
      OUTBOUND_INTERNAL_ALLOWLIST: receiver.hostPort,
      EXECUTION_WORKER_CONCURRENCY: '2',
      EXECUTION_POLL_MS: '200',
      EXECUTION_MODEL_MAX_RETRIES: '0',
      EXECUTION_WEBHOOK_POLL_MS: '50',
      EXECUTION_WEBHOOK_RETRY_BASE_MS: '50',
      EXECUTION_WEBHOOK_MAX_ATTEMPTS: '3',
    });
  });

  afterAll(async () => {
    for (const stop of stops) stop();
    targets.stop();
    await execution?.close();
    await receiver?.stop();
    await fake?.stop();
  });

  beforeEach(() => receiver.reset());

  it('posts the ended run to its webhook once, signed with the owner’s secret, which is stored sealed', async () => {
    const user = newUser();
    const agentId = targets.agentOf(user);
    const run = await startAgent(user, { agentId, webhookUrl: receiver.url });
    await settled(user, run);
    await receiver.waitFor(1);
    const [delivery] = receiver.received;
    expect(delivery.body).toMatchObject({ type: 'run.completed', run: { id: run.id, status: 'completed', agentId, output: { content: 'Done.' } } });
    expect(delivery.headers['x-webhook-id']).toBe(delivery.body.id);
    const { secret } = await call(RunWebhookContracts.secret, {}, user);
    expect(secret).toMatch(/^whsec_/);
    expect(verifyWebhook(secret, signatureOf(delivery), delivery.raw)).toEqual({ ok: true });
    // Another user's secret does not verify it.
    expect(verifyWebhook((await call(RunWebhookContracts.secret, {}, newUser())).secret, signatureOf(delivery), delivery.raw)).toEqual({ ok: false, problem: 'bad_signature' });
    expect(await eventually(() => deliveries(run.id), (d) => d[0]?.status === 'delivered')).toEqual([{ id: delivery.body.id, status: 'delivered', attempts: 1, last_status: 200 }]);
    const [stored] = await query<{ sealed_secret: string }>(execution.databaseUrl, `SELECT sealed_secret FROM execution.webhook_secrets WHERE owner_id = $1`, [user.userId]);
    expect(stored.sealed_secret).toMatch(/^v1\.spec\./);
    expect(stored.sealed_secret).not.toContain(secret.slice(6));
  });

  it('retries a failed delivery with backoff until the receiver takes it, and gives up after the attempts', async () => {
    const user = newUser();
    const agentId = targets.agentOf(user);
    receiver.answer(500, 503);
    const run = await startAgent(user, { agentId, webhookUrl: receiver.url });
    await receiver.waitFor(3);
    expect(new Set(receiver.received.map((r) => r.headers['x-webhook-id'])).size).toBe(1);
    expect(receiver.received.map((r) => r.status)).toEqual([500, 503, 200]);
    expect(await eventually(() => deliveries(run.id), (d) => d[0]?.status === 'delivered')).toMatchObject([{ status: 'delivered', attempts: 3 }]);

    receiver.reset();
    receiver.answer(500, 500, 500);
    const failing = await startAgent(user, { agentId, webhookUrl: receiver.url });
    await receiver.waitFor(3);
    expect(await eventually(() => deliveries(failing.id), (d) => d[0]?.status === 'failed')).toMatchObject([{ status: 'failed', attempts: 3, last_status: 500 }]);
  });

  it('signs with the new secret after a rotation, and calls the webhook of a workflow run too', async () => {
    const user = newUser();
    const before = await call(RunWebhookContracts.secret, {}, user);
    const rotated = await call(RunWebhookContracts.rotateSecret, {}, user);
    expect(rotated.secret).not.toBe(before.secret);
    expect((await call(RunWebhookContracts.secret, {}, user)).secret).toBe(rotated.secret);
    const workflowId = targets.workflowOf(user, {
      inputs: [],
      outputs: [{ name: 'n', type: 'number' }],
      state: [],
      nodes: [{ id: 'start', type: 'start' }, { id: 'out', type: 'output', config: { values: { n: '6 * 7' } } }],
      edges: [{ from: 'start', to: 'out' }],
    });
    const run = await call(RunContracts.startWorkflow, { workflowId, webhookUrl: receiver.url } as StartWorkflowRunRequest, user);
    await receiver.waitFor(1);
    const [delivery] = receiver.received;
    expect(delivery.body).toMatchObject({ type: 'run.completed', run: { id: run.id, workflowId, output: { n: 42 } } });
    expect(verifyWebhook(rotated.secret, signatureOf(delivery), delivery.raw)).toEqual({ ok: true });
    expect(verifyWebhook(before.secret, signatureOf(delivery), delivery.raw)).toEqual({ ok: false, problem: 'bad_signature' });
  });

  it('refuses at the start a webhook URL the outbound policy would not call, naming webhookUrl', async () => {
    const user = newUser();
    const agentId = targets.agentOf(user);
    for (const webhookUrl of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://[::1]/hook', 'http://user:pw@example.com/hook', 'ftp://example.com/hook', 'not a url']) {
      const refused = await outcomeOf(startAgent(user, { agentId, webhookUrl }));
      expect({ webhookUrl, code: refused.code, fields: fieldsOf(refused.details) }).toEqual({ webhookUrl, code: 'VALIDATION_FAILED', fields: ['webhookUrl'] });
    }
  });
});

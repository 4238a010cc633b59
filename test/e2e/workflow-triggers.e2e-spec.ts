import { randomBytes, randomUUID } from 'node:crypto';
import { signWebhook } from '#crypto';
import { Cluster, createTestDatabase, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectProblem } from './support/problems.js';
import { eventually } from './support/waits.js';

type Res = { status: number; headers: Headers; body: any; text: string };
interface RunRow {
  id: string;
  status: string;
  workflowId: string | null;
  attempt: number;
  input: { inputs: Record<string, unknown>; trigger?: { kind: string; id: string } };
  output: Record<string, unknown> | null;
}

/** start -> label (transform) -> out: no model, so every run is the platform's work alone. */
const labelling = {
  inputs: [{ name: 'topic', type: 'string', required: true }],
  outputs: [{ name: 'label', type: 'string' }],
  state: [
    { name: 'label', type: 'string' },
    { name: 'secretNote', type: 'string' },
  ],
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'label', type: 'transform', config: { set: { label: "'about ' + upper(inputs.topic)", secretNote: "'internal'" } } },
    { id: 'out', type: 'output', config: { values: { label: 'state.label' } } },
  ],
  edges: [
    { from: 'start', to: 'label' },
    { from: 'label', to: 'out' },
  ],
};
const NODE_STEPS = ['node:start:1', 'node:label:1', 'node:out:1'];

/**
 * Triggers of the workflow service starting real workflow runs in the execution service, every app
 * its own process over the real NATS and PostgreSQL: a per-second schedule with two workflow and two
 * execution processes, a public link, and a signed inbound webhook with a replayed delivery.
 */
describe('workflow triggers start real runs, every app its own process', () => {
  let cluster: Cluster;
  let owner: TestUser;

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token = owner.accessToken): Promise<Res> => api().request('POST', `/api/v1${path}`, { body, token });
  const get = (path: string, token = owner.accessToken): Promise<Res> => api().request('GET', `/api/v1${path}`, { token });
  const newWorkflow = async (token = owner.accessToken): Promise<string> => {
    const res = await post('/workflows', { name: `wf-${randomUUID().slice(0, 8)}`, definition: labelling }, token);
    expect({ status: res.status, body: res.status === 201 ? 'created' : res.body }).toEqual({ status: 201, body: 'created' });
    return res.body.id as string;
  };
  /** Every run of a workflow (the owner's run list, all pages). */
  const runsOf = async (workflowId: string, token = owner.accessToken): Promise<RunRow[]> => {
    const runs: RunRow[] = [];
    let cursor: string | null = null;
    do {
      const page: Res = await get(`/runs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
      expect(page.status).toBe(200);
      runs.push(...(page.body.items as RunRow[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    return runs.filter((r) => r.workflowId === workflowId);
  };
  /** The node steps of a run, as key:status. */
  const nodeSteps = async (runId: string, token = owner.accessToken): Promise<string[]> =>
    ((await get(`/runs/${runId}/steps`, token)).body.items as { key: string; status: string }[]).filter((s) => !s.key.includes('/')).map((s) => `${s.key}:${s.status}`);

  beforeAll(async () => {
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('wftriggers'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('wftriggers'),
      perApp: {
        identity: { ENCRYPTION_KEYS: `wft:${randomBytes(32).toString('base64')}` },
        workflow: { ENCRYPTION_KEYS: `wft:${randomBytes(32).toString('base64')}`, WORKFLOW_SCHEDULER_INTERVAL_MS: '200' },
        execution: { ENCRYPTION_KEYS: `wft:${randomBytes(32).toString('base64')}`, EXECUTION_POLL_MS: '200', EXECUTION_LEASE_MS: '2000', EXECUTION_HEARTBEAT_MS: '500' },
      },
    });
    // A second workflow process (both tick the schedules) and a second execution process (both take runs).
    await Promise.all([cluster.startReplica('workflow'), cluster.startReplica('execution')]);
    owner = await registerUser(cluster.api);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('a schedule firing every second for ten seconds, with two workflow and two execution processes, starts exactly ten runs, each run once', async () => {
    const user = await registerUser(cluster.api);
    const workflowId = await newWorkflow(user.accessToken);
    const startAt = Math.ceil(Date.now() / 1000) * 1000 + 3000;
    const endAt = startAt + 10_000;
    const created = await post(
      '/schedules',
      { workflowId, cron: '* * * * * *', inputs: { topic: 'tick' }, startAt: new Date(startAt).toISOString(), endAt: new Date(endAt).toISOString() },
      user.accessToken,
    );
    expect(created.status).toBe(201);
    expect(created.body.nextFireTimes[0]).toBe(new Date(startAt).toISOString());

    const done = await eventually(
      () => runsOf(workflowId, user.accessToken),
      (runs) => Date.now() > endAt && runs.length >= 10 && runs.every((r) => r.status === 'completed'),
      endAt - Date.now() + 60_000,
      500,
    );
    // Several scheduler passes after the window closed: still ten, none more.
    await new Promise((r) => setTimeout(r, 1500));
    const runs = await runsOf(workflowId, user.accessToken);
    expect(runs.map((r) => r.id).sort()).toEqual(done.map((r) => r.id).sort());
    expect(runs).toHaveLength(10);
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'completed', attempt: 1, input: { inputs: { topic: 'tick' }, trigger: { kind: 'schedule', id: created.body.id } }, output: { label: 'about TICK' } });
      expect(await nodeSteps(run.id, user.accessToken)).toEqual(NODE_STEPS.map((k) => `${k}:completed`));
    }
    const schedule = await get(`/schedules/${created.body.id as string}`, user.accessToken);
    expect(schedule.body).toMatchObject({ lastError: null, nextFireTimes: [], lastFiredAt: new Date(endAt - 1000).toISOString() });
    expect(runs.map((r) => r.id)).toContain(schedule.body.lastRunId);
  });

  it('a public link runs the published version to completion and shows its caller only the declared outputs', async () => {
    const workflowId = await newWorkflow();
    const link = (await post(`/workflows/${workflowId}/publish`, { publicLink: {} })).body.publicLink;
    const res = await api().request('POST', `${link.path as string}/runs`, { body: { inputs: { topic: 'owls' } } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ runId: expect.any(String), status: 'completed', outputs: { label: 'about OWLS' }, error: null });
    expect(res.text).not.toContain('internal');
    expect((await api().get(`${link.path as string}/runs/${res.body.runId as string}`)).body).toEqual(res.body);

    // The owner sees the run (billed to them, started by the link) with its steps.
    const [run] = await runsOf(workflowId);
    expect(run).toMatchObject({ id: res.body.runId, status: 'completed', attempt: 1, input: { inputs: { topic: 'owls' }, trigger: { kind: 'public_link', id: link.id } } });
    expect(await nodeSteps(run.id)).toEqual(NODE_STEPS.map((k) => `${k}:completed`));
    // A missing required input is refused before any run starts.
    expectProblem(await api().request('POST', `${link.path as string}/runs`, { body: { inputs: {} } }), 400, 'VALIDATION_FAILED');
    expect(await runsOf(workflowId)).toHaveLength(1);
  });

  it('a signed webhook delivery starts a run whose input is the body; the same delivery again is 409 and starts nothing', async () => {
    const workflowId = await newWorkflow();
    const trigger = await post(`/workflows/${workflowId}/webhooks`, { name: 'CI' });
    expect(trigger.status).toBe(201);
    const { secret, path, id: triggerId } = trigger.body as { secret: string; path: string; id: string };
    const body = '{ "topic":  "deploys" }';
    const at = Math.floor(Date.now() / 1000);
    const headers = { 'content-type': 'application/json', 'x-webhook-timestamp': String(at), 'x-webhook-signature': signWebhook(secret, at, body), 'x-webhook-id': randomUUID() };

    const accepted = await api().request('POST', path, { raw: body, headers });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ runId: expect.any(String), status: expect.any(String) });
    const run = await eventually(
      () => get(`/runs/${accepted.body.runId as string}`),
      (res) => res.body.status === 'completed',
      30_000,
    );
    expect(run.body).toMatchObject({ workflowId, attempt: 1, input: { inputs: { topic: 'deploys' }, trigger: { kind: 'webhook', id: triggerId } }, output: { label: 'about DEPLOYS' } });

    // The sender retries the same delivery (same id, signature still fresh): refused, and no second run.
    expectProblem(await api().request('POST', path, { raw: body, headers }), 409, 'CONFLICT');
    await new Promise((r) => setTimeout(r, 500));
    expect((await runsOf(workflowId)).map((r) => r.id)).toEqual([accepted.body.runId]);
    expect(await nodeSteps(accepted.body.runId as string)).toEqual(NODE_STEPS.map((k) => `${k}:completed`));

    // The integration service's events log has the accepted delivery once (ids and size, never the body); another user's log has none.
    const logged = await eventually(() => get('/integration-events?type=webhook_received'), (res) => res.status === 200 && (res.body.items as unknown[]).length > 0, 15_000);
    expect(logged.body.items).toEqual([
      expect.objectContaining({
        type: 'webhook_received',
        connectionId: null,
        mcpServerId: null,
        data: { workflowId, triggerId, deliveryId: headers['x-webhook-id'], runId: accepted.body.runId, bodyChars: body.length },
      }),
    ]);
    expect(logged.text).not.toContain('deploys');
    const stranger = await registerUser(cluster.api);
    expect((await get('/integration-events?type=webhook_received', stranger.accessToken)).body.items).toEqual([]);
  });
});

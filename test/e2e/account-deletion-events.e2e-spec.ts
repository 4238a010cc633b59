import { BUS_SERVICES, Cluster, createTestDatabase, query, registerUser, testEnv, uniqueNamespace } from '#testing';

const CONSUMERS = BUS_SERVICES.filter((s) => s !== 'identity');

/**
 * `DELETE /me` commits the deletion and its `events.identity.user.deleted` outbox row together;
 * the relay publishes to JetStream; every other service's durable consumer records it once.
 */
describe('account deletion event path', () => {
  let cluster: Cluster;
  let databaseUrl: string;

  async function deletionEventId(userId: string): Promise<{ id: string; published: boolean }> {
    const rows = await query<{ id: string; published_at: Date | null }>(
      databaseUrl,
      `SELECT id, published_at FROM identity.outbox WHERE subject = 'events.identity.user.deleted' AND envelope->'data'->>'userId' = $1`,
      [userId],
    );
    expect(rows).toHaveLength(1);
    return { id: rows[0].id, published: rows[0].published_at !== null };
  }

  async function inboxCount(service: string, eventId: string): Promise<number> {
    const rows = await query<{ n: string }>(databaseUrl, `SELECT count(*) AS n FROM "${service}".inbox WHERE event_id = $1 AND outcome = 'handled'`, [eventId]);
    return Number(rows[0].n);
  }

  async function waitUntilEveryConsumerHandled(eventId: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all(CONSUMERS.map((s) => inboxCount(s, eventId)));
      if (counts.every((n) => n === 1)) return;
      if (Date.now() > deadline) throw new Error(`not every consumer handled ${eventId}: ${CONSUMERS.map((s, i) => `${s}=${counts[i]}`).join(' ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('events');
    cluster = await Cluster.start({ databaseUrl, natsUrl: testEnv().natsUrl, namespace: uniqueNamespace('events') });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('delivers the deletion to every other service exactly once', async () => {
    const user = await registerUser(cluster.api);
    expect((await cluster.api.delete('/api/v1/me', user.accessToken)).status).toBe(204);
    const event = await deletionEventId(user.id);
    await waitUntilEveryConsumerHandled(event.id);
    expect((await deletionEventId(user.id)).published).toBe(true);
  });

  it('a consumer that was down while the account was deleted handles the event once when it comes back', async () => {
    const agent = cluster.app('agent');
    await agent.stop();
    const user = await registerUser(cluster.api);
    expect((await cluster.api.delete('/api/v1/me', user.accessToken)).status).toBe(204);
    const event = await deletionEventId(user.id);

    // Everyone else handles it while the agent service is down.
    const others = CONSUMERS.filter((s) => s !== 'agent');
    const deadline = Date.now() + 15_000;
    while ((await Promise.all(others.map((s) => inboxCount(s, event.id)))).some((n) => n !== 1)) {
      if (Date.now() > deadline) throw new Error('other consumers did not handle the event');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await inboxCount('agent', event.id)).toBe(0);

    agent.start();
    await cluster.waitReady();
    await waitUntilEveryConsumerHandled(event.id);
    // Stays at one: nothing is handled twice after the restart settles.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inboxCount('agent', event.id)).toBe(1);
  });

  it('an identity process killed between commit and publish still gets the event delivered', async () => {
    const identity = cluster.app('identity');
    // With the relay paused, every committed event stays between commit and publish.
    await identity.stop();
    identity.start({ OUTBOX_RELAY: 'off' });
    await cluster.waitReady();

    const user = await registerUser(cluster.api);
    expect((await cluster.api.delete('/api/v1/me', user.accessToken)).status).toBe(204);
    const event = await deletionEventId(user.id);
    expect(event.published).toBe(false);

    await identity.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect(await Promise.all(CONSUMERS.map((s) => inboxCount(s, event.id)))).toEqual(CONSUMERS.map(() => 0));

    identity.start();
    await cluster.waitReady();
    await waitUntilEveryConsumerHandled(event.id);
    expect((await deletionEventId(user.id)).published).toBe(true);
  });
});

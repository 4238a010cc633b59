import { randomUUID } from 'node:crypto';
import { type Actor, type AgentCreatedReply, AgentContracts, ConfigCacheContracts, type ResolvedAgent } from '#contracts';
import { loadConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, testEnv, uniqueNamespace } from '#testing';
import { agentApp } from '../src/agent.app.js';

/**
 * Two agent replicas over the real NATS, each with its own cache and a TTL far longer than the
 * test: a change made through one must be what the other resolves next, not what it cached.
 */
describe('agent config cache across replicas', () => {
  const runtimes: Runtime[] = [];
  const replicas: RunningService[] = [];
  const owner: Actor = { kind: 'user', userId: randomUUID(), scopes: ['full'] };

  beforeAll(async () => {
    process.env.AGENT_CACHE_TTL = '600';
    const config = { ...loadConfig({}), databaseUrl: await createTestDatabase('agentcache'), natsUrl: testEnv().natsUrl, busNamespace: uniqueNamespace('agentcache'), outboxRelay: false };
    for (const name of ['agent-a', 'agent-b']) {
      const runtime = await Runtime.create(config, name);
      runtimes.push(runtime);
      replicas.push(await startBusService(agentApp, runtime));
    }
  });

  afterAll(async () => {
    delete process.env.AGENT_CACHE_TTL;
    for (const replica of replicas) await replica.close();
    for (const runtime of runtimes) await runtime.close();
  });

  it('a change through one replica is what every replica resolves next', async () => {
    const client = runtimes[0].client;
    const agent: AgentCreatedReply = await client.request(
      AgentContracts.create,
      { name: 'Cached', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'First prompt.' },
      { actor: owner },
    );
    const id = agent.id;
    const resolveMany = () => Promise.all(Array.from({ length: 24 }, () => client.request(ConfigCacheContracts.resolve, { agentId: id }, { actor: owner })));

    // The queue group spreads these over both replicas, so both cache version 1.
    expect(new Set((await resolveMany()).map((r: ResolvedAgent) => r.version))).toEqual(new Set([1]));

    await client.request(AgentContracts.update, { id, systemPrompt: 'Second prompt.' }, { actor: owner });
    await new Promise((r) => setTimeout(r, 100));

    const after = await resolveMany();
    expect(new Set(after.map((r) => r.version))).toEqual(new Set([2]));
    expect(new Set(after.map((r) => r.snapshot.systemPrompt))).toEqual(new Set(['Second prompt.']));
  });
});

import { randomUUID } from 'node:crypto';
import { type Actor, DocumentContracts, KnowledgeBaseContracts, KnowledgeSearchContracts, type KnowledgeSearchResult, type RpcContract } from '#contracts';
import { loadConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, testEnv, uniqueNamespace } from '#testing';
import { agentApp } from '../src/agent.app.js';

/**
 * Two agent replicas over the real NATS, each holding the base's chunks in memory for search: a
 * document deleted through one must be gone from what either answers next, in every mode and
 * under a filter (the searches spread over both replicas by the queue group).
 */
describe('knowledge search across replicas', () => {
  const runtimes: Runtime[] = [];
  const replicas: RunningService[] = [];
  const owner: Actor = { kind: 'user', userId: randomUUID(), scopes: ['full'] };
  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req): Promise<Res> => runtimes[0].client.request(contract, data, { actor: owner, timeoutMs: 20_000 });

  beforeAll(async () => {
    process.env.KNOWLEDGE_POLL_MS = '50';
    const config = { ...loadConfig({}), databaseUrl: await createTestDatabase('kbreplicas'), natsUrl: testEnv().natsUrl, busNamespace: uniqueNamespace('kbreplicas'), outboxRelay: false };
    for (const name of ['agent-a', 'agent-b']) {
      const runtime = await Runtime.create(config, name);
      runtimes.push(runtime);
      replicas.push(await startBusService(agentApp, runtime));
    }
  });

  afterAll(async () => {
    delete process.env.KNOWLEDGE_POLL_MS;
    for (const replica of replicas) await replica.close();
    for (const runtime of runtimes) await runtime.close();
  });

  it('a document deleted through one replica is gone from every replica's next answer', async () => {
    const base = await call(KnowledgeBaseContracts.create, { name: 'Shared' });
    const docs = [];
    for (const [content, team] of [
      ['Failover of the primary database replica takes thirty seconds.', 'db'],
      ['The database replica is rebuilt from the nightly backup.', 'db'],
      ['Office plants are watered on Mondays.', 'people'],
    ] as const) {
      docs.push(await call(DocumentContracts.add, { knowledgeBaseId: base.id, source: 'text', content, metadata: { team } }));
    }
    for (const doc of docs) {
      const deadline = Date.now() + 20_000;
      while ((await call(DocumentContracts.get, { id: doc.id })).status !== 'ready') {
        if (Date.now() > deadline) throw new Error(`document ${doc.id} not ready`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const searches = () =>
      Promise.all(
        (['hybrid', 'vector', 'fulltext'] as const).flatMap((mode) =>
          Array.from({ length: 8 }, () => call<unknown, KnowledgeSearchResult>(KnowledgeSearchContracts.search, { knowledgeBaseIds: [base.id], query: 'database replica', mode, topK: 5, filter: { team: 'db' } })),
        ),
      );
    const documentsIn = (results: KnowledgeSearchResult[]) => new Set(results.flatMap((r) => r.items.map((hit) => hit.documentId)));

    // Both replicas answer and so both load the base.
    expect(documentsIn(await searches())).toEqual(new Set([docs[0].id, docs[1].id]));
    await call(DocumentContracts.delete, { id: docs[0].id });
    expect(documentsIn(await searches())).toEqual(new Set([docs[1].id]));
  });
});

import { randomUUID } from 'node:crypto';
import { type Actor, DocumentContracts, KnowledgeBaseContracts, KnowledgeSearchContracts, type KnowledgeSearchMode, type RpcContract } from '#contracts';
import { loadConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase } from '#testing';
import { agentApp } from '../src/agent.app.js';
import { CORPUS, ndcgAt, QUERIES } from './support/relevance-corpus.js';

/**
 * Search quality on a judged corpus: hybrid (reciprocal rank fusion of full-text and vector ranks)
 * must rank at least as well as either alone, by mean nDCG@10 over the queries.
 */
describe('knowledge search relevance', () => {
  let runtime: Runtime;
  let service: RunningService;
  const owner: Actor = { kind: 'user', userId: randomUUID(), scopes: ['full'] };
  let knowledgeBaseId: string;
  const keyOfDocument = new Map<string, string>();

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req): Promise<Res> => runtime.client.request(contract, data, { actor: owner, timeoutMs: 20_000 });

  beforeAll(async () => {
    process.env.KNOWLEDGE_POLL_MS = '50';
    const databaseUrl = await createTestDatabase('relevance');
    runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false }, 'relevance-spec');
    service = await startBusService(agentApp, runtime);
    knowledgeBaseId = (await call(KnowledgeBaseContracts.create, { name: 'Help desk' })).id;
    for (const [key, content] of Object.entries(CORPUS)) {
      const doc = await call(DocumentContracts.add, { knowledgeBaseId, source: 'text', content, metadata: { key } });
      keyOfDocument.set(doc.id, key);
    }
    for (const id of keyOfDocument.keys()) {
      const deadline = Date.now() + 20_000;
      while ((await call(DocumentContracts.get, { id })).status !== 'ready') {
        if (Date.now() > deadline) throw new Error(`document ${id} not ready`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  });

  afterAll(async () => {
    delete process.env.KNOWLEDGE_POLL_MS;
    await service?.close();
    await runtime?.close();
  });

  async function meanNdcg(mode: KnowledgeSearchMode): Promise<number> {
    let sum = 0;
    for (const { query, relevant } of QUERIES) {
      const { items } = await call(KnowledgeSearchContracts.search, { knowledgeBaseIds: [knowledgeBaseId], query, topK: 10, mode });
      const ranking = items.map((hit) => keyOfDocument.get(hit.documentId) ?? '?');
      sum += ndcgAt(10, ranking, relevant);
    }
    return sum / QUERIES.length;
  }

  it('ranks at least as well in hybrid mode as with full text alone or vectors alone (mean nDCG@10)', async () => {
    const scores = { hybrid: await meanNdcg('hybrid'), fulltext: await meanNdcg('fulltext'), vector: await meanNdcg('vector') };
    process.stdout.write(`mean nDCG@10 over ${QUERIES.length} queries: ${JSON.stringify(scores)}\n`);
    expect(scores.hybrid).toBeGreaterThanOrEqual(scores.fulltext);
    expect(scores.hybrid).toBeGreaterThanOrEqual(scores.vector);
    expect(scores.hybrid).toBeGreaterThan(0.5);
  });

  it('scores a perfect ranking 1 and a ranking without relevant documents 0', () => {
    expect(ndcgAt(10, ['a', 'b', 'c'], { a: 2, b: 1 })).toBeCloseTo(1, 10);
    expect(ndcgAt(10, ['b', 'a'], { a: 2, b: 1 })).toBeLessThan(1);
    expect(ndcgAt(10, ['x', 'y'], { a: 2 })).toBe(0);
  });
});

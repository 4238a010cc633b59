import type { KnowledgeBaseView } from '#contracts';
import type { KnowledgeBaseEntity } from './knowledge-base.entity.js';

export function toKnowledgeBaseView(base: KnowledgeBaseEntity, reembedding: { done: number; total: number } | null): KnowledgeBaseView {
  return {
    id: base.id,
    name: base.name,
    description: base.description,
    projectId: base.projectId,
    embedding: { provider: base.embeddingProvider, model: base.embeddingModel, dimensions: base.embeddingDimensions },
    searchEmbedding: { provider: base.searchProvider, model: base.searchModel, dimensions: base.searchDimensions },
    chunking: { size: base.chunkSize, overlap: base.chunkOverlap },
    reembedding: reembedding ? { status: 'running', ...reembedding } : { status: 'idle', done: 0, total: 0 },
    createdAt: base.createdAt.toISOString(),
    updatedAt: base.updatedAt.toISOString(),
  };
}

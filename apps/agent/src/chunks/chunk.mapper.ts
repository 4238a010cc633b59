import type { ChunkView } from '#contracts';
import type { ChunkEntity } from './chunk.entity.js';

export function toChunkView(chunk: ChunkEntity): ChunkView {
  return {
    id: chunk.id,
    documentId: chunk.documentId,
    knowledgeBaseId: chunk.knowledgeBaseId,
    index: chunk.chunkIndex,
    content: chunk.content,
    metadata: chunk.metadata,
    createdAt: chunk.createdAt.toISOString(),
  };
}

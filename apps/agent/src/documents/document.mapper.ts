import type { DocumentView } from '#contracts';
import type { DocumentEntity } from './document.entity.js';

export function toDocumentView(document: DocumentEntity): DocumentView {
  return {
    id: document.id,
    knowledgeBaseId: document.knowledgeBaseId,
    title: document.title,
    source: document.source,
    contentType: document.contentType,
    sourceRef: document.sourceRef,
    sizeBytes: document.sizeBytes,
    contentHash: document.contentHash,
    metadata: document.metadata,
    status: document.status,
    error: document.error,
    progress: { done: document.chunksDone, total: document.chunksTotal },
    createdAt: document.createdAt.toISOString(),
    updatedAt: document.updatedAt.toISOString(),
  };
}

import { Module } from '@nestjs/common';
import { ChunksModule } from '../chunks/chunks.module.js';
import { EmbeddingsModule } from '../embeddings/embeddings.module.js';
import { KnowledgeBasesModule } from '../knowledge-bases/knowledge-bases.module.js';
import { InMemoryIndex } from './in-memory-index.js';
import { KnowledgeSearchHandler } from './knowledge-search.handler.js';
import { KnowledgeSearchService } from './knowledge-search.service.js';
import { FULL_TEXT_INDEX, VECTOR_INDEX } from './vector-index.js';

@Module({
  imports: [KnowledgeBasesModule, ChunksModule, EmbeddingsModule],
  controllers: [KnowledgeSearchHandler],
  providers: [KnowledgeSearchService, InMemoryIndex, { provide: VECTOR_INDEX, useExisting: InMemoryIndex }, { provide: FULL_TEXT_INDEX, useExisting: InMemoryIndex }],
  exports: [KnowledgeSearchService],
})
export class KnowledgeSearchModule {}

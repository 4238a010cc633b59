import { Module } from '@nestjs/common';
import { ChunksModule } from '../chunks/chunks.module.js';
import { EmbeddingsModule } from '../embeddings/embeddings.module.js';
import { KnowledgeBasesModule } from '../knowledge-bases/knowledge-bases.module.js';
import { InMemoryVectorIndex } from './in-memory-vector-index.js';
import { KnowledgeSearchHandler } from './knowledge-search.handler.js';
import { KnowledgeSearchService } from './knowledge-search.service.js';
import { VECTOR_INDEX } from './vector-index.js';

@Module({
  imports: [KnowledgeBasesModule, ChunksModule, EmbeddingsModule],
  controllers: [KnowledgeSearchHandler],
  providers: [KnowledgeSearchService, { provide: VECTOR_INDEX, useClass: InMemoryVectorIndex }],
  exports: [KnowledgeSearchService],
})
export class KnowledgeSearchModule {}

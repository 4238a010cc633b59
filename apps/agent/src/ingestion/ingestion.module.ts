import { Module } from '@nestjs/common';
import { ChunksModule } from '../chunks/chunks.module.js';
import { DocumentsModule } from '../documents/documents.module.js';
import { EmbeddingsModule } from '../embeddings/embeddings.module.js';
import { KnowledgeBasesModule } from '../knowledge-bases/knowledge-bases.module.js';
import { IngestionService } from './ingestion.service.js';
import { IngestionWorker } from './ingestion.worker.js';

@Module({
  imports: [DocumentsModule, KnowledgeBasesModule, ChunksModule, EmbeddingsModule],
  providers: [IngestionService, IngestionWorker],
  exports: [IngestionService],
})
export class IngestionModule {}

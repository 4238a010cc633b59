import { Module } from '@nestjs/common';
import { KnowledgeBasesModule } from '../knowledge-bases/knowledge-bases.module.js';
import { DocumentReader } from './document-reader.js';
import { DocumentsHandler } from './documents.handler.js';
import { DocumentsRepository } from './documents.repository.js';
import { DocumentsService } from './documents.service.js';

@Module({
  imports: [KnowledgeBasesModule],
  controllers: [DocumentsHandler],
  providers: [DocumentsService, DocumentsRepository, DocumentReader],
  exports: [DocumentsService],
})
export class DocumentsModule {}

import { Module } from '@nestjs/common';
import { ChunksModule } from '../chunks/chunks.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { KnowledgeBasesHandler } from './knowledge-bases.handler.js';
import { KnowledgeBasesRepository } from './knowledge-bases.repository.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';

@Module({
  imports: [ChunksModule, ProjectsModule],
  controllers: [KnowledgeBasesHandler],
  providers: [KnowledgeBasesService, KnowledgeBasesRepository],
  exports: [KnowledgeBasesService],
})
export class KnowledgeBasesModule {}

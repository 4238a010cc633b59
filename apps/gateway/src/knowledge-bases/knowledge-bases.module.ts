import { Module } from '@nestjs/common';
import { KnowledgeBasesController } from './knowledge-bases.controller.js';
import { KnowledgeSearchController } from './knowledge-search.controller.js';

/** /knowledge-bases: the bases, their documents (add, list) and search. */
@Module({ controllers: [KnowledgeSearchController, KnowledgeBasesController] })
export class KnowledgeBasesModule {}

import { Module } from '@nestjs/common';
import { ToolsModule } from '../tools/tools.module.js';
import { KnowledgeToolSource } from './knowledge-tool-source.js';

/** The knowledge_search tool of agents with knowledge bases (registered with the tools service when the module starts). */
@Module({ imports: [ToolsModule], providers: [KnowledgeToolSource] })
export class KnowledgeToolsModule {}

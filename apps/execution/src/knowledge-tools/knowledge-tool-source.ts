import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { type AgentToolSet, type ToolRequest, type ToolSource, ToolsService } from '../tools/tools.service.js';
import { KnowledgeSearchTool } from './knowledge-search.tool.js';

/** Gives an agent with knowledge bases the knowledge_search tool over them; claims no tool ref kind. */
@Injectable()
export class KnowledgeToolSource implements ToolSource, OnModuleInit {
  readonly kinds = [] as const;

  constructor(
    private readonly tools: ToolsService,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
  ) {}

  onModuleInit(): void {
    this.tools.addSource(this);
  }

  resolve(request: ToolRequest): Promise<AgentToolSet> {
    const tools = request.knowledgeBaseIds.length > 0 ? [new KnowledgeSearchTool(this.bus, request.knowledgeBaseIds.slice(0, 20))] : [];
    return Promise.resolve({ tools, unavailable: [] });
  }
}

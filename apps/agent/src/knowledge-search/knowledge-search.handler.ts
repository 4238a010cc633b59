import { Controller } from '@nestjs/common';
import { type Actor, KnowledgeSearchContracts, type KnowledgeSearchResult, SearchKnowledgeRequest } from '#contracts';
import { Rpc } from '#messaging';
import { KnowledgeSearchService } from './knowledge-search.service.js';

@Controller()
export class KnowledgeSearchHandler {
  constructor(private readonly search: KnowledgeSearchService) {}

  @Rpc(KnowledgeSearchContracts.search)
  find(request: SearchKnowledgeRequest, actor: Actor): Promise<KnowledgeSearchResult> {
    return this.search.search(actor, request);
  }
}

import { Controller } from '@nestjs/common';
import { type Actor, SearchContracts, SearchMessagesQuery, type SearchResults } from '#contracts';
import { Rpc } from '#messaging';
import { SearchService } from './search.service.js';

@Controller()
export class SearchHandler {
  constructor(private readonly search: SearchService) {}

  @Rpc(SearchContracts.messages)
  messages(request: SearchMessagesQuery, actor: Actor): Promise<SearchResults> {
    return this.search.messages(actor, request);
  }
}

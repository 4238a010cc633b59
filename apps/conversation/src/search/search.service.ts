import { Injectable } from '@nestjs/common';
import { type Actor, type SearchMessagesQuery, type SearchResults, requireUserId } from '#contracts';
import { decodeCursor, encodeCursor } from '#persistence';
import { checkSearchText } from './search-query.js';
import { SearchErrors } from './search.errors.js';
import { SearchRepository } from './search.repository.js';

const DEFAULT_LIMIT = 20;
/** Ranked results page by offset; past this many, a narrower query serves better than page 11. */
const MAX_OFFSET = 500;

@Injectable()
export class SearchService {
  constructor(private readonly search: SearchRepository) {}

  async messages(actor: Actor, query: SearchMessagesQuery): Promise<SearchResults> {
    const ownerId = requireUserId(actor);
    const text = checkSearchText(query.q);
    if ((await this.search.queryNodes(text)) === 0) throw SearchErrors.onlyStopwords();
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    if (from && to && from >= to) throw SearchErrors.emptyPeriod();
    let offset = 0;
    if (query.cursor !== undefined) {
      offset = decodeCursor(query.cursor, { offset: 'int' }).offset;
      if (offset <= 0 || offset > MAX_OFFSET) throw SearchErrors.badCursor();
    }
    const limit = query.limit ?? DEFAULT_LIMIT;
    const hits = await this.search.search({ ownerId, text, agentId: query.agentId, from, to, offset, limit: limit + 1 });
    const next = offset + limit;
    return {
      items: hits.slice(0, limit).map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
      nextCursor: hits.length > limit && next <= MAX_OFFSET ? encodeCursor({ offset: next }) : null,
    };
  }
}

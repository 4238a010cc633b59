import { requireUserId } from '#contracts';
import { Injectable } from '@nestjs/common';
import type { Actor, SearchMessagesQuery, SearchResults } from '#contracts';
import { ConversationsErrors, invalidField } from '../conversations/conversations.errors.js';
import { checkSearchText } from './search-query.js';
import { SearchRepository } from './search.repository.js';
import { decodeCursor, encodeCursor } from '#persistence';

const DEFAULT_LIMIT = 20;
/** Ranked results page by offset; past this many, a narrower query serves better than page 11. */
const MAX_OFFSET = 500;

@Injectable()
export class SearchService {
  constructor(private readonly search: SearchRepository) {}

  async messages(actor: Actor, query: SearchMessagesQuery): Promise<SearchResults> {
    const ownerId = requireUserId(actor);
    const text = checkSearchText(query.q);
    if ((await this.search.queryNodes(text)) === 0) throw invalidField('q', 'q has no searchable words (only stopwords or punctuation)');
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    if (from && to && from >= to) throw invalidField('to', 'to must be after from');
    let offset = 0;
    if (query.cursor !== undefined) {
      offset = decodeCursor(query.cursor, { offset: 'int' }).offset;
      if (offset <= 0 || offset > MAX_OFFSET) throw ConversationsErrors.badCursor();
    }
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.search.search({ ownerId, text, agentId: query.agentId, from, to, offset, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const next = offset + limit;
    return {
      items: page.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
      nextCursor: rows.length > limit && next <= MAX_OFFSET ? encodeCursor({ offset: next }) : null,
    };
  }
}

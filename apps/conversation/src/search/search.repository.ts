import { Injectable } from '@nestjs/common';
import type { MessageRole } from '#contracts';
import { Database } from '#persistence';

export interface SearchFilter {
  ownerId: string;
  text: string;
  agentId?: string;
  from?: Date;
  to?: Date;
  offset: number;
  limit: number;
}

/** One ranked match, with its conversation's title and a highlighted snippet. */
export interface SearchHit {
  messageId: string;
  conversationId: string;
  conversationTitle: string | null;
  agentId: string | null;
  role: MessageRole;
  snippet: string;
  rank: number;
  createdAt: Date;
}

/**
 * Full-text search over the messages' generated tsvector and its GIN index (english
 * configuration). Plain SQL: ranking, highlighting and the query parser are PostgreSQL's, in one
 * statement over the messages and their conversations, which the bench holds to its speed.
 */
@Injectable()
export class SearchRepository {
  constructor(private readonly database: Database) {}

  /** How many lexemes and operators the query parses into: 0 means only stopwords or punctuation. */
  async queryNodes(text: string): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(`SELECT numnode(websearch_to_tsquery('english', $1)) AS "n"`, [text]);
    return row.n;
  }

  /**
   * The query is written out where it is used rather than in a CTE: a CTE referenced twice is
   * materialised, and the planner then cannot match `search @@ <constant>` to the GIN index.
   * Deleted conversations are excluded by a NOT IN over the owner's few deleted ones (a hashed
   * subplan) rather than a join: with a join the planner may run the GIN scan once per conversation.
   * Ranks the matches first and builds snippets only for the page: ts_headline re-parses a whole
   * message, which costs far more than ranking. The content is HTML-escaped before highlighting,
   * so the only markup in a snippet is the <mark> the service adds.
   */
  search(filter: SearchFilter): Promise<SearchHit[]> {
    const where = [`m."owner_id" = $1`, `m."search" @@ websearch_to_tsquery('english', $2)`, `m."deleted_at" IS NULL`];
    const params: unknown[] = [filter.ownerId, filter.text];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.agentId) add(`m."agent_id" = ?`, filter.agentId);
    if (filter.from) add(`m."created_at" >= ?`, filter.from);
    if (filter.to) add(`m."created_at" < ?`, filter.to);
    params.push(filter.limit, filter.offset);
    return this.database.query<SearchHit>(
      `WITH hits AS (
         SELECT m."id", m."conversation_id", m."agent_id", m."role", m."content", m."created_at", ts_rank(m."search", websearch_to_tsquery('english', $2)) AS "rank"
         FROM "conversation"."messages" m
         WHERE ${where.join(' AND ')}
           AND m."conversation_id" NOT IN (SELECT "id" FROM "conversation"."conversations" WHERE "owner_id" = $1 AND "deleted_at" IS NOT NULL)
         ORDER BY "rank" DESC, m."id" DESC
         LIMIT $${params.length - 1} OFFSET $${params.length}
       )
       SELECT h."id" AS "messageId", h."conversation_id" AS "conversationId", c."title" AS "conversationTitle", h."agent_id" AS "agentId", h."role",
              h."created_at" AS "createdAt", h."rank",
              ts_headline('english', replace(replace(replace(h."content", '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), websearch_to_tsquery('english', $2),
                          'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "') AS "snippet"
       FROM hits h JOIN "conversation"."conversations" c ON c."id" = h."conversation_id"
       ORDER BY h."rank" DESC, h."id" DESC`,
      params,
    );
  }
}

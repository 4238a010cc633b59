import { AppError, ErrorCode, type KnowledgeSearchResult, KnowledgeSearchContracts, serviceActor } from '#contracts';
import type { BusClient } from '#messaging';
import { type Tool, type ToolCitation, type ToolContext, ToolInputError } from '../tools/tools.service.js';

const EXECUTION = serviceActor('execution');
const MAX_TOP_K = 10;
/** Characters of each chunk the model reads: enough to answer from, bounded for the context window. */
const MAX_TEXT = 2000;

/** What the model reads: one entry per chunk, with the ids its answer can cite. */
interface ToolResult {
  results: Array<{ chunkId: string; documentId: string; knowledgeBaseId: string; score: number; text: string; metadata: Record<string, unknown> }>;
}

/**
 * Searches the agent's knowledge bases for its owner, through the agent service (the same search
 * as the HTTP routes and the workflow knowledge node). A bad filter from the model is told to the
 * model, which may correct it.
 */
export class KnowledgeSearchTool implements Tool {
  readonly name = 'knowledge_search';
  readonly location = 'server';
  readonly description =
    "Search the agent's knowledge bases for passages relevant to a question. Returns the best matching passages with their chunkId and documentId; cite the chunkId of what you use.";
  readonly parameters = {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What to look for, in natural language or keywords' },
      topK: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, description: 'How many passages (default 5)' },
      filter: { type: 'object', description: 'Optional metadata filter: { field: value }, { field: { in: [...] } }, { field: { gte, lte } }, { and: [...] }, { or: [...] }' },
    },
    required: ['query'],
    additionalProperties: false,
  };

  constructor(
    private readonly bus: BusClient,
    private readonly knowledgeBaseIds: string[],
  ) {}

  async execute(args: Record<string, unknown>, context: ToolContext): Promise<string> {
    const query = typeof args.query === 'string' ? args.query.trim() : '';
    if (query === '') throw new ToolInputError('query must be a non-empty string');
    let found: KnowledgeSearchResult;
    try {
      found = await this.bus.request(
        KnowledgeSearchContracts.search,
        {
          knowledgeBaseIds: this.knowledgeBaseIds,
          query: query.slice(0, 4000),
          topK: typeof args.topK === 'number' ? Math.min(MAX_TOP_K, Math.max(1, Math.trunc(args.topK))) : undefined,
          filter: args.filter as Record<string, unknown> | undefined,
          ownerId: context.ownerId,
        },
        { actor: EXECUTION },
      );
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.VALIDATION_FAILED) throw new ToolInputError(err.message);
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return JSON.stringify({ results: [], note: 'a knowledge base of this agent no longer exists' });
      throw err;
    }
    const result: ToolResult = {
      results: found.items.map((hit) => ({
        chunkId: hit.chunkId,
        documentId: hit.documentId,
        knowledgeBaseId: hit.knowledgeBaseId,
        score: Math.round(hit.score * 10_000) / 10_000,
        text: hit.content.slice(0, MAX_TEXT),
        metadata: hit.metadata,
      })),
    };
    return JSON.stringify(result);
  }

  citations(result: string): ToolCitation[] {
    try {
      const parsed = JSON.parse(result) as Partial<ToolResult>;
      return (parsed.results ?? []).map(({ chunkId, documentId, knowledgeBaseId, score }) => ({ chunkId, documentId, knowledgeBaseId, score }));
    } catch {
      return [];
    }
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { rpc } from '../contract.js';

export const KNOWLEDGE_SEARCH_MODES = ['hybrid', 'vector', 'fulltext'] as const;
export type KnowledgeSearchMode = (typeof KNOWLEDGE_SEARCH_MODES)[number];

/**
 * One search over one or more knowledge bases of one owner: what the HTTP routes, the agents'
 * knowledge_search tool and the workflows' knowledge node all ask. Every base must be the caller's
 * (another user's is not found). The filter is checked by the knowledge service, which names the
 * path of any part it refuses.
 */
export class SearchKnowledgeBody {
  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  query: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  topK?: number;

  @ApiPropertyOptional({ enum: KNOWLEDGE_SEARCH_MODES, default: 'hybrid' })
  @IsOptional()
  @IsIn(KNOWLEDGE_SEARCH_MODES)
  mode?: KnowledgeSearchMode;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Over document metadata: { field: value }, { field: { in: [...] } }, { field: { gte, lte, gt, lt } }, { field: { exists: true } }, combined with { and: [...] } / { or: [...] }',
  })
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

/** The body plus the bases: what POST /knowledge-bases/search and the services send. */
export class SearchKnowledgeRequest extends SearchKnowledgeBody {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 20 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  knowledgeBaseIds: string[];

  /** Set by a service acting for the owner (the execution service's tool and node); a user caller is the owner. */
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

export class KnowledgeHit {
  @ApiProperty({ format: 'uuid' }) chunkId: string;
  @ApiProperty({ format: 'uuid' }) documentId: string;
  @ApiProperty({ format: 'uuid' }) knowledgeBaseId: string;
  @ApiProperty() content: string;
  @ApiProperty({ description: 'Higher is better; comparable within one answer' }) score: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ description: 'The content with the matched words marked' }) highlight: string;
}

export class KnowledgeSearchResult {
  @ApiProperty({ type: [KnowledgeHit] }) items: KnowledgeHit[];
}

export const KnowledgeSearchContracts = {
  search: rpc('agent.knowledge.search', SearchKnowledgeRequest, KnowledgeSearchResult),
} as const;

/** Where an agent's answer came from: a chunk a knowledge_search call of the run returned (in the run output and on the assistant message's metadata). */
export class KnowledgeCitation {
  @ApiProperty({ format: 'uuid' }) chunkId: string;
  @ApiProperty({ format: 'uuid' }) documentId: string;
  @ApiProperty({ format: 'uuid' }) knowledgeBaseId: string;
  @ApiProperty() score: number;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';

/**
 * Where a knowledge base's vectors come from. `builtin` is the platform's own feature-hashing
 * model (no download, no key); the others are OpenAI-compatible `/embeddings` endpoints, keyed as
 * chat models are (request, stored key, environment).
 */
export const EMBEDDING_PROVIDERS = ['builtin', 'openai', 'azure-openai', 'mistral', 'together', 'ollama', 'vllm', 'lmstudio'] as const;
export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];
/** The providers whose embeddings come through an OpenAI-compatible endpoint (all but builtin). */
export type ExternalEmbeddingProvider = Exclude<EmbeddingProvider, 'builtin'>;

/** The built-in model's name: a change of model (or of its dimensions) re-embeds the base. */
export const BUILTIN_EMBEDDING_MODEL = 'hashing-v1';

export class EmbeddingSettings {
  @ApiProperty({ enum: EMBEDDING_PROVIDERS, default: 'builtin' })
  @IsIn(EMBEDDING_PROVIDERS, { message: `provider must be one of ${EMBEDDING_PROVIDERS.join(', ')}` })
  provider: EmbeddingProvider;

  @ApiProperty({ example: BUILTIN_EMBEDDING_MODEL, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model: string;

  @ApiProperty({ minimum: 16, maximum: 4096, example: 384 })
  @IsInt()
  @Min(16)
  @Max(4096)
  dimensions: number;
}

export class ChunkingSettings {
  @ApiPropertyOptional({ minimum: 100, maximum: 8000, default: 1000, description: 'Characters per chunk' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(8000)
  size?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 4000, default: 150, description: 'Characters shared by neighbouring chunks; less than half the size' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4000)
  overlap?: number;
}

export class KnowledgeBaseFields {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  projectId?: string | null;

  @ApiPropertyOptional({ type: EmbeddingSettings, description: 'Default: builtin hashing-v1, 384 dimensions. A change re-embeds every document in the background' })
  @IsOptional()
  @ValidateNested()
  @Type(() => EmbeddingSettings)
  embedding?: EmbeddingSettings;

  @ApiPropertyOptional({ type: ChunkingSettings, description: 'Applies to documents added afterwards' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChunkingSettings)
  chunking?: ChunkingSettings;
}

export class CreateKnowledgeBaseRequest extends KnowledgeBaseFields {}

export class UpdateKnowledgeBaseRequest extends KnowledgeBaseFields {
  @IsUUID()
  id: string;
}

export class KnowledgeBaseIdRequest {
  @IsUUID()
  id: string;
}

export class ListKnowledgeBasesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;
}

export class EmbeddingView {
  @ApiProperty({ enum: EMBEDDING_PROVIDERS }) provider: EmbeddingProvider;
  @ApiProperty() model: string;
  @ApiProperty() dimensions: number;
}

export class ChunkingView {
  @ApiProperty() size: number;
  @ApiProperty() overlap: number;
}

export class ReembeddingView {
  @ApiProperty({ enum: ['idle', 'running'], description: 'running: the base is being re-embedded with `embedding`; search answers from `searchEmbedding` until it is done' })
  status: 'idle' | 'running';
  @ApiProperty({ description: 'Chunks embedded with the new model so far' }) done: number;
  @ApiProperty({ description: 'Chunks to embed with the new model' }) total: number;
}

export class KnowledgeBaseView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) projectId: string | null;
  @ApiProperty({ type: EmbeddingView, description: 'The configured model (new documents and re-embedding use it)' }) embedding: EmbeddingView;
  @ApiProperty({ type: EmbeddingView, description: 'The model whose vectors search uses now' }) searchEmbedding: EmbeddingView;
  @ApiProperty({ type: ChunkingView }) chunking: ChunkingView;
  @ApiProperty({ type: ReembeddingView }) reembedding: ReembeddingView;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class KnowledgeBaseList {
  @ApiProperty({ type: [KnowledgeBaseView] }) items: KnowledgeBaseView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const KnowledgeBaseContracts = {
  create: rpc('agent.knowledge-bases.create', CreateKnowledgeBaseRequest, KnowledgeBaseView),
  list: rpc('agent.knowledge-bases.list', ListKnowledgeBasesQuery, KnowledgeBaseList),
  get: rpc('agent.knowledge-bases.get', KnowledgeBaseIdRequest, KnowledgeBaseView),
  update: rpc('agent.knowledge-bases.update', UpdateKnowledgeBaseRequest, KnowledgeBaseView),
  delete: rpc('agent.knowledge-bases.delete', KnowledgeBaseIdRequest, Empty),
} as const;

import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { EMBEDDING_PROVIDERS, type ExternalEmbeddingProvider } from '../agent/knowledge-bases.contracts.js';
import { rpc } from '../contract.js';

const EXTERNAL = EMBEDDING_PROVIDERS.filter((p): p is ExternalEmbeddingProvider => p !== 'builtin');

/**
 * Texts to embed with an external model, for the agent service's knowledge bases. The execution
 * service answers because it is the one service identity gives stored provider keys to: the
 * owner's key is used as for their chat models (stored, else the platform's environment).
 */
export class CreateEmbeddingsRequest {
  @IsUUID()
  ownerId: string;

  @IsIn(EXTERNAL)
  provider: ExternalEmbeddingProvider;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model: string;

  @IsInt()
  @Min(16)
  @Max(4096)
  dimensions: number;

  /** Few enough that the vectors fit one bus message (the agent service sizes its batches). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(32_000, { each: true })
  inputs: string[];
}

export class EmbeddingsReply {
  /** One vector per input, in order. */
  vectors: number[][];
}

export const EmbeddingContracts = {
  create: rpc('execution.embeddings.create', CreateEmbeddingsRequest, EmbeddingsReply),
} as const;

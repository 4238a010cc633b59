import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type CreateEmbeddingsRequest, type EmbeddingsReply, requireService } from '#contracts';
import type { ModelProviders } from '#llm';
import { MODEL_PROVIDERS_TOKEN } from '../agent-loop/agent-loop.service.js';

/**
 * Embeddings with external models for the agent service's knowledge bases. Here rather than there
 * because this is the one service identity reveals stored provider keys to: the owner's key is
 * resolved exactly as for their chat models (stored, else the platform's environment).
 */
@Injectable()
export class EmbeddingsService {
  constructor(@Inject(MODEL_PROVIDERS_TOKEN) private readonly providers: ModelProviders) {}

  async create(actor: Actor, request: CreateEmbeddingsRequest): Promise<EmbeddingsReply> {
    requireService(actor, 'agent');
    const embedder = await this.providers.createEmbedder({ provider: request.provider, model: request.model, dimensions: request.dimensions, userId: request.ownerId });
    const vectors = await embedder.embed(request.inputs);
    return { vectors: vectors.map((vector) => Array.from(vector)) };
  }
}

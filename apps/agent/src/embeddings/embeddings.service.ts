import { Injectable } from '@nestjs/common';
import type { EmbeddingProvider } from '#contracts';
import { type Embedder, HashingEmbedder } from '#llm';

export type { Embedder } from '#llm';

/** Which embedding model, for whom (whose stored key an external model uses). */
export interface EmbedderRequest {
  provider: EmbeddingProvider;
  model: string;
  dimensions: number;
  ownerId: string;
}

/** The embedder of a knowledge base's model: the built-in hashing model, or an OpenAI-compatible endpoint. */
@Injectable()
export class EmbeddingsService {
  private readonly hashing = new Map<number, HashingEmbedder>();

  embedderFor(request: EmbedderRequest): Embedder {
    switch (request.provider) {
      case 'builtin': {
        let embedder = this.hashing.get(request.dimensions);
        if (!embedder) {
          embedder = new HashingEmbedder(request.dimensions);
          this.hashing.set(request.dimensions, embedder);
        }
        return embedder;
      }
    }
  }
}

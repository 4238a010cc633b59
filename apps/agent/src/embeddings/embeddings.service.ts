import { Inject, Injectable } from '@nestjs/common';
import { EmbeddingContracts, type EmbeddingProvider, type ExternalEmbeddingProvider, serviceActor } from '#contracts';
import { type Embedder, HashingEmbedder } from '#llm';
import { BUS_CLIENT, type BusClient } from '#messaging';

export type { Embedder } from '#llm';

/** Which embedding model, for whom (whose stored key an external model uses). */
export interface EmbedderRequest {
  provider: EmbeddingProvider;
  model: string;
  dimensions: number;
  ownerId: string;
}

const AGENT = serviceActor('agent');
/** Floats per bus message: 49,152 numbers of JSON stay well under NATS's 1 MiB message limit. */
const FLOATS_PER_REQUEST = 49_152;

/**
 * The embedder of a knowledge base's model: the built-in hashing model here, or an external model
 * (any OpenAI-compatible `/embeddings` endpoint) through the execution service, the one service
 * identity hands stored provider keys to. So a user's stored key embeds their documents, as it
 * runs their agents, and the agent service never holds a key.
 */
@Injectable()
export class EmbeddingsService {
  private readonly hashing = new Map<number, HashingEmbedder>();

  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  embedderFor(request: EmbedderRequest): Embedder {
    if (request.provider === 'builtin') {
      let embedder = this.hashing.get(request.dimensions);
      if (!embedder) {
        embedder = new HashingEmbedder(request.dimensions);
        this.hashing.set(request.dimensions, embedder);
      }
      return embedder;
    }
    return new ExternalEmbedder(this.bus, { ...request, provider: request.provider });
  }
}

class ExternalEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;

  constructor(
    private readonly bus: BusClient,
    private readonly request: EmbedderRequest & { provider: ExternalEmbeddingProvider },
  ) {
    this.model = request.model;
    this.dimensions = request.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const perRequest = Math.max(1, Math.floor(FLOATS_PER_REQUEST / this.dimensions));
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += perRequest) {
      const { vectors } = await this.bus.request(
        EmbeddingContracts.create,
        { ownerId: this.request.ownerId, provider: this.request.provider, model: this.model, dimensions: this.dimensions, inputs: texts.slice(i, i + perRequest) },
        { actor: AGENT, timeoutMs: 90_000 },
      );
      for (const vector of vectors) out.push(Float32Array.from(vector));
    }
    return out;
  }
}

import { Controller } from '@nestjs/common';
import { type Actor, CreateEmbeddingsRequest, EmbeddingContracts, type EmbeddingsReply } from '#contracts';
import { Rpc } from '#messaging';
import { EmbeddingsService } from './embeddings.service.js';

@Controller()
export class EmbeddingsHandler {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Rpc(EmbeddingContracts.create)
  create(request: CreateEmbeddingsRequest, actor: Actor): Promise<EmbeddingsReply> {
    return this.embeddings.create(actor, request);
  }
}

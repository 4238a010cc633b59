import { Controller } from '@nestjs/common';
import { type Actor, ChunkIdRequest, type ChunkView, DocumentContracts } from '#contracts';
import { Rpc } from '#messaging';
import { ChunksService } from './chunks.service.js';

@Controller()
export class ChunksHandler {
  constructor(private readonly chunks: ChunksService) {}

  @Rpc(DocumentContracts.getChunk)
  get(request: ChunkIdRequest, actor: Actor): Promise<ChunkView> {
    return this.chunks.get(actor, request.id);
  }
}
